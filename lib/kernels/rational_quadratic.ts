/**
 * The rational quadratic kernel, a scale mixture of RBF kernels (Rasmussen & Williams 2006, eq. 4.19):
 *
 *   κ(a, b) = (1 + ‖a − b‖² / (2αℓ²))^{−α},   ℓ > 0 the length-scale, α > 0 the scale-mixture weight.
 *
 * It is smooth at a = b like the RBF kernel (so its margin shape has G(0) = 1 and unit slope at indifference),
 * but decays polynomially instead of exponentially, so far-apart pairs keep a small pull; α → ∞ gives the RBF
 * kernel with σ = ℓ. It is not one of the paper's four HMK kernels, so it does not join the mixtures.
 *
 * @module
 */
import { squaredEuclidean } from "../math/vector.ts";
import { assertPositive } from "../math/validation.ts";
import type { MarginShape } from "./margin_shape.ts";
import { asPair, type Point } from "./point.ts";

/** Options of the rational quadratic kernel κ(a, b) = (1 + ‖a − b‖²/(2αℓ²))^{−α}. */
export interface RationalQuadraticKernelOptions {
  /** The length-scale ℓ > 0 (default {@link DEFAULT_RATIONAL_QUADRATIC_LENGTHSCALE}). */
  lengthscale?: number;
  /** The scale-mixture weight α > 0 (default {@link DEFAULT_RATIONAL_QUADRATIC_ALPHA}). */
  alpha?: number;
}

/** The rational quadratic kernel's default length-scale ℓ. */
export const DEFAULT_RATIONAL_QUADRATIC_LENGTHSCALE = 1;
/** The rational quadratic kernel's default scale-mixture weight α. */
export const DEFAULT_RATIONAL_QUADRATIC_ALPHA = 1;

/**
 * Resolved rational quadratic options with their defaults, validated.
 *
 * @param options The kernel's options; a missing field takes its named default.
 * @returns Every option filled in.
 * @throws {RangeError} For an option outside its range, naming it.
 * @example
 * ```ts
 * import { rationalQuadraticDefaults } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.deepEqual(rationalQuadraticDefaults(), { lengthscale: 1, alpha: 1 });
 * assert.throws(() => rationalQuadraticDefaults({ alpha: 0 }), RangeError);
 * ```
 */
export function rationalQuadraticDefaults(
  options: RationalQuadraticKernelOptions = {},
): Required<RationalQuadraticKernelOptions> {
  const lengthscale = options.lengthscale ?? DEFAULT_RATIONAL_QUADRATIC_LENGTHSCALE;
  const alpha = options.alpha ?? DEFAULT_RATIONAL_QUADRATIC_ALPHA;
  assertPositive(lengthscale, "options.lengthscale");
  assertPositive(alpha, "options.alpha");
  return { lengthscale, alpha };
}

/**
 * The rational quadratic kernel κ(a, b) = (1 + ‖a − b‖²/(2αℓ²))^{−α} on scalars or vectors.
 *
 * @param a A number or a vector.
 * @param b A number or a vector of the same length.
 * @param options Length-scale ℓ and scale-mixture weight α (both default 1).
 * @returns A similarity in (0, 1], 1 where a = b.
 * @throws {RangeError} On non-finite input, mismatched lengths, ℓ ≤ 0 or α ≤ 0.
 * @example
 * ```ts
 * import { rationalQuadraticKernel } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(rationalQuadraticKernel([1, 2], [1, 2]), 1);
 * assert.equal(rationalQuadraticKernel(0, 2), 1 / 3); // (1 + 4/2)^−1
 * ```
 */
export function rationalQuadraticKernel(
  a: Point,
  b: Point,
  options: RationalQuadraticKernelOptions = {},
): number {
  return Math.exp(logRationalQuadraticKernel(a, b, options));
}

/**
 * log κ(a, b) = −α·log1p(‖a − b‖²/(2αℓ²)), computed directly.
 *
 * @param a A number or a vector.
 * @param b A number or a vector of the same length.
 * @param options Length-scale ℓ and scale-mixture weight α (both default 1).
 * @returns A number ≤ 0.
 * @throws {RangeError} On non-finite input, mismatched lengths, ℓ ≤ 0 or α ≤ 0.
 * @example
 * ```ts
 * import { logRationalQuadraticKernel } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(logRationalQuadraticKernel(0, 2, { alpha: 2 }), -2 * Math.log(2)); // (1 + 4/4)^−2
 * ```
 */
export function logRationalQuadraticKernel(
  a: Point,
  b: Point,
  options: RationalQuadraticKernelOptions = {},
): number {
  const { lengthscale, alpha } = rationalQuadraticDefaults(options);
  const [va, vb] = asPair(a, b);
  return -alpha * Math.log1p(squaredEuclidean(va, vb) / (2 * alpha * lengthscale * lengthscale));
}

/**
 * The rational quadratic margin: s = sign(Δ)·√(2(κ(0) − κ(Δ))/c) with c = −κ″(0) = 1/ℓ², i.e.
 * G(u) = (1 − (1 + v)^{−α})/(α·v) with v = u/(2αℓ²). G(0) = 1, G′(0) = −(α + 1)/(4αℓ²); the score is bounded
 * by ℓ√2 (the loss saturates like the RBF loss, but its slope decays like |Δ|^{−α−1} instead of
 * exponentially). α → ∞ gives the RBF margin with σ = ℓ.
 *
 * @param options Length-scale ℓ and scale-mixture weight α (both default 1).
 * @returns The margin shape.
 * @throws {RangeError} If ℓ ≤ 0 or α ≤ 0.
 * @example
 * ```ts
 * import { rationalQuadraticMargin } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const shape = rationalQuadraticMargin({ lengthscale: 1, alpha: 1 });
 * assert.equal(shape.g(0), 1);
 * assert.ok(Math.abs(shape.g(2) - 0.5) < 1e-15); // v = 1: (1 − ½)/1
 * ```
 */
export function rationalQuadraticMargin(options: RationalQuadraticKernelOptions = {}): MarginShape {
  const { lengthscale, alpha } = rationalQuadraticDefaults(options);
  const c = 2 * alpha * lengthscale * lengthscale;
  // With v = u/c: G = −expm1(−α·log1p(v))/(α·v), exact near 0 by its Taylor series.
  const g = (u: number): number => {
    const v = u / c;
    if (v < 1e-8) return 1 - ((alpha + 1) / 2) * v;
    return -Math.expm1(-alpha * Math.log1p(v)) / (alpha * v);
  };
  const dg = (u: number): number => {
    const v = u / c;
    if (v < 1e-5) return (-(alpha + 1) / 2 + ((alpha + 1) * (alpha + 2) * v) / 3) / c;
    const p = Math.pow(1 + v, -alpha);
    return ((alpha * v * p) / (1 + v) - 1 + p) / (alpha * v * v) / c;
  };
  return { g, dg };
}
