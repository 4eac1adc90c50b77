/**
 * The polynomial kernel (Table 1, first row): higher-order interactions of a fixed degree.
 *
 * @module
 */
import { dot } from "../math/vector.ts";
import { assertNonNegative, assertPositive } from "../math/validation.ts";
import { asPair, type Point } from "./point.ts";
import type { MarginShape } from "./margin_shape.ts";

/** Options of the polynomial kernel κ(a, b) = (a·b + c)^d. */
export interface PolynomialKernelOptions {
  /** The degree d > 0 (default 2). Non-integer degrees need a·b + c ≥ 0. */
  degree?: number;
  /** The offset c ≥ 0 (default 1). */
  offset?: number;
}

/** The polynomial kernel's default degree d. */
export const DEFAULT_POLYNOMIAL_DEGREE = 2;
/** The polynomial kernel's default offset c. */
export const DEFAULT_POLYNOMIAL_OFFSET = 1;

/**
 * Resolved polynomial options with their defaults (degree {@link DEFAULT_POLYNOMIAL_DEGREE}, offset {@link DEFAULT_POLYNOMIAL_OFFSET}).
 *
 * @param options The kernel's options; a missing field takes its named default.
 * @returns Every option filled in.
 * @example
 * ```ts
 * import { polynomialDefaults } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.deepEqual(polynomialDefaults({ offset: 2 }), { degree: 2, offset: 2 });
 * ```
 */
export function polynomialDefaults(
  options: PolynomialKernelOptions = {},
): Required<PolynomialKernelOptions> {
  const degree = options.degree ?? DEFAULT_POLYNOMIAL_DEGREE;
  const offset = options.offset ?? DEFAULT_POLYNOMIAL_OFFSET;
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

/**
 * The polynomial margin: s = sign(Δ)·√(((Δ² + c)^d − c^d) / (d·c^{d−1})), the feature distance between the
 * margin and indifference under κ(a, b) = (ab + c)^d. It grows like |Δ|^d (polynomial pairs keep pulling),
 * and d = 1 gives DPO exactly.
 *
 * @param options Degree d ≥ 1 (default 2) and offset c > 0 (default 1).
 * @returns The margin shape.
 * @throws {RangeError} If d < 1 (the shape would not be monotone) or c ≤ 0 (zero curvature at 0).
 * @example
 * ```ts
 * import { polynomialMargin } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * // degree 2, offset 1: G(u) = (u + 2)/2
 * assert.ok(Math.abs(polynomialMargin({ degree: 2, offset: 1 }).g(4) - 3) < 1e-12);
 * ```
 */
export function polynomialMargin(options: PolynomialKernelOptions = {}): MarginShape {
  const { degree: d, offset: c } = polynomialDefaults(options);
  if (d < 1) throw new RangeError(`options.degree must be >= 1 for a monotone margin, got ${d}`);
  assertPositive(c, "options.offset");
  // With v = u/c: G = ((1+v)^d − 1)/(d·v), exact near 0 by its Taylor series.
  const g = (u: number): number => {
    const v = u / c;
    if (v < 1e-8) return 1 + ((d - 1) / 2) * v;
    return Math.expm1(d * Math.log1p(v)) / (d * v);
  };
  const dg = (u: number): number => {
    const v = u / c;
    if (v < 1e-5) return ((d - 1) / 2 + (v * (d - 1) * (d - 2)) / 3) / c;
    const p = Math.pow(1 + v, d - 1);
    return ((d * v * p - (1 + v) * p + 1) / (d * v * v)) / c;
  };
  return { g, dg };
}
