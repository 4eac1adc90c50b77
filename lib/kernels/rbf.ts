/**
 * The radial basis function (Gaussian) kernel (Table 1, second row): local similarity.
 *
 * @module
 */
import { squaredEuclidean } from "../math/vector.ts";
import { assertPositive } from "../math/validation.ts";
import { asPair, type Point } from "./point.ts";
import { expRatio, expRatioDerivative, type MarginShape } from "./margin_shape.ts";

/** Options of the RBF kernel κ(a, b) = exp(−‖a − b‖² / 2σ²). */
export interface RbfKernelOptions {
  /** The bandwidth σ > 0 (default 1). */
  sigma?: number;
}

/** The RBF kernel's default bandwidth σ. */
export const DEFAULT_RBF_SIGMA = 1;

/**
 * Resolved RBF options with their defaults (σ = {@link DEFAULT_RBF_SIGMA}).
 *
 * @param options The kernel's options; a missing field takes its named default.
 * @returns Every option filled in.
 * @example
 * ```ts
 * import { rbfDefaults } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.deepEqual(rbfDefaults(), { sigma: 1 });
 * ```
 */
export function rbfDefaults(options: RbfKernelOptions = {}): Required<RbfKernelOptions> {
  const sigma = options.sigma ?? DEFAULT_RBF_SIGMA;
  assertPositive(sigma, "options.sigma");
  return { sigma };
}

/**
 * The RBF kernel κ(a, b) = exp(−‖a − b‖² / (2σ²)) on scalars or vectors.
 *
 * @param a A number or a vector.
 * @param b A number or a vector of the same length.
 * @param options The bandwidth σ (default 1).
 * @returns A similarity in (0, 1], 1 where a = b.
 * @throws {RangeError} On non-finite input, mismatched lengths or σ ≤ 0.
 * @example
 * ```ts
 * import { rbfKernel } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(rbfKernel([0, 0], [0, 0]), 1);
 * assert.equal(rbfKernel(0, 2, { sigma: 1 }), Math.exp(-2));
 * ```
 */
export function rbfKernel(a: Point, b: Point, options: RbfKernelOptions = {}): number {
  return Math.exp(logRbfKernel(a, b, options));
}

/**
 * log κ(a, b) = −‖a − b‖² / (2σ²), computed directly so that far-apart points do not underflow to log 0.
 *
 * @param a A number or a vector.
 * @param b A number or a vector of the same length.
 * @param options The bandwidth σ (default 1).
 * @returns A number ≤ 0.
 * @throws {RangeError} On non-finite input, mismatched lengths or σ ≤ 0.
 * @example
 * ```ts
 * import { logRbfKernel } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(logRbfKernel(0, 100), -5000); // exp(-5000) underflows; its log does not
 * ```
 */
export function logRbfKernel(a: Point, b: Point, options: RbfKernelOptions = {}): number {
  const { sigma } = rbfDefaults(options);
  const [va, vb] = asPair(a, b);
  return -squaredEuclidean(va, vb) / (2 * sigma * sigma);
}

/**
 * The RBF margin: s = σ·sign(Δ)·√(2(1 − e^{−Δ²/2σ²})), G(u) = E(u/2σ²) with E(v) = (1 − e^{−v})/v.
 * Bounded by σ√2: the RBF loss saturates, so a pair it already ranks far apart stops pulling. σ → ∞ gives
 * DPO.
 *
 * @param options The bandwidth σ (default 1).
 * @returns The margin shape.
 * @throws {RangeError} If σ ≤ 0.
 * @example
 * ```ts
 * import { rbfMargin } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(rbfMargin({ sigma: 2 }).g(0), 1);
 * ```
 */
export function rbfMargin(options: RbfKernelOptions = {}): MarginShape {
  const { sigma } = rbfDefaults(options);
  const k = 1 / (2 * sigma * sigma);
  return { g: (u) => expRatio(k * u), dg: (u) => k * expRatioDerivative(k * u) };
}
