/**
 * The Kullback–Leibler divergence between two discrete distributions.
 *
 * @module
 */
import type { Vector } from "../math/types.ts";
import { assertProbabilityVector, assertSameLength } from "../math/validation.ts";

/**
 * The Kullback–Leibler divergence KL(p‖q) = Σᵢ pᵢ log(pᵢ / qᵢ), in nats.
 *
 * Zero conventions (those of `scipy.special.rel_entr`): a term with pᵢ = 0 contributes 0 whatever qᵢ is, and a
 * term with pᵢ > 0 = qᵢ makes the divergence `Infinity`. The inputs are not re-normalized (they are checked to
 * sum to 1). Each term is computed as pᵢ·log(pᵢ/qᵢ), falling back to pᵢ·(log pᵢ − log qᵢ) when the ratio
 * overflows, so that a sub-normal qᵢ still gives a finite term.
 *
 * @param p The first distribution (non-negative, sums to 1).
 * @param q The second distribution, same length.
 * @returns KL(p‖q), ≥ 0 up to rounding, possibly `Infinity`.
 * @throws {RangeError} If `p` or `q` is empty, has a negative or non-finite entry or does not sum to 1, or if
 * their lengths differ.
 * @throws {TypeError} If `p` or `q` is not an array of numbers.
 * @example
 * ```ts
 * import { klDivergence } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const d = klDivergence([0.5, 0.5], [0.9, 0.1]);
 * assert.ok(Math.abs(d - (0.5 * Math.log(0.5 / 0.9) + 0.5 * Math.log(0.5 / 0.1))) < 1e-15);
 * assert.equal(klDivergence([0.5, 0.5], [1, 0]), Infinity);
 * assert.equal(klDivergence([1, 0], [0.5, 0.5]), Math.LN2);
 * ```
 */
export function klDivergence(p: Vector, q: Vector): number {
  assertProbabilityVector(p, "p");
  assertProbabilityVector(q, "q");
  assertSameLength(p, "p", q, "q");
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] as number;
    if (pi === 0) continue;
    const qi = q[i] as number;
    const r = pi / qi;
    s += r < Infinity ? pi * Math.log(r) : pi * (Math.log(pi) - Math.log(qi));
  }
  return s;
}
