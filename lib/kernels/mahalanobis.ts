/**
 * The Mahalanobis kernel (Table 1, fourth row): a Gaussian kernel in the metric of a covariance matrix, which
 * accounts for correlated, anisotropic features.
 *
 * @module
 */
import type { Matrix, Vector } from "../math/types.ts";
import { assertMatrix, assertPositive } from "../math/validation.ts";
import { asPair, type Point } from "./point.ts";
import type { MarginShape } from "./margin_shape.ts";
import { rbfMargin } from "./rbf.ts";

/** Options of the Mahalanobis kernel κ(a, b) = exp(−½ (a − b)ᵀ Σ⁻¹ (a − b)). */
export interface MahalanobisKernelOptions {
  /**
   * The precision matrix Σ⁻¹ (p × p, symmetric positive definite), for instance from
   * {@link estimateCovariance}. Default: the identity (then the kernel is the RBF kernel with σ = 1).
   */
  precision?: Matrix;
  /** For scalar points: the variance σ² > 0 (default 1); ignored when `precision` is given. */
  variance?: number;
}

/** Options of the Mahalanobis margin on the scalar reward margin: its variance σ² (see `marginVariance`). */
export type MahalanobisMarginOptions = Pick<MahalanobisKernelOptions, "variance">;

/** The default variance σ² of scalar points and of the Mahalanobis margin. */
export const DEFAULT_MAHALANOBIS_VARIANCE = 1;

/**
 * Resolved Mahalanobis margin options (the variance, default {@link DEFAULT_MAHALANOBIS_VARIANCE}), validated.
 *
 * @param options The kernel's options; a missing field takes its named default.
 * @returns Every option filled in.
 * @throws {RangeError} For a variance that is not finite and > 0, naming it.
 * @example
 * ```ts
 * import { mahalanobisMarginDefaults } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.deepEqual(mahalanobisMarginDefaults(), { variance: 1 });
 * assert.throws(() => mahalanobisMarginDefaults({ variance: -1 }), RangeError);
 * ```
 */
export function mahalanobisMarginDefaults(
  options: MahalanobisMarginOptions = {},
): Required<MahalanobisMarginOptions> {
  const variance = options.variance ?? DEFAULT_MAHALANOBIS_VARIANCE;
  assertPositive(variance, "options.variance");
  return { variance };
}

/**
 * The squared Mahalanobis distance (a − b)ᵀ P (a − b) for a precision matrix P.
 *
 * @param a A number or a vector.
 * @param b A number or a vector of the same length.
 * @param options The precision matrix, or the variance for scalars.
 * @returns The squared distance, ≥ 0 for a positive-definite precision.
 * @throws {RangeError} On mismatched sizes or non-finite input.
 * @example
 * ```ts
 * import { squaredMahalanobis } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(squaredMahalanobis([1, 1], [0, 0], { precision: [[2, 0], [0, 0.5]] }), 2.5);
 * assert.equal(squaredMahalanobis(3, 1, { variance: 4 }), 1);
 * ```
 */
export function squaredMahalanobis(a: Point, b: Point, options: MahalanobisKernelOptions = {}): number {
  const [va, vb] = asPair(a, b);
  const p = va.length;
  const tau: Vector = Array.from(va, (x, i) => x - (vb[i] as number));
  if (options.precision === undefined) {
    const { variance } = mahalanobisMarginDefaults(options);
    let s = 0;
    for (let i = 0; i < p; i++) s += (tau[i] as number) ** 2;
    return s / variance;
  }
  const precision = options.precision;
  assertMatrix(precision, "options.precision");
  if (precision.length !== p || (precision[0] as Vector).length !== p) {
    throw new RangeError(
      `options.precision must be ${p} × ${p} to match the points, got ${precision.length} × ${
        (precision[0] as Vector).length
      }`,
    );
  }
  let s = 0;
  for (let i = 0; i < p; i++) {
    const row = precision[i] as Vector;
    let r = 0;
    for (let j = 0; j < p; j++) r += (row[j] as number) * (tau[j] as number);
    s += (tau[i] as number) * r;
  }
  return s;
}

/**
 * log κ(a, b) = −½ (a − b)ᵀ Σ⁻¹ (a − b), computed directly (no underflow).
 *
 * @param a A number or a vector.
 * @param b A number or a vector of the same length.
 * @param options The precision matrix, or the variance for scalars.
 * @returns A number ≤ 0 for a positive-definite precision.
 * @throws {RangeError} On mismatched sizes or non-finite input.
 * @example
 * ```ts
 * import { logMahalanobisKernel } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(logMahalanobisKernel([1, 1], [0, 0], { precision: [[2, 0], [0, 0.5]] }), -1.25);
 * ```
 */
export function logMahalanobisKernel(a: Point, b: Point, options: MahalanobisKernelOptions = {}): number {
  return -0.5 * squaredMahalanobis(a, b, options);
}

/**
 * The Mahalanobis kernel κ(a, b) = exp(−½ (a − b)ᵀ Σ⁻¹ (a − b)) on vectors, or exp(−(a − b)²/2σ²) on
 * scalars with a variance σ² estimated from data.
 *
 * @param a A number or a vector.
 * @param b A number or a vector of the same length.
 * @param options The precision matrix Σ⁻¹, or the variance for scalars.
 * @returns A similarity in (0, 1].
 * @throws {RangeError} On mismatched sizes or non-finite input.
 * @example
 * ```ts
 * import { estimateCovariance, mahalanobisKernel } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const { precision } = estimateCovariance([[0, 0], [2, 0], [0, 2], [2, 2]], { shrinkage: 0 });
 * assert.ok(Math.abs(mahalanobisKernel([1, 1], [0, 0], { precision }) - Math.exp(-1)) < 1e-15);
 * ```
 */
export function mahalanobisKernel(a: Point, b: Point, options: MahalanobisKernelOptions = {}): number {
  return Math.exp(logMahalanobisKernel(a, b, options));
}

/**
 * The Mahalanobis margin on the scalar reward margin: an RBF margin whose bandwidth is the margin's standard
 * deviation σ² = Var(Δ) estimated from data, i.e. the margin measured in units of its own spread.
 *
 * @param options The variance σ² (default 1).
 * @returns The margin shape.
 * @throws {RangeError} If the variance is ≤ 0.
 * @example
 * ```ts
 * import { mahalanobisMargin, rbfMargin } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(mahalanobisMargin({ variance: 4 }).g(3), rbfMargin({ sigma: 2 }).g(3));
 * ```
 */
export function mahalanobisMargin(options: MahalanobisMarginOptions = {}): MarginShape {
  const { variance } = mahalanobisMarginDefaults(options);
  return rbfMargin({ sigma: Math.sqrt(variance) });
}
