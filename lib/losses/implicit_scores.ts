/**
 * f-DPO's implicit rewards (Wang et al. 2023, Thm 1): with a regularizer D_f(π‖π_ref) in place of the
 * reverse KL, the optimal policy's reward is β·f′(π/π_ref). In log space, with z = log π(y) − log π_ref(y),
 * the score φ(z) = f′(eᶻ) replaces z in the DPO margin: r(y) = β·φ(z(y)).
 *
 * Exponents are clamped to ±{@link EXPONENT_CLAMP} so that log-prob gaps of 1e4 stay finite; beyond the clamp
 * the score is flat (zero gradient), which only happens for policies that have left the reference entirely.
 *
 * @module
 */
import { sigmoid, softplus } from "../math/stable.ts";
import { assertInRange, describe } from "../math/validation.ts";
import { lookup } from "../math/lookup.ts";

/** The bound on exponents inside the implicit scores (e^50 ≈ 5e21, far inside float32's range too). */
export const EXPONENT_CLAMP = 50;

/** A score φ(z) and its derivative φ′(z) > 0. */
export interface ImplicitScore {
  /** φ(z) = f′(eᶻ). */
  value(z: number): number;
  /** dφ/dz. */
  derivative(z: number): number;
}

function clamp(x: number): number {
  return Math.max(-EXPONENT_CLAMP, Math.min(EXPONENT_CLAMP, x));
}
const inside = (x: number): boolean => Math.abs(x) < EXPONENT_CLAMP;

/**
 * The f-DPO score for the α-divergence D_α(π‖π_ref) = (Σ π^{1−α} π_ref^α − 1)/(α(α − 1)), 0 < α < 1:
 * φ(z) = (1 − e^{−αz})/α. α → 0 is the reverse KL (DPO), α → 1 the forward KL, α = ½ the Hellinger case.
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
  return {
    value: (z) => -Math.expm1(clamp(-alpha * z)) / alpha,
    derivative: (z) => (inside(alpha * z) ? Math.exp(-alpha * z) : 0),
  };
}

/** The f-DPO scores by name. */
export const IMPLICIT_SCORES: Readonly<{
  "reverse-kl": ImplicitScore;
  "forward-kl": ImplicitScore;
  js: ImplicitScore;
}> = Object.freeze({
  /** KL(π‖π_ref), the standard DPO regularizer: φ(z) = z. */
  "reverse-kl": { value: (z: number) => z, derivative: () => 1 },
  /** KL(π_ref‖π): f(u) = −log u, φ(z) = −e^{−z}. */
  "forward-kl": {
    value: (z: number) => -Math.exp(clamp(-z)),
    derivative: (z: number) => (inside(z) ? Math.exp(-z) : 0),
  },
  /** Jensen–Shannon: f′(u) = log(2u/(1 + u)), φ(z) = log 2 − softplus(−z). */
  js: { value: (z: number) => Math.LN2 - softplus(-z), derivative: (z: number) => sigmoid(-z) },
});

/** Divergences that can regularize implicitly (f-DPO), and the names the f-divergence option accepts. */
export type ImplicitDivergenceName =
  | "kl"
  | "forward-kl"
  | "js"
  | "hellinger"
  | "bhattacharyya"
  | "renyi"
  | "alpha"
  | "f";

/** Options of {@link implicitScore}. */
export interface ImplicitScoreOptions {
  /** Rényi: the order r in (0, 1) (default 0.5); α-divergence: α in (0, 1) (default 0.5). */
  alpha?: number;
  /** With `"f"`: the generator's name (`kl`, `reverse-kl`, `js`, `hellinger`, `alpha`). */
  f?: string;
}

const NO_IMPLICIT = new Set(["wasserstein", "total-variation", "chi-squared"]);

function order(options: ImplicitScoreOptions, what: string): number {
  const a = options.alpha ?? 0.5;
  assertInRange(a, what, 0, 1, { lo: true, hi: true });
  return a;
}

/** Divergence names → scores. */
const BY_DIVERGENCE: Readonly<Record<string, (o: ImplicitScoreOptions) => ImplicitScore>> = {
  kl: () => IMPLICIT_SCORES["reverse-kl"],
  "forward-kl": () => IMPLICIT_SCORES["forward-kl"],
  js: () => IMPLICIT_SCORES.js,
  hellinger: () => alphaDivergenceScore(0.5),
  bhattacharyya: () => alphaDivergenceScore(0.5),
  renyi: (o) => alphaDivergenceScore(1 - order(o, "options.alpha (the Rényi order)")),
  alpha: (o) => alphaDivergenceScore(order(o, "options.alpha")),
};

/**
 * f generator names (as in `F_GENERATORS`, where D_f(p‖q) = Σ q·f(p/q) with p = π) → scores. The generator
 * `alpha` is Amari's (t^α − αt − (1 − α))/(α(α − 1)), the same divergence as f-DPO's with α′ = 1 − α.
 */
const BY_GENERATOR: Readonly<Record<string, (o: ImplicitScoreOptions) => ImplicitScore>> = {
  kl: () => IMPLICIT_SCORES["reverse-kl"],
  "reverse-kl": () => IMPLICIT_SCORES["forward-kl"],
  js: () => IMPLICIT_SCORES.js,
  hellinger: () => alphaDivergenceScore(0.5),
  alpha: (o) => alphaDivergenceScore(1 - order(o, "options.alpha")),
};

/**
 * Maps a divergence to its f-DPO score.
 *
 * - `kl` (KL(π‖π_ref), the standard DPO regularizer) → φ(z) = z; `forward-kl` (KL(π_ref‖π)) → −e^{−z};
 *   `js` → log 2 − softplus(−z).
 * - `hellinger` → the α = ½ score: H² = ½Σ(√π − √π_ref)² is the α = ½ divergence up to the factor ¼.
 * - `bhattacharyya` → the α = ½ score: D_B = −log(1 − H²) is increasing in H².
 * - `renyi` of order r ∈ (0, 1) (`options.alpha`, default ½) → the α = 1 − r score:
 *   D_r = log(1 + r(r − 1)·D_{α=1−r})/(r − 1) is increasing in D_α, so both order policies alike.
 * - `alpha` → the α-divergence score with α = `options.alpha` (default ½).
 * - `f` → the score of the generator named by `options.f` (default `js`, as `fDivergence`): `kl` (t log t, i.e. KL(π‖π_ref)),
 *   `reverse-kl` (−log t, i.e. KL(π_ref‖π)), `js`, `hellinger`, `alpha`.
 * Wasserstein, total variation and χ² have no f′ admissible in f-DPO's theorem (0 lies in the domain of
 * f′, or there is no f at all): they throw, pointing to the explicit regularizer.
 *
 * @param divergence The divergence's name.
 * @param options The Rényi order or α, or the f generator's name.
 * @returns The score.
 * @throws {RangeError} For Wasserstein, TV or χ², an unknown name, or an order outside (0, 1).
 * @example
 * ```ts
 * import { implicitScore } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(implicitScore("kl").value(0.7), 0.7);
 * assert.throws(() => implicitScore("wasserstein"), /explicit/);
 * ```
 */
export function implicitScore(divergence: string, options: ImplicitScoreOptions = {}): ImplicitScore {
  const viaF = divergence === "f";
  const name = viaF ? options.f ?? "js" : divergence;
  if (NO_IMPLICIT.has(name)) {
    throw new RangeError(
      `divergence ${describe(name)} has no f′ admissible for the implicit (f-DPO) regularizer; ` +
        `use the explicit regularizer (regularizer: "explicit"), which adds α·D(π‖π_ref) over next-token distributions`,
    );
  }
  const table = viaF ? BY_GENERATOR : BY_DIVERGENCE;
  return lookup(table, name, viaF ? "options.f" : "divergence")(options);
}
