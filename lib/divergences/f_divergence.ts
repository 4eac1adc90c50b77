/**
 * f-divergences D_f(p‖q) = Σ qᵢ f(pᵢ/qᵢ) with a table of named generators and their derivatives.
 *
 * @module
 */
import type { Vector } from "../math/types.ts";
import { assertFinite, assertProbabilityVector, assertSameLength, describe } from "../math/validation.ts";

/**
 * A convex generator f: (0, ∞) → ℝ with f(1) = 0, plus the two limits that define the terms of Σ qᵢ f(pᵢ/qᵢ)
 * where pᵢ or qᵢ is zero.
 */
export interface FGenerator {
  /** A name for messages. */
  readonly name: string;
  /** f(t) for t > 0 (finite). */
  f(t: number): number;
  /** f(0) = lim_{t→0⁺} f(t), possibly `Infinity`: a term with pᵢ = 0 < qᵢ contributes qᵢ·atZero. */
  readonly atZero: number;
  /**
   * lim_{t→∞} f(t)/t, possibly `Infinity`: a term with qᵢ = 0 < pᵢ contributes pᵢ·slopeAtInfinity (the perspective
   * function's limit 0·f(p/0)).
   */
  readonly slopeAtInfinity: number;
  /** Optional derivative f′(t) for t > 0. */
  derivative?(t: number): number;
}

/**
 * f′ in log coordinates, the form the f-DPO scores need: with z = log t, the function z ↦ f′(eᶻ), its slope
 * d/dz f′(eᶻ) = eᶻ·f″(eᶻ), and the curvature f″(1) that sets the slope at z = 0. Evaluated without forming eᶻ
 * where a closed form allows (KL's f′(eᶻ) = z + 1 stays exact at z = 1e4); exponents are clamped to
 * ±{@link EXPONENT_CLAMP}, beyond which the value is flat and the slope 0.
 */
export interface LogDerivative {
  /** f′(eᶻ). */
  value(z: number): number;
  /** d/dz f′(eᶻ) = eᶻ·f″(eᶻ) ≥ 0. */
  slope(z: number): number;
  /** f″(1) > 0, the slope at z = 0. */
  readonly curvatureAtOne: number;
}

/** The bound on exponents inside {@link LogDerivative}s (e^50 ≈ 5e21, far inside float32's range too). */
export const EXPONENT_CLAMP = 50;

const clampExp = (x: number): number => Math.max(-EXPONENT_CLAMP, Math.min(EXPONENT_CLAMP, x));
const insideExp = (x: number): boolean => Math.abs(x) < EXPONENT_CLAMP;
/** e^x with x clamped, and its derivative in x (0 beyond the clamp). */
const expClamped = (x: number): number => Math.exp(clampExp(x));
const expSlope = (x: number): number => (insideExp(x) ? Math.exp(x) : 0);
const softplusStable = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const sigmoidStable = (x: number): number =>
  x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));

/** A generator from {@link F_GENERATORS}: its derivative is always given, with its f-DPO admissibility. */
export interface NamedFGenerator extends FGenerator {
  /** f′(t) for t > 0 (the f-DPO loss uses f′ of the policy/reference ratio). */
  derivative(t: number): number;
  /**
   * Whether f′ is admissible for f-DPO (Wang et al. 2023, Theorem 1): 0 must not lie in the domain of f′, i.e.
   * f′(t) must diverge as t → 0⁺, so that f′ is invertible on the range the reward reparametrization needs.
   */
  readonly fDpoAdmissible: boolean;
  /** f′ in log coordinates (every generator with f″(1) > 0; absent for total variation). */
  readonly logDerivative?: LogDerivative;
  /** Amari's order α (the `"alpha"` generator only). */
  readonly alpha?: number;
}

/** The names of the generators in {@link F_GENERATORS}. */
export type FGeneratorName =
  | "kl"
  | "reverse-kl"
  | "js"
  | "hellinger"
  | "total-variation"
  | "chi-squared"
  | "alpha";

/** Options of the generator factories in {@link F_GENERATORS}. */
export interface FGeneratorOptions {
  /** The order α of the `"alpha"` generator: finite, α ∉ {0, 1}. Required for `"alpha"`, ignored otherwise. */
  alpha?: number;
}

const HALF_LN2 = 0.5 * Math.LN2;

const KL: NamedFGenerator = Object.freeze({
  name: "kl",
  f: (t: number): number => (t === 0 ? 0 : t * Math.log(t)),
  derivative: (t: number): number => Math.log(t) + 1,
  atZero: 0,
  slopeAtInfinity: Infinity,
  fDpoAdmissible: true,
  logDerivative: Object.freeze({ value: (z: number) => z + 1, slope: () => 1, curvatureAtOne: 1 }),
});

const REVERSE_KL: NamedFGenerator = Object.freeze({
  name: "reverse-kl",
  f: (t: number): number => -Math.log(t),
  derivative: (t: number): number => -1 / t,
  atZero: Infinity,
  slopeAtInfinity: 0,
  fDpoAdmissible: true,
  // f′(eᶻ) = −e^{−z}.
  logDerivative: Object.freeze({
    value: (z: number) => -expClamped(-z),
    slope: (z: number) => expSlope(-z),
    curvatureAtOne: 1,
  }),
});

const JS: NamedFGenerator = Object.freeze({
  name: "js",
  // ½[t log t − (t+1) log((t+1)/2)] = ½[t·log(2t/(t+1)) + log(2/(t+1))], the logs as log1p(±d) with
  // d = (t−1)/(t+1) near t = 1 (no cancellation there) and directly elsewhere (d rounds to −1 for tiny t).
  f: (t: number): number => {
    if (t === 0) return HALF_LN2;
    const d = (t - 1) / (t + 1);
    if (Math.abs(d) < 0.5) return 0.5 * (t * Math.log1p(d) + Math.log1p(-d));
    return 0.5 * (t * Math.log((2 * t) / (t + 1)) + Math.log(2 / (t + 1)));
  },
  derivative: (t: number): number => 0.5 * Math.log((2 * t) / (t + 1)),
  atZero: HALF_LN2,
  slopeAtInfinity: HALF_LN2,
  fDpoAdmissible: true,
  // f′(eᶻ) = ½ log(2eᶻ/(eᶻ + 1)) = ½(log 2 − softplus(−z)); f″(1) = ½(1 − ½) = ¼.
  logDerivative: Object.freeze({
    value: (z: number) => 0.5 * (Math.LN2 - softplusStable(-z)),
    slope: (z: number) => 0.5 * sigmoidStable(-z),
    curvatureAtOne: 0.25,
  }),
});

const HELLINGER: NamedFGenerator = Object.freeze({
  name: "hellinger",
  f: (t: number): number => {
    const d = Math.sqrt(t) - 1;
    return 0.5 * d * d;
  },
  derivative: (t: number): number => 0.5 * (1 - 1 / Math.sqrt(t)),
  atZero: 0.5,
  slopeAtInfinity: 0.5,
  fDpoAdmissible: true,
  // f′(eᶻ) = ½(1 − e^{−z/2}); f″(1) = ¼.
  logDerivative: Object.freeze({
    value: (z: number) => -0.5 * Math.expm1(clampExp(-0.5 * z)),
    slope: (z: number) => 0.25 * expSlope(-0.5 * z),
    curvatureAtOne: 0.25,
  }),
});

const TOTAL_VARIATION: NamedFGenerator = Object.freeze({
  name: "total-variation",
  f: (t: number): number => 0.5 * Math.abs(t - 1),
  derivative: (t: number): number => 0.5 * Math.sign(t - 1),
  atZero: 0.5,
  slopeAtInfinity: 0.5,
  fDpoAdmissible: false,
});

const CHI_SQUARED: NamedFGenerator = Object.freeze({
  name: "chi-squared",
  f: (t: number): number => (t - 1) * (t - 1),
  derivative: (t: number): number => 2 * (t - 1),
  atZero: 1,
  slopeAtInfinity: Infinity,
  fDpoAdmissible: false,
  // f′(eᶻ) = 2(eᶻ − 1); f″(1) = 2.
  logDerivative: Object.freeze({
    value: (z: number) => 2 * Math.expm1(clampExp(z)),
    slope: (z: number) => 2 * expSlope(z),
    curvatureAtOne: 2,
  }),
});

function amariAlpha(options: FGeneratorOptions = {}): NamedFGenerator {
  const alpha = options.alpha;
  if (alpha === undefined) {
    throw new RangeError('alpha must be given for the "alpha" f-generator, got undefined');
  }
  assertFinite(alpha, "alpha");
  if (alpha === 0 || alpha === 1) {
    throw new RangeError(
      `alpha must not be 0 or 1 for the "alpha" f-generator (use "reverse-kl" or "kl"), got ${alpha}`,
    );
  }
  const scale = 1 / (alpha * (alpha - 1));
  return Object.freeze({
    name: `alpha(${alpha})`,
    alpha,
    // (t^α − αt − (1 − α)) / (α(α − 1)), with t^α − 1 as expm1(α log t).
    f: (t: number): number =>
      t === 0
        ? (alpha > 0 ? 1 / alpha : Infinity)
        : (Math.expm1(alpha * Math.log(t)) - alpha * (t - 1)) * scale,
    derivative: (t: number): number => Math.expm1((alpha - 1) * Math.log(t)) / (alpha - 1),
    atZero: alpha > 0 ? 1 / alpha : Infinity,
    slopeAtInfinity: alpha < 1 ? 1 / (1 - alpha) : Infinity,
    fDpoAdmissible: alpha > 0 && alpha < 1,
    // f′(eᶻ) = (e^{(α−1)z} − 1)/(α − 1); f″(1) = 1.
    logDerivative: Object.freeze({
      value: (z: number) => Math.expm1(clampExp((alpha - 1) * z)) / (alpha - 1),
      slope: (z: number) => expSlope((alpha - 1) * z),
      curvatureAtOne: 1,
    }),
  });
}

/**
 * The named f-divergence generators, each a factory `(options?) => NamedFGenerator` (only `"alpha"` reads
 * `options.alpha`; the others return a shared frozen object). D_f(p‖q) = Σ qᵢ f(pᵢ/qᵢ) then is:
 *
 * | name | f(t) | f′(t) | D_f(p‖q) | f-DPO admissible |
 * |---|---|---|---|---|
 * | `"kl"` | t log t | log t + 1 | KL(p‖q) | yes |
 * | `"reverse-kl"` | −log t | −1/t | KL(q‖p) | yes |
 * | `"js"` | ½[t log t − (t+1) log((t+1)/2)] | ½ log(2t/(t+1)) | JS(p, q) | yes |
 * | `"hellinger"` | ½(√t − 1)² | ½(1 − 1/√t) | H²(p, q) | yes (α = ½ case) |
 * | `"total-variation"` | ½\|t − 1\| | ½ sign(t − 1) | ½ Σ \|pᵢ − qᵢ\| | no |
 * | `"chi-squared"` | (t − 1)² | 2(t − 1) | Σ (pᵢ − qᵢ)²/qᵢ | no |
 * | `"alpha"` | (t^α − αt − (1 − α))/(α(α − 1)) | (t^(α−1) − 1)/(α − 1) | (Σ pᵢ^α qᵢ^(1−α) − 1)/(α(α − 1)) | iff 0 < α < 1 |
 *
 * `"alpha"` is Amari's α-divergence (α ∉ {0, 1}; α = ½ gives 4·H²; α → 1 tends to KL(p‖q), α → 0 to KL(q‖p)).
 * Wang et al. (2023) write the same family with their α equal to 1 − this α. f-DPO admissibility (Wang et al.,
 * Theorem 1) needs 0 ∉ dom f′, i.e. f′(t) → −∞ as t → 0⁺: true for reverse KL, forward KL, JS, Hellinger and
 * α ∈ (0, 1), false for total variation and χ² (finite f′(0)).
 *
 * @example
 * ```ts
 * import { F_GENERATORS } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const rkl = F_GENERATORS["reverse-kl"]();
 * assert.equal(rkl.derivative(2), -0.5);
 * assert.equal(rkl.fDpoAdmissible, true);
 * assert.equal(F_GENERATORS["chi-squared"]().fDpoAdmissible, false);
 * assert.ok(Math.abs(F_GENERATORS.alpha({ alpha: 0.5 }).f(4) - 2) < 1e-15);
 * ```
 */
export const F_GENERATORS: Readonly<
  Record<FGeneratorName, (options?: FGeneratorOptions) => NamedFGenerator>
> = Object.freeze({
  "kl": () => KL,
  "reverse-kl": () => REVERSE_KL,
  "js": () => JS,
  "hellinger": () => HELLINGER,
  "total-variation": () => TOTAL_VARIATION,
  "chi-squared": () => CHI_SQUARED,
  "alpha": amariAlpha,
});

/** The generator used by {@link fDivergence} (and the `"f"` entry of `DIVERGENCES`) when none is given. */
export const DEFAULT_F_GENERATOR: FGeneratorName = "js";

/**
 * Looks a generator up in {@link F_GENERATORS} by name.
 *
 * @param name One of the {@link FGeneratorName}s.
 * @param options `alpha` for the `"alpha"` generator.
 * @returns The generator, with its derivative.
 * @throws {RangeError} If `name` is not a generator name (the message lists them), or `alpha` is missing or
 * invalid for `"alpha"`.
 * @example
 * ```ts
 * import { fGenerator } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(fGenerator("kl").f(1), 0);
 * assert.throws(() => fGenerator("nope" as "kl"), RangeError);
 * ```
 */
export function fGenerator(name: FGeneratorName, options: FGeneratorOptions = {}): NamedFGenerator {
  const make = Object.hasOwn(F_GENERATORS, name) ? F_GENERATORS[name] : undefined;
  if (make === undefined) {
    throw new RangeError(
      `f must be one of ${Object.keys(F_GENERATORS).map((k) => `"${k}"`).join(", ")}, got ${describe(name)}`,
    );
  }
  return make(options);
}

/** Options of {@link fDivergence}. */
export interface FDivergenceOptions {
  /** A generator name from {@link F_GENERATORS} or a user {@link FGenerator}. Default `"js"`. */
  f?: FGeneratorName | FGenerator;
  /** The order α for `f: "alpha"` (required there). */
  alpha?: number;
}

function resolve(f: FGeneratorName | FGenerator, alpha: number | undefined): FGenerator {
  if (typeof f === "string") return fGenerator(f, { alpha });
  if (typeof f !== "object" || f === null || typeof f.f !== "function") {
    throw new TypeError(`f must be a generator name or an object with a method f(t), got ${describe(f)}`);
  }
  for (const key of ["atZero", "slopeAtInfinity"] as const) {
    const v = f[key];
    if (typeof v !== "number" || Number.isNaN(v)) {
      throw new TypeError(`f.${key} must be a number (Infinity allowed), got ${describe(v)}`);
    }
  }
  return f;
}

/**
 * The f-divergence D_f(p‖q) = Σᵢ qᵢ f(pᵢ/qᵢ) for a convex generator f with f(1) = 0.
 *
 * Terms at zeros follow the perspective function's limits: pᵢ = 0 < qᵢ contributes qᵢ·f(0) (`atZero`),
 * qᵢ = 0 < pᵢ contributes pᵢ·lim f(t)/t (`slopeAtInfinity`), and pᵢ = qᵢ = 0 contributes 0; an infinite limit
 * makes the divergence `Infinity`. `f` is either a name from {@link F_GENERATORS} (default `"js"`, so that the
 * `"f"` entry of `DIVERGENCES` equals the Jensen–Shannon divergence unless told otherwise) or a user
 * {@link FGenerator}; the generator is evaluated at t = pᵢ/qᵢ.
 *
 * @param p The first distribution (non-negative, sums to 1).
 * @param q The second distribution, same length.
 * @param options `f` (default `"js"`) and `alpha` (for `"alpha"`).
 * @returns D_f(p‖q), possibly `Infinity`.
 * @throws {RangeError} If `p` or `q` is not a probability vector, if their lengths differ, if `f` is an unknown
 * name, or if `alpha` is missing or invalid for `"alpha"`.
 * @throws {TypeError} If `f` is neither a name nor a generator object.
 * @example
 * ```ts
 * import { fDivergence, klDivergence } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const p = [0.1, 0.6, 0.3];
 * const q = [0.3, 0.3, 0.4];
 * assert.ok(Math.abs(fDivergence(p, q, { f: "kl" }) - klDivergence(p, q)) < 1e-15);
 * assert.ok(Math.abs(fDivergence(p, q, { f: "total-variation" }) - 0.3) < 1e-15);
 * // A user generator: the squared Hellinger distance without the ½.
 * const sqH = { name: "sq", f: (t: number) => (Math.sqrt(t) - 1) ** 2, atZero: 1, slopeAtInfinity: 1 };
 * assert.ok(Math.abs(fDivergence(p, q, { f: sqH }) - 2 * fDivergence(p, q, { f: "hellinger" })) < 1e-15);
 * ```
 */
export function fDivergence(p: Vector, q: Vector, options: FDivergenceOptions = {}): number {
  assertProbabilityVector(p, "p");
  assertProbabilityVector(q, "q");
  assertSameLength(p, "p", q, "q");
  const gen = resolve(options.f ?? DEFAULT_F_GENERATOR, options.alpha);
  const { atZero, slopeAtInfinity } = gen;
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] as number;
    const qi = q[i] as number;
    if (qi > 0) s += pi === 0 ? qi * atZero : qi * gen.f(pi / qi);
    else if (pi > 0) s += pi * slopeAtInfinity;
  }
  return s;
}
