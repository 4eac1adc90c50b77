/**
 * Kernelized margins: how a kernel turns the (hybrid) reward margin Δ = h_w − h_l into the score s that the
 * logistic loss sees. This is where DPO-Kernels departs from a literal reading of Table 1 (see docs/math.md).
 *
 * Read literally, κ(Δ) = exp(−Δ²/2σ²) is largest at Δ = 0, so maximizing it would reward indifference
 * between the chosen and the rejected response. We instead use the signed distance between the chosen and
 * the rejected reward in the kernel's feature space φ:
 *
 *   s_κ(Δ) = sign(Δ) · ‖φ(Δ) − φ(0)‖ / √c = sign(Δ) · √(κ(Δ,Δ) + κ(0,0) − 2κ(Δ,0)) / √c,
 *
 * where c = −∂²κ(τ)/∂τ² at 0 normalizes every kernel to unit slope at indifference. For the stationary kernels
 * (RBF, spectral, Mahalanobis) ‖φ(Δ) − φ(0)‖ = ‖φ(h_w) − φ(h_l)‖, the feature distance between the two
 * rewards. Every shape is written s = Δ·√G(Δ²) with G smooth, G(0) = 1 and G > 0, so s has no kink at 0,
 * s ≈ Δ near indifference (each kernel loss equals DPO to first order there), and the loss −log σ(s) is DPO
 * exactly when G ≡ 1 (the linear kernel). A mixture kernel Σ wᵢκᵢ of unit-curvature kernels adds squared
 * distances, so its G is Σ wᵢGᵢ.
 *
 * @module
 */
import { assertFinite, assertPositive } from "../math/validation.ts";
import type { MarginShape } from "../kernels/margin_shape.ts";
import { type KernelWeights, MIXTURE_KERNELS, type MixtureKernelName } from "../kernels/mixture.ts";
import {
  KERNEL_NAMES,
  kernelMarginShape,
  type KernelName,
  type MarginOptionsByName,
} from "../kernels/table.ts";

/**
 * Options of every margin shape, by kernel name (the Mahalanobis margin takes the variance σ² of the margin,
 * estimated from data with `marginVariance`; default 1).
 */
export type MarginShapeOptions = { [K in KernelName]?: MarginOptionsByName[K] };

/** The linear kernel: G ≡ 1, s = Δ, the loss is DPO. */
export const LINEAR_MARGIN: MarginShape = Object.freeze({ g: () => 1, dg: () => 0 });

/** The kernels' margin shapes, by name (options of every kernel in one object), derived from `KERNELS`. */
export const KERNEL_MARGINS: Readonly<{ [K in KernelName]: (options: MarginShapeOptions) => MarginShape }> =
  Object.freeze(
    Object.fromEntries(
      KERNEL_NAMES.map((k) => [k, (o: MarginShapeOptions) => kernelMarginShape(k, o)]),
    ) as { [K in KernelName]: (options: MarginShapeOptions) => MarginShape },
  );

/**
 * The shape of a mixture of unit-curvature kernels: G = Σᵢ wᵢGᵢ for weights summing to 1.
 *
 * @param weights A weight per base kernel (a softmax output: non-negative, summing to 1).
 * @param options The base kernels' options.
 * @returns The mixture's shape, and each base kernel's shape (for gradients with respect to the weights).
 * @example
 * ```ts
 * import { mixtureMargin } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const m = mixtureMargin({ polynomial: 0.25, rbf: 0.25, spectral: 0.25, mahalanobis: 0.25 });
 * assert.equal(m.shape.g(0), 1);
 * ```
 */
export function mixtureMargin(
  weights: KernelWeights,
  options: MarginShapeOptions = {},
): { shape: MarginShape; parts: Record<MixtureKernelName, MarginShape> } {
  for (const k of MIXTURE_KERNELS) assertFinite(weights[k], `weights.${k}`);
  const parts = Object.fromEntries(
    MIXTURE_KERNELS.map((k) => [k, kernelMarginShape(k, options)]),
  ) as Record<MixtureKernelName, MarginShape>;
  const shape: MarginShape = {
    g: (u) => MIXTURE_KERNELS.reduce((s, k) => s + weights[k] * parts[k].g(u), 0),
    dg: (u) => MIXTURE_KERNELS.reduce((s, k) => s + weights[k] * parts[k].dg(u), 0),
  };
  return { shape, parts };
}

/** The kernelized score s(Δ) and its slope ds/dΔ. */
export interface KernelizedMargin {
  /** s = Δ·√G(Δ²). */
  score: number;
  /** ds/dΔ = √G + 2u·G′(u)/(2√G) with u = Δ². */
  slope: number;
}

/**
 * Applies a margin shape: s = Δ·√G(Δ²) and ds/dΔ. Infinite s (a polynomial margin beyond double range) is
 * returned as ±Infinity with slope 0, which the logistic loss turns into a zero loss and a zero gradient.
 *
 * @param delta The margin Δ.
 * @param shape A margin shape.
 * @returns The score and its slope.
 * @throws {RangeError} If Δ is not finite.
 * @example
 * ```ts
 * import { kernelizedMargin, LINEAR_MARGIN } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.deepEqual(kernelizedMargin(1.5, LINEAR_MARGIN), { score: 1.5, slope: 1 });
 * ```
 */
export function kernelizedMargin(delta: number, shape: MarginShape): KernelizedMargin {
  assertFinite(delta, "delta");
  const u = delta * delta;
  const g = shape.g(u);
  const root = Math.sqrt(g);
  const score = delta * root;
  if (!Number.isFinite(score)) return { score: delta > 0 ? Infinity : -Infinity, slope: 0 };
  const slope = root + (u * shape.dg(u)) / root;
  return { score, slope: Number.isFinite(slope) ? slope : 0 };
}

/** The default shrinkage s of {@link marginVariance}. */
export const DEFAULT_MARGIN_VARIANCE_SHRINKAGE = 0.1;
/** The default prior variance of {@link marginVariance}. */
export const DEFAULT_MARGIN_VARIANCE_PRIOR = 1;

/**
 * Estimates the variance of reward margins for the Mahalanobis margin, shrunk toward a prior so that a small
 * or constant batch still gives a usable bandwidth: σ² = (1 − s)·Var(Δ) + s·prior (population variance).
 *
 * @param margins Observed margins Δ (for instance β·(z_w − z_l) of the reference-free SFT policy, or of a
 * previous epoch).
 * @param options The shrinkage s in [0, 1] (default 0.1) and the prior variance (default 1).
 * @returns The shrunk variance, > 0.
 * @throws {RangeError} On empty or non-finite margins, or options out of range.
 * @example
 * ```ts
 * import { marginVariance } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(marginVariance([1, 3], { shrinkage: 0 }), 1);
 * assert.equal(marginVariance([2, 2], { shrinkage: 0.5, prior: 4 }), 2);
 * ```
 */
export function marginVariance(
  margins: readonly number[],
  options: { shrinkage?: number; prior?: number } = {},
): number {
  const shrinkage = options.shrinkage ?? DEFAULT_MARGIN_VARIANCE_SHRINKAGE;
  const prior = options.prior ?? DEFAULT_MARGIN_VARIANCE_PRIOR;
  if (!(shrinkage >= 0 && shrinkage <= 1)) {
    throw new RangeError(`options.shrinkage must lie in [0, 1], got ${shrinkage}`);
  }
  assertPositive(prior, "options.prior");
  if (!Array.isArray(margins) || margins.length === 0) {
    throw new RangeError(`margins must be a non-empty array, got length ${margins?.length}`);
  }
  margins.forEach((m, i) => assertFinite(m, `margins[${i}]`));
  const mean = margins.reduce((a, b) => a + b, 0) / margins.length;
  const variance = margins.reduce((a, b) => a + (b - mean) ** 2, 0) / margins.length;
  const shrunk = (1 - shrinkage) * variance + shrinkage * prior;
  if (!(shrunk > 0)) {
    throw new RangeError(`margins are constant and options.shrinkage is 0: the variance would be 0`);
  }
  return shrunk;
}
