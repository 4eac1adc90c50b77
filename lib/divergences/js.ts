/**
 * The Jensen–Shannon divergence between two discrete distributions.
 *
 * @module
 */
import type { Vector } from "../math/types.ts";
import { assertProbabilityVector, assertSameLength } from "../math/validation.ts";

/**
 * The Jensen–Shannon divergence JS(p, q) = ½·KL(p‖m) + ½·KL(q‖m) with m = (p + q)/2, in nats, so that
 * 0 ≤ JS ≤ ln 2.
 *
 * `scipy.spatial.distance.jensenshannon` returns the Jensen–Shannon *distance*, the square root of this value
 * (base e by default); square it to compare. Each index contributes ½[pᵢ log(1 + dᵢ) + qᵢ log(1 − dᵢ)] with
 * dᵢ = (pᵢ − qᵢ)/(pᵢ + qᵢ), evaluated with `log1p` where |dᵢ| < ½ so that nearly equal distributions keep
 * full relative accuracy (and as log(2pᵢ/(pᵢ + qᵢ)) elsewhere, where dᵢ may round to ±1); a term with one of pᵢ, qᵢ zero contributes ½·(the other)·ln 2. The sum is clamped to [0, ln 2]
 * against rounding. Always finite, even for disjoint supports (then exactly ln 2).
 *
 * @param p The first distribution (non-negative, sums to 1).
 * @param q The second distribution, same length.
 * @returns JS(p, q) in [0, ln 2].
 * @throws {RangeError} If `p` or `q` is empty, has a negative or non-finite entry or does not sum to 1, or if
 * their lengths differ.
 * @throws {TypeError} If `p` or `q` is not an array of numbers.
 * @example
 * ```ts
 * import { jsDivergence } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(jsDivergence([1, 0], [0, 1]), Math.LN2);
 * assert.equal(jsDivergence([0.3, 0.7], [0.3, 0.7]), 0);
 * const d = jsDivergence([0.5, 0.5], [0.9, 0.1]);
 * assert.ok(d > 0 && d < Math.LN2);
 * ```
 */
export function jsDivergence(p: Vector, q: Vector): number {
  assertProbabilityVector(p, "p");
  assertProbabilityVector(q, "q");
  assertSameLength(p, "p", q, "q");
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] as number;
    const qi = q[i] as number;
    if (pi === 0 || qi === 0) {
      s += (pi + qi) * Math.LN2;
    } else {
      const m = pi + qi;
      const d = (pi - qi) / m;
      s += Math.abs(d) < 0.5
        ? pi * Math.log1p(d) + qi * Math.log1p(-d)
        : pi * Math.log((2 * pi) / m) + qi * Math.log((2 * qi) / m);
    }
  }
  return Math.min(Math.max(0.5 * s, 0), Math.LN2);
}
