/**
 * The Bhattacharyya distance between two discrete distributions.
 *
 * @module
 */
import type { Vector } from "../math/types.ts";
import { assertProbabilityVector, assertSameLength } from "../math/validation.ts";

/**
 * The Bhattacharyya distance D_B(p, q) = −log BC(p, q), where BC = Σᵢ √(pᵢqᵢ) is the Bhattacharyya
 * coefficient (the overlap of the two distributions), in nats.
 *
 * Disjoint supports (BC = 0) give `Infinity`. For probability vectors BC = 1 − H² (H the Hellinger distance),
 * so when H² < ½ the distance is evaluated as −log1p(−H²), which keeps full relative accuracy for nearly equal
 * distributions (the regime of a DPO regularizer) and gives exactly 0 for equal ones; otherwise it is −log BC
 * computed directly. The result is clamped at 0 against rounding. Equal to ½ of the Rényi divergence of
 * order ½.
 *
 * @param p The first distribution (non-negative, sums to 1).
 * @param q The second distribution, same length.
 * @returns D_B(p, q) ≥ 0, `Infinity` for disjoint supports.
 * @throws {RangeError} If `p` or `q` is empty, has a negative or non-finite entry or does not sum to 1, or if
 * their lengths differ.
 * @throws {TypeError} If `p` or `q` is not an array of numbers.
 * @example
 * ```ts
 * import { bhattacharyyaDistance } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(bhattacharyyaDistance([1, 0], [0, 1]), Infinity);
 * assert.equal(bhattacharyyaDistance([0.2, 0.8], [0.2, 0.8]), 0);
 * assert.ok(Math.abs(bhattacharyyaDistance([1, 0], [0.5, 0.5]) - 0.5 * Math.LN2) < 1e-15);
 * ```
 */
export function bhattacharyyaDistance(p: Vector, q: Vector): number {
  assertProbabilityVector(p, "p");
  assertProbabilityVector(q, "q");
  assertSameLength(p, "p", q, "q");
  let h = 0;
  let bc = 0;
  for (let i = 0; i < p.length; i++) {
    const a = Math.sqrt(p[i] as number);
    const b = Math.sqrt(q[i] as number);
    const d = a - b;
    h += d * d;
    bc += a * b;
  }
  if (bc === 0) return Infinity;
  const h2 = 0.5 * h;
  return Math.max(h2 < 0.5 ? -Math.log1p(-h2) : -Math.log(bc), 0);
}
