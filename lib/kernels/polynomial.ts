/**
 * The polynomial kernel (Table 1, first row): higher-order interactions of a fixed degree.
 *
 * @module
 */
import { dot } from "../math/vector.ts";
import { assertNonNegative, assertPositive } from "../math/validation.ts";
import { asPair, type Point } from "./point.ts";

/** Options of the polynomial kernel κ(a, b) = (a·b + c)^d. */
export interface PolynomialKernelOptions {
  /** The degree d > 0 (default 2). Non-integer degrees need a·b + c ≥ 0. */
  degree?: number;
  /** The offset c ≥ 0 (default 1). */
  offset?: number;
}

/** Resolved polynomial options with their defaults. */
export function polynomialDefaults(
  options: PolynomialKernelOptions = {},
): Required<PolynomialKernelOptions> {
  const degree = options.degree ?? 2;
  const offset = options.offset ?? 1;
  assertPositive(degree, "options.degree");
  assertNonNegative(offset, "options.offset");
  return { degree, offset };
}

/**
 * The polynomial kernel κ(a, b) = (a·b + c)^d on scalars or vectors.
 *
 * @param a A number or a vector.
 * @param b A number or a vector of the same length.
 * @param options Degree d (default 2) and offset c (default 1).
 * @returns (a·b + c)^d.
 * @throws {RangeError} On non-finite input, mismatched lengths, a degree ≤ 0 or a negative offset.
 * @example
 * ```ts
 * import { polynomialKernel } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(polynomialKernel([1, 2], [3, 4]), 144); // (11 + 1)²
 * assert.equal(polynomialKernel(2, 3, { degree: 3, offset: 0 }), 216);
 * ```
 */
export function polynomialKernel(a: Point, b: Point, options: PolynomialKernelOptions = {}): number {
  const { degree, offset } = polynomialDefaults(options);
  const [va, vb] = asPair(a, b);
  return Math.pow(dot(va, vb) + offset, degree);
}

/**
 * log κ(a, b) = d·log(a·b + c): the log of the polynomial kernel, for the hybrid loss's log-ratio of
 * similarities. Defined only where a·b + c > 0.
 *
 * @param a A number or a vector.
 * @param b A number or a vector of the same length.
 * @param options Degree d (default 2) and offset c (default 1).
 * @returns d·log(a·b + c).
 * @throws {RangeError} Where a·b + c ≤ 0 (the log of the kernel is undefined there), or on bad input.
 * @example
 * ```ts
 * import { logPolynomialKernel } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(logPolynomialKernel([1, 0], [1, 0], { degree: 2, offset: 1 }), 2 * Math.log(2));
 * ```
 */
export function logPolynomialKernel(a: Point, b: Point, options: PolynomialKernelOptions = {}): number {
  const { degree, offset } = polynomialDefaults(options);
  const [va, vb] = asPair(a, b);
  const base = dot(va, vb) + offset;
  if (!(base > 0)) {
    throw new RangeError(
      `the polynomial kernel's log needs a·b + offset > 0, got ${base}; raise options.offset ` +
        `(an offset > 1 keeps unit-normalized embeddings positive)`,
    );
  }
  return degree * Math.log(base);
}
