/**
 * f-DPO's implicit rewards (Wang et al. 2023, Thm 1): with a regularizer D_f(π‖π_ref) in place of the
 * reverse KL, the optimal policy's reward is β·f′(π/π_ref) up to a constant. In log space, with
 * z = log π(y) − log π_ref(y), the score
 *
 *   φ(z) = (f′(eᶻ) − f′(1)) / f″(1)
 *
 * replaces z in the DPO margin: r(y) = β·φ(z(y)). Every score is computed from ONE table, the generators'
 * log-coordinate derivatives in `F_GENERATORS` (lib/divergences/f_divergence.ts); the divergence names map to
 * generators here. The shift by f′(1) makes φ(0) = 0 (it cancels in r_w − r_l anyway); the division by f″(1)
 * (on by default, `unitSlope: false` turns it off) gives every score slope 1 at z = 0, so that β means the same
 * temperature for every divergence (docs/math.md, "Implicit scores").
 *
 * Exponents are clamped to ±{@link EXPONENT_CLAMP} so that log-prob gaps of 1e4 stay finite; beyond the clamp
 * the score is flat (zero gradient), which only happens for policies that have left the reference entirely.
 *
 * @module
 */
import {
  EXPONENT_CLAMP,
  F_GENERATORS,
  type FGeneratorName,
  type NamedFGenerator,
} from "../divergences/f_divergence.ts";
import { DEFAULT_RENYI_ALPHA } from "../divergences/renyi.ts";
import type { DivergenceName } from "../divergences/table.ts";
import { assertInRange, describe } from "../math/validation.ts";
import { lookup } from "../math/lookup.ts";

export { EXPONENT_CLAMP };

/** A score φ(z) and its derivative φ′(z) > 0. */
export interface ImplicitScore {
  /** φ(z) = (f′(eᶻ) − f′(1))/f″(1) (or without the division, with `unitSlope: false`). */
  value(z: number): number;
  /** dφ/dz. */
  derivative(z: number): number;
}

/**
 * The f-DPO score of a generator: φ(z) = (f′(eᶻ) − f′(1))/c with c = f″(1) (unit slope at z = 0) or c = 1.
 *
 * @param generator A generator with a log-coordinate derivative (every entry of `F_GENERATORS` but total
 * variation).
 * @param unitSlope Divide by f″(1) (default true).
 * @returns The score.
 * @throws {RangeError} If the generator has no log-coordinate derivative.
 * @example
 * ```ts
 * import { fGenerator, generatorScore } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const js = fGenerator("js");
 * assert.ok(Math.abs(generatorScore(js, false).value(0.7) - (js.derivative(Math.exp(0.7)) - js.derivative(1))) < 1e-15);
 * assert.equal(generatorScore(js).derivative(0), 1); // unit slope
 * ```
 */
export function generatorScore(generator: NamedFGenerator, unitSlope = true): ImplicitScore {
  const g = generator.logDerivative;
  if (g === undefined) {
    throw new RangeError(`generator ${describe(generator.name)} has no f′ in log coordinates (f″(1) = 0)`);
  }
  const c = unitSlope ? g.curvatureAtOne : 1;
  const atOne = g.value(0);
  return {
    value: (z) => (g.value(z) - atOne) / c,
    derivative: (z) => g.slope(z) / c,
  };
}

/**
 * The f-DPO score for the α-divergence D_α(π‖π_ref) = (Σ π^{1−α} π_ref^α − 1)/(α(α − 1)), 0 < α < 1, in
 * Wang et al.'s convention: φ(z) = (1 − e^{−αz})/α, Amari's generator of order 1 − α (f″(1) = 1). α → 0 is
 * the reverse KL (DPO), α → 1 the forward KL, α = ½ the Hellinger case.
 *
 * @param alpha α in (0, 1).
 * @returns The score.
 * @throws {RangeError} Unless 0 < α < 1.
 * @example
 * ```ts
 * import { alphaDivergenceScore } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(alphaDivergenceScore(0.5).value(0), 0);
 * ```
 */
export function alphaDivergenceScore(alpha: number): ImplicitScore {
  assertInRange(alpha, "options.alpha", 0, 1, { lo: true, hi: true });
  return generatorScore(F_GENERATORS.alpha({ alpha: 1 - alpha }));
}

/** The f-DPO scores by name, unit slope (the three with closed forms people quote). */
export const IMPLICIT_SCORES: Readonly<{
  "reverse-kl": ImplicitScore;
  "forward-kl": ImplicitScore;
  js: ImplicitScore;
}> = Object.freeze({
  /** KL(π‖π_ref), the standard DPO regularizer, generator t log t: φ(z) = z. */
  "reverse-kl": generatorScore(F_GENERATORS.kl()),
  /** KL(π_ref‖π), generator −log t: φ(z) = 1 − e^{−z}. */
  "forward-kl": generatorScore(F_GENERATORS["reverse-kl"]()),
  /** Jensen–Shannon, f′(t) = ½ log(2t/(1 + t)), f″(1) = ¼: φ(z) = 2(log 2 − softplus(−z)). */
  js: generatorScore(F_GENERATORS.js()),
});

/**
 * The training divergences of `DIVERGENCE_NAMES` that regularize implicitly (all but Wasserstein, which has no
 * admissible f′, and `f`, which names a generator), plus `forward-kl` and Wang et al.'s `alpha`.
 */
type ByDivergenceName = Exclude<DivergenceName, "wasserstein" | "f"> | "forward-kl" | "alpha";

/** Divergences that can regularize implicitly (f-DPO), and the names the f-divergence option accepts. */
export type ImplicitDivergenceName = ByDivergenceName | "f";

/** The generators with an admissible f′ in log coordinates (all but total variation and χ²). */
type ByGeneratorName = Exclude<FGeneratorName, "total-variation" | "chi-squared">;

/**
 * The generator `f` uses when none is named: `reverse-kl` (−log t, i.e. KL(π_ref‖π)), the one admissible
 * generator whose score no other training divergence already gives (`kl`, `js`, `hellinger` have their own
 * names and `alpha` at the default order is Rényi's), so that the grid's `f` column trains a divergence of its
 * own. (`fDivergence`, the numeric divergence, keeps `DEFAULT_F_GENERATOR` = `js`.)
 */
export const DEFAULT_IMPLICIT_F_GENERATOR: FGeneratorName = "reverse-kl";

/** The default α of the `alpha` divergence (Wang et al.'s convention; ½ is the Hellinger score). */
export const DEFAULT_ALPHA_DIVERGENCE = 0.5;

/** Options of {@link implicitScore}. */
export interface ImplicitScoreOptions {
  /**
   * Rényi: the order r in (0, 1) (default `DEFAULT_RENYI_ALPHA` = ¾); `alpha` divergence: α in (0, 1) (default
   * ½); `f: "alpha"`: Amari's α in (0, 1) (default ¾ as Rényi's, the same divergence up to a monotone map).
   */
  alpha?: number;
  /** With `"f"`: the generator's name (`kl`, `reverse-kl`, `js`, `hellinger`, `alpha`; default `reverse-kl`). */
  f?: string;
  /** Divide φ by f″(1) so that every score has slope 1 at z = 0 (default true). */
  unitSlope?: boolean;
}

const NO_IMPLICIT = new Set(["wasserstein", "total-variation", "chi-squared"]);

function order(options: ImplicitScoreOptions, what: string, fallback: number): number {
  const a = options.alpha ?? fallback;
  assertInRange(a, what, 0, 1, { lo: true, hi: true });
  return a;
}

/**
 * Divergence names → the generator whose score they use: typed by the core's divergence names, so a new
 * divergence without its implicit score does not compile.
 */
const BY_DIVERGENCE: Readonly<{ [K in ByDivergenceName]: (o: ImplicitScoreOptions) => NamedFGenerator }> = {
  /** KL(π‖π_ref): t log t. */
  kl: () => F_GENERATORS.kl(),
  /** KL(π_ref‖π): −log t. */
  "forward-kl": () => F_GENERATORS["reverse-kl"](),
  js: () => F_GENERATORS.js(),
  hellinger: () => F_GENERATORS.hellinger(),
  /** D_B = −log(1 − H²) is increasing in H²: the Hellinger generator. */
  bhattacharyya: () => F_GENERATORS.hellinger(),
  /** D_r = log(1 + r(r − 1)·D_A)/(r − 1) is increasing in Amari's D_A of order r: that generator. */
  renyi: (o) =>
    F_GENERATORS.alpha({ alpha: order(o, "options.alpha (the Rényi order)", DEFAULT_RENYI_ALPHA) }),
  /** Wang et al.'s α is Amari's 1 − α. */
  alpha: (o) => F_GENERATORS.alpha({ alpha: 1 - order(o, "options.alpha", DEFAULT_ALPHA_DIVERGENCE) }),
};

/** f generator names (D_f(p‖q) = Σ q·f(p/q) with p = π) → generators; `alpha` is Amari's. */
const BY_GENERATOR: Readonly<{ [K in ByGeneratorName]: (o: ImplicitScoreOptions) => NamedFGenerator }> = {
  kl: () => F_GENERATORS.kl(),
  "reverse-kl": () => F_GENERATORS["reverse-kl"](),
  js: () => F_GENERATORS.js(),
  hellinger: () => F_GENERATORS.hellinger(),
  alpha: (o) => F_GENERATORS.alpha({ alpha: order(o, "options.alpha", DEFAULT_RENYI_ALPHA) }),
};

/**
 * The generator a divergence's implicit score comes from (see {@link implicitScore}).
 *
 * @param divergence The divergence's name.
 * @param options The Rényi order or α, or the f generator's name.
 * @returns The generator.
 * @throws {RangeError} As {@link implicitScore}.
 * @example
 * ```ts
 * import { implicitGenerator } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(implicitGenerator("bhattacharyya").name, "hellinger");
 * assert.equal(implicitGenerator("f", { f: "js" }), implicitGenerator("js"));
 * ```
 */
export function implicitGenerator(divergence: string, options: ImplicitScoreOptions = {}): NamedFGenerator {
  const viaF = divergence === "f";
  const name = viaF ? options.f ?? DEFAULT_IMPLICIT_F_GENERATOR : divergence;
  if (NO_IMPLICIT.has(name)) {
    throw new RangeError(
      `divergence ${describe(name)} has no f′ admissible for the implicit (f-DPO) regularizer; ` +
        `use the explicit regularizer (regularizer: "explicit"), which adds α·D(π‖π_ref) over next-token distributions`,
    );
  }
  const table: Readonly<Record<string, (o: ImplicitScoreOptions) => NamedFGenerator>> = viaF
    ? BY_GENERATOR
    : BY_DIVERGENCE;
  return lookup(table, name, viaF ? "options.f" : "divergence")(options);
}

/**
 * Maps a divergence to its f-DPO score φ(z) = (f′(eᶻ) − f′(1))/f″(1), from the generator table.
 *
 * - `kl` (KL(π‖π_ref), DPO) → t log t: φ(z) = z; `forward-kl` (KL(π_ref‖π)) → −log t: φ = 1 − e^{−z};
 *   `js` → φ = 2(log 2 − softplus(−z)) (raw slope f″(1) = ¼).
 * - `hellinger` → ½(√t − 1)²: φ = 2(1 − e^{−z/2}) (raw slope ¼).
 * - `bhattacharyya` → the Hellinger generator: D_B = −log(1 − H²) is increasing in H², so the two coincide.
 * - `renyi` of order r ∈ (0, 1) (`options.alpha`, default ¾) → Amari's generator of order r:
 *   D_r = log(1 + r(r − 1)·D_A)/(r − 1) is increasing in D_A; φ = (1 − e^{−(1−r)z})/(1 − r). r = ½ is Hellinger.
 * - `alpha` → Wang et al.'s α-divergence (default α = ½): φ = (1 − e^{−αz})/α.
 * - `f` → the generator named by `options.f` (default `reverse-kl`): `kl`, `reverse-kl`, `js`, `hellinger`,
 *   `alpha` (Amari's α = `options.alpha`). `f` with `js` is exactly `js`, and so on.
 * Wasserstein, total variation and χ² have no f′ admissible in f-DPO's theorem (0 lies in the domain of
 * f′, or there is no f at all): they throw, pointing to the explicit regularizer.
 *
 * @param divergence The divergence's name.
 * @param options The Rényi order or α, the f generator's name, and `unitSlope` (default true).
 * @returns The score.
 * @throws {RangeError} For Wasserstein, TV or χ², an unknown name, or an order outside (0, 1).
 * @example
 * ```ts
 * import { implicitScore } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(implicitScore("kl").value(0.7), 0.7);
 * assert.equal(implicitScore("f", { f: "js" }).value(0.7), implicitScore("js").value(0.7));
 * assert.ok(Math.abs(implicitScore("js", { unitSlope: false }).value(0.7) - 0.14498) < 1e-5);
 * assert.throws(() => implicitScore("wasserstein"), /explicit/);
 * ```
 */
export function implicitScore(divergence: string, options: ImplicitScoreOptions = {}): ImplicitScore {
  return generatorScore(implicitGenerator(divergence, options), options.unitSlope ?? true);
}
