/**
 * The Hellinger distance between two discrete distributions.
 *
 * @module
 */
import type { Vector } from "../math/types.ts";
import { assertProbabilityVector, assertSameLength } from "../math/validation.ts";

/**
 * The Hellinger distance H(p, q) = (1/√2)·√(Σᵢ (√pᵢ − √qᵢ)²), a metric in [0, 1].
 *
 * Zeros need no convention (√0 = 0); disjoint supports give exactly 1 (the result is clamped to 1 against
 * rounding). Its square H² is the f-divergence of ½(√t − 1)², and 1 − H² is the Bhattacharyya coefficient.
 *
 * @param p The first distribution (non-negative, sums to 1).
 * @param q The second distribution, same length.
 * @returns H(p, q) in [0, 1].
 * @throws {RangeError} If `p` or `q` is empty, has a negative or non-finite entry or does not sum to 1, or if
 * their lengths differ.
 * @throws {TypeError} If `p` or `q` is not an array of numbers.
 * @example
 * ```ts
 * import { hellingerDistance } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(hellingerDistance([1, 0], [0, 1]), 1);
 * assert.equal(hellingerDistance([0.25, 0.75], [0.25, 0.75]), 0);
 * assert.ok(Math.abs(hellingerDistance([1, 0], [0.5, 0.5]) - Math.sqrt(1 - Math.SQRT1_2)) < 1e-15);
 * ```
 */
export function hellingerDistance(p: Vector, q: Vector): number {
  assertProbabilityVector(p, "p");
  assertProbabilityVector(q, "q");
  assertSameLength(p, "p", q, "q");
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const d = Math.sqrt(p[i] as number) - Math.sqrt(q[i] as number);
    s += d * d;
  }
  return Math.min(Math.sqrt(0.5 * s), 1);
}
