/**
 * The sensitivity map of the kernels (issue 12, item 3): where a kernel loss CAN differ from DPO. The loss
 * −log σ(s(Δ)) with Δ = β·z (z the reference-relative margin (ℓ_w − ℓ^ref_w) − (ℓ_l − ℓ^ref_l)) moves the
 * policy through its gradient weight w(Δ) = −∂loss/∂Δ = σ(−s(Δ))·s′(Δ); DPO's is σ(−Δ). Both losses
 * differentiate through Δ = βz the same way, so the ratio
 *
 *   ρ(Δ) = w_κ(Δ) / w_DPO(Δ) = σ(−s(Δ))·s′(Δ) / σ(−Δ)
 *
 * is what a kernel changes in every pair's update: ρ = 1 is DPO's update, ρ < 1 a damped one (a saturating
 * RBF score), ρ > 1 an amplified one (a polynomial score of degree > 1). A kernel leaves training as DPO's
 * wherever ρ ≈ 1 on the margins the runs reach, whatever its name.
 *
 * - {@link gradientWeightRatio}: ρ(Δ) for one margin and shape, in log space (finite for any finite Δ).
 * - {@link kernelDeparture}: over a set of margins z and a β, the mean (plain, and weighted by DPO's own
 *   weight) and the largest |ρ(βz) − 1|, the share
 *   of pairs with |ρ − 1| > tol and the share in the kernel's non-linear regime ({@link nonlinearShare}).
 * - {@link SENSITIVITY_PARAMETERS} and {@link sensitivityMap}: the departure over a grid of one kernel
 *   parameter (RBF σ, Mahalanobis σ², polynomial degree d or offset c) × β.
 *
 * The module is pure.
 *
 * @module
 */
import { KERNEL_MARGINS, kernelizedMargin, type MarginShapeOptions } from "../losses/kernel_margin.ts";
import type { MarginShape } from "../kernels/margin_shape.ts";
import { assertFinite, assertPositive } from "../math/validation.ts";
import { DEFAULT_NONLINEAR_TOLERANCE, nonlinearShare } from "./kernel_regime.ts";

/** softplus(x) = log(1 + eˣ) = −log σ(−x), without overflow. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * The ratio of a kernel loss's gradient weight to DPO's at the same margin, ρ(Δ) = σ(−s(Δ))·s′(Δ)/σ(−Δ)
 * (1 for every Δ under DPO's linear margin), computed as s′·exp(softplus(Δ) − softplus(s)) in log space. A score that
 * overflows (a polynomial margin beyond double range) has weight 0, so ρ = 0.
 * Far in a saturating kernel's tail (RBF with Δ²/2σ² ≫ 1) s′ itself carries an absolute rounding error of
 * about 1e-16 (`kernelizedMargin`), and so does ρ·e^{s−Δ}.
 *
 * @param delta The margin Δ = β·z.
 * @param shape The kernel's margin shape (`KERNEL_MARGINS[kernel](options)`).
 * @returns ρ(Δ) (≥ 0 for the monotone shapes).
 * @throws {RangeError} If Δ is not finite.
 * @example
 * ```ts
 * import { gradientWeightRatio, LINEAR_MARGIN, polynomialMargin } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(gradientWeightRatio(3, LINEAR_MARGIN), 1);
 * // degree 2, c = 1, Δ = 1: s = √1.5, s′ = 2/√1.5
 * const sig = (x: number) => 1 / (1 + Math.exp(-x));
 * const expected = (sig(-Math.sqrt(1.5)) * 2 / Math.sqrt(1.5)) / sig(-1);
 * assert.ok(Math.abs(gradientWeightRatio(1, polynomialMargin({ degree: 2, offset: 1 })) - expected) < 1e-12);
 * ```
 */
export function gradientWeightRatio(delta: number, shape: MarginShape): number {
  const { score, slope } = kernelizedMargin(delta, shape);
  if (!Number.isFinite(score) || slope === 0) return 0;
  // In log space: σ(−Δ) underflows and s′ may be tiny where σ(−s)/σ(−Δ) overflows.
  return Math.sign(slope) * Math.exp(Math.log(Math.abs(slope)) + softplus(delta) - softplus(score));
}

/** How far a kernel's gradient weights depart from DPO's over a set of margins ({@link kernelDeparture}). */
export interface KernelDeparture {
  /** Mean |ρ(βz) − 1| over the margins: 0 means the kernel's updates are DPO's. */
  meanDeparture: number;
  /**
   * Σ|w_κ − w_DPO| / Σ w_DPO = the mean of |ρ − 1| weighted by DPO's own weight σ(−βz): how much of DPO's
   * update the kernel changes. Unlike {@link KernelDeparture.meanDeparture} it does not count the large ratios
   * of pairs DPO has already ranked far correctly, where both weights are negligible.
   */
  weightedDeparture: number;
  /** The largest |ρ(βz) − 1|. */
  maxDeparture: number;
  /** Mean ρ(βz): below 1 the kernel damps DPO's updates on average, above 1 it amplifies them. */
  meanRatio: number;
  /** Share of margins with |ρ(βz) − 1| > tol. */
  departedShare: number;
  /** Share of margins βz in the kernel's non-linear regime, |s′(βz)/s′(0) − 1| > tol ({@link nonlinearShare}). */
  nonlinearShare: number;
}

/**
 * How far a kernel loss's gradient weights depart from DPO's on given DPO margins z at a given β: the
 * analytic answer to "can this kernel, at this scale and β, train differently from DPO on these pairs?".
 *
 * @param margins The reference-relative margins z (e.g. those a trained DPO policy reaches), finite.
 * @param shape The kernel's margin shape at the scale to test.
 * @param beta β > 0; the kernel sees Δ = β·z.
 * @param tol The relative tolerance of the shares, > 0 (default {@link DEFAULT_NONLINEAR_TOLERANCE}).
 * @returns The departure; every field 0 for an empty set of margins.
 * @throws {RangeError} On a non-finite margin, β ≤ 0 or tol ≤ 0.
 * @example
 * ```ts
 * import { kernelDeparture, LINEAR_MARGIN, rbfMargin } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const z = [-2, -0.5, 0.1, 1, 3, 6];
 * assert.equal(kernelDeparture(z, LINEAR_MARGIN, 0.5).meanDeparture, 0);
 * const narrow = kernelDeparture(z, rbfMargin({ sigma: 0.25 }), 0.5);
 * const wide = kernelDeparture(z, rbfMargin({ sigma: 4 }), 0.5);
 * assert.ok(narrow.weightedDeparture > wide.weightedDeparture && narrow.nonlinearShare > wide.nonlinearShare);
 * ```
 */
export function kernelDeparture(
  margins: ArrayLike<number>,
  shape: MarginShape,
  beta: number,
  tol: number = DEFAULT_NONLINEAR_TOLERANCE,
): KernelDeparture {
  assertPositive(beta, "beta");
  assertPositive(tol, "tol");
  const n = margins.length;
  if (n === 0) {
    return {
      meanDeparture: 0,
      weightedDeparture: 0,
      maxDeparture: 0,
      meanRatio: 0,
      departedShare: 0,
      nonlinearShare: 0,
    };
  }
  const deltas = Array.from(margins, (z, i) => (assertFinite(z, `margins[${i}]`), beta * z));
  let sum = 0, max = 0, ratios = 0, departed = 0, weighted = 0, dpoWeight = 0;
  for (const delta of deltas) {
    const ratio = gradientWeightRatio(delta, shape);
    const d = Math.abs(ratio - 1);
    const w = Math.exp(-softplus(delta)); // DPO's weight σ(−Δ)
    weighted += w * d;
    dpoWeight += w;
    sum += d;
    ratios += ratio;
    max = Math.max(max, d);
    if (d > tol) departed++;
  }
  return {
    meanDeparture: sum / n,
    weightedDeparture: dpoWeight > 0 ? weighted / dpoWeight : 0,
    maxDeparture: max,
    meanRatio: ratios / n,
    departedShare: departed / n,
    nonlinearShare: nonlinearShare(deltas, shape, tol),
  };
}

/** One sweepable kernel parameter: the loss it belongs to and the kernel options a value sets. */
export interface SensitivityParameter {
  /** The kernel loss's name (`rbf`, `poly`, `mahalanobis`), as the trainer's `loss`. */
  loss: "rbf" | "poly" | "mahalanobis";
  /** The kernel options with the parameter set to `value` (the other options at their defaults). */
  options: (value: number) => MarginShapeOptions;
  /** The margin shape at `value`. */
  shape: (value: number) => MarginShape;
}

const parameter = (
  loss: SensitivityParameter["loss"],
  kernel: "rbf" | "polynomial" | "mahalanobis",
  options: (value: number) => MarginShapeOptions,
): SensitivityParameter => ({ loss, options, shape: (v) => KERNEL_MARGINS[kernel](options(v)) });

/** The name of a parameter of {@link SENSITIVITY_PARAMETERS}. */
export type SensitivityParameterName =
  | "rbf.sigma"
  | "mahalanobis.variance"
  | "polynomial.degree"
  | "polynomial.offset";

/**
 * The kernel parameters {@link sensitivityMap} sweeps, by name: the RBF bandwidth σ, the Mahalanobis margin
 * variance σ², the polynomial degree d (offset 1) and offset c (degree 2).
 */
export const SENSITIVITY_PARAMETERS: Readonly<Record<SensitivityParameterName, SensitivityParameter>> = Object
  .freeze({
    "rbf.sigma": parameter("rbf", "rbf", (v) => ({ rbf: { sigma: v } })),
    "mahalanobis.variance": parameter(
      "mahalanobis",
      "mahalanobis",
      (v) => ({ mahalanobis: { variance: v } }),
    ),
    "polynomial.degree": parameter("poly", "polynomial", (v) => ({ polynomial: { degree: v, offset: 1 } })),
    "polynomial.offset": parameter("poly", "polynomial", (v) => ({ polynomial: { degree: 2, offset: v } })),
  });

/** One point of {@link sensitivityMap}. */
export interface SensitivityRow extends KernelDeparture {
  /** The parameter's name. */
  parameter: string;
  /** The parameter's value. */
  value: number;
  /** β. */
  beta: number;
}

/**
 * The departure of a kernel from DPO over a grid of one parameter × β ({@link kernelDeparture} at each point).
 * The margins may depend on β (the margins DPO reaches when trained at that β): pass a function.
 *
 * @param margins The margins z, or a function of β returning them.
 * @param name A key of {@link SENSITIVITY_PARAMETERS}.
 * @param values The parameter's values (each valid for the kernel, e.g. σ > 0, d ≥ 1).
 * @param betas The β values (each > 0).
 * @param tol The relative tolerance of the shares (default {@link DEFAULT_NONLINEAR_TOLERANCE}).
 * @returns One row per value × β, values outermost.
 * @throws {RangeError} Naming the parameter if it is unknown, or from {@link kernelDeparture} and the kernel.
 * @example
 * ```ts
 * import { sensitivityMap } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const rows = sensitivityMap([0.2, 1, 3], "polynomial.degree", [1, 3], [0.1, 2]);
 * assert.deepEqual(rows.map((r) => [r.value, r.beta]), [[1, 0.1], [1, 2], [3, 0.1], [3, 2]]);
 * assert.ok(rows[1]!.meanDeparture < 1e-12); // degree 1 is DPO
 * assert.ok(rows[3]!.meanDeparture > rows[2]!.meanDeparture); // larger β, larger margins, more departure
 * ```
 */
export function sensitivityMap(
  margins: ArrayLike<number> | ((beta: number) => ArrayLike<number>),
  name: SensitivityParameterName,
  values: readonly number[],
  betas: readonly number[],
  tol: number = DEFAULT_NONLINEAR_TOLERANCE,
): SensitivityRow[] {
  const table: Readonly<Record<string, SensitivityParameter>> = SENSITIVITY_PARAMETERS;
  const p = Object.hasOwn(table, name) ? table[name] : undefined;
  if (p === undefined) {
    throw new RangeError(
      `name must be one of ${Object.keys(SENSITIVITY_PARAMETERS).join(", ")}, got ${JSON.stringify(name)}`,
    );
  }
  const zOf = typeof margins === "function" ? margins : () => margins;
  return values.flatMap((value) => {
    const shape = p.shape(value);
    return betas.map((beta) => ({
      parameter: name,
      value,
      beta,
      ...kernelDeparture(zOf(beta), shape, beta, tol),
    }));
  });
}
