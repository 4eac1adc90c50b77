/**
 * Kernels where they act (issue 12, item 3). Every kernel margin s = Δ·√G(Δ²) equals DPO to first order
 * (s′(0) = 1), so a kernel only changes training for pairs whose margin Δ lies where the score's slope s′(Δ)
 * has left its value at indifference: its **non-linear regime**. This module measures that regime and sets each
 * kernel's scale from data so that a stated share of pairs reaches it.
 *
 * - {@link nonlinearShare}: the share of margins with |s′(Δ)/s′(0) − 1| > tol, for any margin shape (`g`, `dg`).
 * - {@link linearRadius}: the smallest |Δ| at which a shape leaves the linear regime.
 * - {@link dataKernelScales}: the RBF / Mahalanobis / spectral length scale and the polynomial offset c from the
 *   (1 − share) quantile q of |margins|: scale = q / (the unit-scale kernel's linear radius), so that the pairs
 *   with |Δ| ≥ q — a `share` of them — are non-linear. Every shape depends on Δ only through Δ/scale (RBF:
 *   Δ/σ, Mahalanobis: Δ/√σ², polynomial: Δ/√c, spectral: Δ/θ with ℓ_q → θℓ_q and μ_q → μ_q/θ), which makes
 *   the rule exact for shapes whose slope ratio is monotone in |Δ| (RBF, Mahalanobis, polynomial).
 *
 * The trainer's `kernelScale: "data"` feeds the reference's own margins, β·(log π_ref(y_w) − log π_ref(y_l)) over
 * the training pairs ({@link referenceMargins}), the one distribution known before the first step; the margins a
 * trained DPO policy reaches put the kernels in their regime far more reliably (docs/math.md, "Kernels where they
 * act", measures both). The module is pure.
 *
 * @module
 */
import { KERNEL_MARGINS, kernelizedMargin, type MarginShapeOptions } from "../losses/kernel_margin.ts";
import type { MarginShape } from "../kernels/margin_shape.ts";
import { LOSSES, type LossName } from "../losses/preference_loss.ts";
import { polynomialDefaults } from "../kernels/polynomial.ts";
import { spectralDefaults, type SpectralKernelOptions } from "../kernels/spectral.ts";
import { MIXTURE_KERNELS, type MixtureKernelName } from "../kernels/mixture.ts";
import { assertFinite, assertPositive, describe } from "../math/validation.ts";
import { linearQuantile } from "./bootstrap.ts";

/** The default relative tolerance on the slope ratio: a pair is non-linear past a 10 % change of slope. */
export const DEFAULT_NONLINEAR_TOLERANCE = 0.1;
/** The default share of pairs that {@link dataKernelScales} puts in each kernel's non-linear regime. */
export const DEFAULT_NONLINEAR_SHARE = 0.5;

/**
 * The slope ratio s′(Δ)/s′(0) of a margin shape (1 for DPO's linear margin at every Δ).
 *
 * @param shape A margin shape.
 * @param delta The margin Δ.
 * @returns s′(Δ)/s′(0), with s′(0) = √G(0).
 * @throws {RangeError} If Δ is not finite.
 * @example
 * ```ts
 * import { rbfMargin } from "@dpo-kernels/dpo-kernels";
 * import { slopeRatio } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * // RBF, σ = 1: s′(Δ) = Δe^{−Δ²/2}/√(2(1 − e^{−Δ²/2}))
 * const e = Math.exp(-0.5);
 * assert.ok(Math.abs(slopeRatio(rbfMargin(), 1) - e / Math.sqrt(2 * (1 - e))) < 1e-12);
 * ```
 */
export function slopeRatio(shape: MarginShape, delta: number): number {
  return kernelizedMargin(delta, shape).slope / Math.sqrt(shape.g(0));
}

function assertTolerance(tol: number): void {
  assertPositive(tol, "tol");
}

/**
 * The share of margins in a shape's non-linear regime: |s′(Δ)/s′(0) − 1| > tol.
 *
 * @param margins The margins Δ (finite).
 * @param shape Any margin shape with `g` and `dg` (`KERNEL_MARGINS`, a mixture's shape, `LINEAR_MARGIN`).
 * @param tol The relative tolerance, > 0 (default {@link DEFAULT_NONLINEAR_TOLERANCE}).
 * @returns A share in [0, 1] (0 for an empty batch).
 * @throws {RangeError} On a non-finite margin or a tolerance ≤ 0.
 * @example
 * ```ts
 * import { LINEAR_MARGIN, nonlinearShare, rbfMargin } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(nonlinearShare([0.01, 0.1, 3, -5], rbfMargin({ sigma: 1 })), 0.5);
 * assert.equal(nonlinearShare([0.01, 3, -5], LINEAR_MARGIN), 0);
 * ```
 */
export function nonlinearShare(
  margins: ArrayLike<number>,
  shape: MarginShape,
  tol: number = DEFAULT_NONLINEAR_TOLERANCE,
): number {
  assertTolerance(tol);
  if (margins.length === 0) return 0;
  let count = 0;
  for (let i = 0; i < margins.length; i++) {
    assertFinite(margins[i] as number, `margins[${i}]`);
    if (Math.abs(slopeRatio(shape, margins[i] as number) - 1) > tol) count++;
  }
  return count / margins.length;
}

/**
 * The smallest |Δ| at which a shape's slope ratio leaves [1 − tol, 1 + tol] (a scan over a log grid of
 * |Δ| ∈ [1e-6, 1e6], refined by bisection to 1e-12 relative), or Infinity if it never does (the linear margin).
 *
 * @param shape A margin shape (symmetric in Δ, as every margin shape is).
 * @param tol The relative tolerance, > 0 (default {@link DEFAULT_NONLINEAR_TOLERANCE}).
 * @returns The radius, > 0, or Infinity.
 * @throws {RangeError} On a tolerance ≤ 0.
 * @example
 * ```ts
 * import { LINEAR_MARGIN, linearRadius, polynomialMargin } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(linearRadius(LINEAR_MARGIN), Infinity);
 * // degree 2, c = 1: s′ = (1 + Δ²)/√(1 + Δ²/2) reaches 1.1 at Δ² = 2a, 4a² + (4 − 1.21)a − 0.21 = 0
 * const a = (-(4 - 1.21) + Math.sqrt((4 - 1.21) ** 2 + 16 * 0.21)) / 8;
 * assert.ok(Math.abs(linearRadius(polynomialMargin({ degree: 2, offset: 1 })) - Math.sqrt(2 * a)) < 1e-9);
 * ```
 */
export function linearRadius(shape: MarginShape, tol: number = DEFAULT_NONLINEAR_TOLERANCE): number {
  assertTolerance(tol);
  const outside = (d: number) => Math.abs(slopeRatio(shape, d) - 1) > tol;
  let lo = 0;
  for (let e = -6; e <= 6; e += 1 / 64) {
    const d = Math.pow(10, e);
    if (!outside(d)) {
      lo = d;
      continue;
    }
    let hi = d;
    while (hi - lo > 1e-12 * hi) {
      const mid = (lo + hi) / 2;
      if (outside(mid)) hi = mid;
      else lo = mid;
    }
    return hi;
  }
  return Infinity;
}

/**
 * The reference's margins on the training pairs, β·(log π_ref(y_w) − log π_ref(y_l)).
 *
 * @param reference The reference's summed log-probs of the chosen and the rejected responses.
 * @param beta β > 0.
 * @returns One margin per pair.
 * @throws {RangeError} On lengths that differ, a non-finite log-prob or β ≤ 0.
 * @example
 * ```ts
 * import { referenceMargins } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.deepEqual(referenceMargins({ chosen: [-10, -4], rejected: [-12, -2] }, 0.5), [1, -1]);
 * ```
 */
export function referenceMargins(
  reference: { readonly chosen: ArrayLike<number>; readonly rejected: ArrayLike<number> },
  beta: number,
): number[] {
  assertPositive(beta, "beta");
  const { chosen, rejected } = reference;
  if (chosen.length !== rejected.length) {
    throw new RangeError(
      `reference.chosen and reference.rejected must have equal lengths, got ${chosen.length} and ${rejected.length}`,
    );
  }
  return Array.from(chosen, (c, i) => {
    const m = beta * (c - (rejected[i] as number));
    assertFinite(m, `reference margin ${i}`);
    return m;
  });
}

/** What {@link dataKernelScales} returns: every base kernel's options, each scale set (a `MarginShapeOptions`). */
export interface DataKernelOptions {
  /** The RBF bandwidth σ. */
  rbf: { sigma: number };
  /** The Mahalanobis variance σ² (the RBF's σ, squared). */
  mahalanobis: { variance: number };
  /** The polynomial's degree (kept) and offset c. */
  polynomial: { degree: number; offset: number };
  /** The spectral components (length scales and frequencies scaled) and damping (kept). */
  spectral: Required<SpectralKernelOptions>;
}

/** Options of {@link dataKernelScales}. */
export interface DataKernelScaleOptions {
  /** The share of pairs to put in each kernel's non-linear regime, in (0, 1) (default 0.5). */
  share?: number;
  /** The slope tolerance that defines the regime (default {@link DEFAULT_NONLINEAR_TOLERANCE}). */
  tol?: number;
}

/**
 * Each kernel's scale from data: the RBF σ, the Mahalanobis variance σ², the spectral length scales (with the
 * frequencies scaled inversely, which keeps the monotonicity condition ρω²ℓ² ≤ π(1 − ρ) unchanged) and the
 * polynomial offset c, chosen so that margins with |Δ| ≥ q = quantile(|margins|, 1 − share) are in the
 * kernel's non-linear regime. The other parameters (degree, damping, weights) are kept from `options`. On a
 * scalar margin the Mahalanobis margin with σ² = variance is the RBF margin, so under these scales the two are one
 * loss, and the default spectral shape is within 1.1 % of the RBF's slope (docs/math.md, "Three kernels, two
 * shapes").
 *
 * @param margins The reference's margins ({@link referenceMargins}).
 * @param options The kernels' other options (defaults where absent).
 * @param scaleOptions The share and the tolerance.
 * @returns Options for every base kernel, ready for `KERNEL_MARGINS` / the trainer's `kernels`.
 * @throws {RangeError} On empty or non-finite margins, a share outside (0, 1), or a quantile of 0 (the
 * margins carry no scale).
 * @example
 * ```ts
 * import { dataKernelScales, nonlinearShare, rbfMargin } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const margins = [-3, -1, -0.5, 0.2, 0.4, 0.8, 1.5, 2, 4, 6];
 * const o = dataKernelScales(margins, {}, { share: 0.3 });
 * assert.equal(nonlinearShare(margins, rbfMargin(o.rbf)), 0.3);
 * ```
 */
export function dataKernelScales(
  margins: ArrayLike<number>,
  options: MarginShapeOptions = {},
  scaleOptions: DataKernelScaleOptions = {},
): DataKernelOptions {
  const share = scaleOptions.share ?? DEFAULT_NONLINEAR_SHARE;
  const tol = scaleOptions.tol ?? DEFAULT_NONLINEAR_TOLERANCE;
  if (!(share > 0 && share < 1)) {
    throw new RangeError(`scaleOptions.share must lie in (0, 1), got ${describe(share)}`);
  }
  assertTolerance(tol);
  if (margins.length === 0) throw new RangeError(`margins must be non-empty, got length 0`);
  const abs = Array.from(margins, (m, i) => (assertFinite(m, `margins[${i}]`), Math.abs(m)));
  const q = linearQuantile(abs.sort((a, b) => a - b), 1 - share);
  if (!(q > 0)) {
    throw new RangeError(
      `margins: the ${1 - share} quantile of |margins| is ${q}, so they set no scale (are they all 0?)`,
    );
  }
  const unit = (shape: MarginShape) => q / linearRadius(shape, tol);
  const sigma = unit(KERNEL_MARGINS.rbf({}));
  const { degree } = polynomialDefaults(options.polynomial);
  const sqrtC = unit(KERNEL_MARGINS.polynomial({ polynomial: { degree, offset: 1 } }));
  const spectral = spectralDefaults(options.spectral);
  const theta = unit(KERNEL_MARGINS.spectral({ spectral }));
  return {
    rbf: { sigma },
    mahalanobis: { variance: sigma * sigma },
    polynomial: { degree, offset: sqrtC * sqrtC },
    spectral: {
      damping: spectral.damping,
      components: spectral.components.map((c) => ({
        ...c,
        lengthscale: c.lengthscale * theta,
        frequency: typeof c.frequency === "number" ? c.frequency / theta : c.frequency,
      })),
    },
  };
}

/**
 * One line naming the scales {@link dataKernelScales} chose, for the run's log.
 *
 * @param options The options it returned.
 * @returns `kernel scales from data: rbf σ = …, mahalanobis σ² = …, polynomial c = … (d = …), spectral θ = …`.
 * @example
 * ```ts
 * import { dataKernelScales, describeKernelScales } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.match(describeKernelScales(dataKernelScales([1, 2, 3])), /^kernel scales from data: rbf σ = 3\.78/);
 * ```
 */
export function describeKernelScales(options: DataKernelOptions): string {
  const theta = options.spectral.components[0]?.lengthscale ?? NaN;
  const p = (x: number) => x.toPrecision(3);
  return `kernel scales from data: rbf σ = ${p(options.rbf.sigma)}, mahalanobis σ² = ` +
    `${p(options.mahalanobis.variance)}, polynomial c = ${p(options.polynomial.offset)} ` +
    `(d = ${options.polynomial.degree}), spectral length scale ${p(theta)} (first component)`;
}

/**
 * The trainer's per-step metric: the share of the batch's margins in the loss's kernel regime, named
 * `kernel/nonlinear_share` (a single-kernel loss), `kernel/nonlinear_share/<kernel>` for each base kernel (the
 * mixtures, whose weights move), and nothing for the linear losses (DPO, IPO, …).
 *
 * @param loss The loss's name.
 * @param kernels The kernels' options the run uses.
 * @param margins The batch's margins Δ.
 * @param tol The slope tolerance (default {@link DEFAULT_NONLINEAR_TOLERANCE}).
 * @returns The metrics to merge into the step's.
 * @example
 * ```ts
 * import { kernelRegimeMetrics } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.deepEqual(kernelRegimeMetrics("rbf", {}, [0.01, 5]), { "kernel/nonlinear_share": 0.5 });
 * assert.deepEqual(kernelRegimeMetrics("dpo", {}, [0.01, 5]), {});
 * ```
 */
export function kernelRegimeMetrics(
  loss: LossName,
  kernels: MarginShapeOptions,
  margins: ArrayLike<number>,
  tol: number = DEFAULT_NONLINEAR_TOLERANCE,
): Record<string, number> {
  const kind = LOSSES[loss]?.margin;
  if (kind === undefined || kind === "linear") return {};
  if (kind === "mixture" || kind === "hmk") {
    return Object.fromEntries(
      MIXTURE_KERNELS.map((k: MixtureKernelName) => [
        `kernel/nonlinear_share/${k}`,
        nonlinearShare(margins, KERNEL_MARGINS[k](kernels), tol),
      ]),
    );
  }
  return { "kernel/nonlinear_share": nonlinearShare(margins, KERNEL_MARGINS[kind](kernels), tol) };
}
