/**
 * The Wasserstein-1 (earth mover's) distance between two discrete distributions: exact on the real line, and
 * entropic for a general ground cost.
 *
 * @module
 */
import type { Matrix, Vector } from "../math/types.ts";
import { assertProbabilityVector, assertSameLength, assertVector } from "../math/validation.ts";
import { sinkhornCost, solveSinkhorn } from "./entropic_transport.ts";

/** Options of {@link wassersteinDistance}. Give `positions` (or nothing) for 1-D, or `cost` for the general form. */
export interface WassersteinOptions {
  /**
   * 1-D form: the support points shared by p and q, finite, same length as p, in any order (ties allowed).
   * Default 0, 1, …, n − 1. Exclusive with `cost`.
   */
  positions?: Vector;
  /** General form: the n×n ground cost, finite and non-negative; selects entropic transport. */
  cost?: Matrix;
  /** General form: the entropic ε (absolute). Default 0.01·max C. See `entropicTransport`. */
  epsilon?: number;
  /** General form: the Sinkhorn iteration cap. Default 10,000. */
  maxIterations?: number;
  /** General form: the L1 row-marginal tolerance. Default 1e-6. */
  tolerance?: number;
}

/**
 * The Wasserstein-1 distance W(p, q) = inf over couplings γ of p and q of E_γ[c(x, y)], in the units of the
 * positions or of the cost.
 *
 * Without `cost` the distributions are weights on the same points x (`positions`, default 0, 1, …, n − 1) on
 * the real line, where the infimum has the closed form W = ∫ |F_p(t) − F_q(t)| dt = Σₖ |Σ_{j≤k} (pⱼ − qⱼ)|·
 * (x₍ₖ₊₁₎ − x₍ₖ₎) over the sorted points: exact, O(n) (O(n log n) if the points are unsorted), and equal to
 * `scipy.stats.wasserstein_distance(positions, positions, p, q)` (scipy re-normalizes the weights; this function
 * checks that they sum to 1 and uses them as they are).
 *
 * With `cost` (an n×n matrix, cᵢⱼ the cost of moving mass from i to j) the distance is approximated by entropic
 * optimal transport (log-domain Sinkhorn, see `entropicTransport`): the value returned is the transport cost
 * ⟨P_ε, C⟩ of the entropic plan, which tends to the exact W as ε → 0 and exceeds it by at most ε·log(n²). With
 * C = |xᵢ − xⱼ| it approximates the 1-D value. The plan and the convergence flag are available from
 * `entropicTransport`; this function returns the cost even if `maxIterations` ran out.
 *
 * @param p The first distribution (non-negative, sums to 1).
 * @param q The second distribution, same length.
 * @param options `positions` for the exact 1-D form (default 0…n−1), or `cost`, `epsilon`, `maxIterations`,
 * `tolerance` for the entropic form.
 * @returns W(p, q) ≥ 0 (finite even for disjoint supports).
 * @throws {RangeError} If `p` or `q` is not a probability vector, if their lengths differ, if `positions` has the
 * wrong length or a non-finite entry, if both `positions` and `cost` are given, or if the entropic options are
 * invalid (see `entropicTransport`).
 * @throws {TypeError} If `p`, `q` or `positions` is not an array of numbers, or `cost` is not a matrix.
 * @example
 * ```ts
 * import { wassersteinDistance } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * // All the mass moves from point 0 to point 2.
 * assert.equal(wassersteinDistance([1, 0, 0], [0, 0, 1]), 2);
 * assert.equal(wassersteinDistance([1, 0, 0], [0, 0, 1], { positions: [0, 10, 0.5] }), 0.5);
 * // The same with a general ground cost |i − j|.
 * const cost = [[0, 1, 2], [1, 0, 1], [2, 1, 0]];
 * const w = wassersteinDistance([0.5, 0.5, 0], [0, 0.5, 0.5], { cost, epsilon: 1e-3 });
 * assert.ok(Math.abs(w - 1) < 1e-6);
 * ```
 */
export function wassersteinDistance(p: Vector, q: Vector, options: WassersteinOptions = {}): number {
  assertProbabilityVector(p, "p");
  assertProbabilityVector(q, "q");
  assertSameLength(p, "p", q, "q");
  const { positions, cost } = options;
  if (cost !== undefined) {
    if (positions !== undefined) {
      throw new RangeError("positions and cost must not both be given: positions is 1-D, cost is general");
    }
    return Math.max(sinkhornCost(solveSinkhorn(p, q, { ...options, cost })), 0);
  }
  const n = p.length;
  if (positions === undefined) {
    let c = 0;
    let w = 0;
    for (let i = 0; i < n - 1; i++) {
      c += (p[i] as number) - (q[i] as number);
      w += Math.abs(c);
    }
    return w;
  }
  assertVector(positions, "positions");
  if (positions.length !== n) {
    throw new RangeError(`positions must have the length of p (${n}), got length ${positions.length}`);
  }
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const x = positions[i] as number;
    if (!Number.isFinite(x)) throw new RangeError(`positions[${i}] must be finite, got ${x}`);
    if (i > 0 && x < (positions[i - 1] as number)) sorted = false;
  }
  let c = 0;
  let w = 0;
  if (sorted) {
    for (let i = 0; i < n - 1; i++) {
      c += (p[i] as number) - (q[i] as number);
      w += Math.abs(c) * ((positions[i + 1] as number) - (positions[i] as number));
    }
    return w;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) =>
    (positions[a] as number) - (positions[b] as number)
  );
  for (let k = 0; k < n - 1; k++) {
    const i = order[k] as number;
    c += (p[i] as number) - (q[i] as number);
    w += Math.abs(c) * ((positions[order[k + 1] as number] as number) - (positions[i] as number));
  }
  return w;
}
