/**
 * The Rényi divergence of order α between two discrete distributions.
 *
 * @module
 */
import type { Vector } from "../math/types.ts";
import { assertInRange, assertProbabilityVector, assertSameLength } from "../math/validation.ts";
import { bhattacharyyaDistance } from "./bhattacharyya.ts";
import { klDivergence } from "./kl.ts";

/**
 * The project's one default Rényi order, ¾: used by {@link renyiDivergence}, the `"renyi"` entry of
 * `DIVERGENCES`, the implicit (f-DPO) Rényi score, the explicit regularizer and the trainer. It lies in (0, 1),
 * where the Rényi divergence has an f-DPO score at all, and away from ½, where that score would coincide with
 * Hellinger's and Bhattacharyya's (docs/math.md, "Implicit scores").
 */
export const DEFAULT_RENYI_ALPHA: number = 0.75;

/** Options of {@link renyiDivergence}. */
export interface RenyiOptions {
  /**
   * The order α ≥ 0 (`Infinity` allowed). Default {@link DEFAULT_RENYI_ALPHA} = ¾, the same order the trainer and
   * the implicit score use (α = ½ would only repeat twice the Bhattacharyya distance).
   */
  alpha?: number;
}

/**
 * The Rényi divergence of order α, D_α(p‖q) = 1/(α − 1) · log Σᵢ pᵢ^α qᵢ^(1−α), in nats.
 *
 * The orders without a direct formula are the limits: α = 1 gives KL(p‖q), α = ∞ gives log maxᵢ pᵢ/qᵢ over
 * pᵢ > 0, and α = 0 gives −log Σ_{pᵢ>0} qᵢ. Terms with pᵢ = 0 contribute nothing (for α > 0). A term with
 * pᵢ > 0 = qᵢ makes the divergence `Infinity` when α ≥ 1 and contributes 0 when α < 1; supports that do not
 * overlap give `Infinity` for every α. D_α is non-decreasing in α.
 *
 * Evaluation: Σ pᵢ^α qᵢ^(1−α) − 1 = Σ pᵢ·expm1((α−1)·log(pᵢ/qᵢ)) and then log1p, so that orders near 1 keep
 * their accuracy; α = 2 uses the identity D₂ = log(1 + χ²(p‖q)) with χ² = Σ (pᵢ − qᵢ)²/qᵢ (no transcendental
 * per entry), and α = ½ uses D_½ = 2·D_B with the Bhattacharyya distance evaluated as in
 * `bhattacharyyaDistance`. When a term overflows (large α) or the sum falls below ½ (little overlap, where
 * log1p would lose it) the sum is redone in the log domain. The result is
 * clamped at 0 against rounding.
 *
 * @param p The first distribution (non-negative, sums to 1).
 * @param q The second distribution, same length.
 * @param options `alpha`, the order (default {@link DEFAULT_RENYI_ALPHA} = ¾).
 * @returns D_α(p‖q) ≥ 0, possibly `Infinity`.
 * @throws {RangeError} If `p` or `q` is empty, has a negative or non-finite entry or does not sum to 1, if their
 * lengths differ, or if `alpha` is NaN or negative.
 * @throws {TypeError} If `p` or `q` is not an array of numbers.
 * @example
 * ```ts
 * import { klDivergence, renyiDivergence } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const p = [0.2, 0.3, 0.5];
 * const q = [0.4, 0.4, 0.2];
 * const chi2 = (0.2 - 0.4) ** 2 / 0.4 + (0.3 - 0.4) ** 2 / 0.4 + (0.5 - 0.2) ** 2 / 0.2;
 * assert.ok(Math.abs(renyiDivergence(p, q, { alpha: 2 }) - Math.log1p(chi2)) < 1e-15);
 * assert.equal(renyiDivergence(p, q), renyiDivergence(p, q, { alpha: 0.75 })); // the default order
 * assert.equal(renyiDivergence(p, q, { alpha: 1 }), klDivergence(p, q));
 * assert.ok(Math.abs(renyiDivergence(p, q, { alpha: Infinity }) - Math.log(2.5)) < 1e-15);
 * assert.ok(renyiDivergence(p, q, { alpha: 0.5 }) <= renyiDivergence(p, q, { alpha: 2 }));
 * ```
 */
export function renyiDivergence(p: Vector, q: Vector, options: RenyiOptions = {}): number {
  assertProbabilityVector(p, "p");
  assertProbabilityVector(q, "q");
  assertSameLength(p, "p", q, "q");
  const alpha = options.alpha ?? DEFAULT_RENYI_ALPHA;
  assertInRange(alpha, "alpha", 0, Infinity);
  const n = p.length;
  if (alpha === 1) return klDivergence(p, q);
  if (alpha === Infinity) {
    let best = 0;
    for (let i = 0; i < n; i++) {
      const pi = p[i] as number;
      if (pi === 0) continue;
      const r = pi / (q[i] as number);
      if (r > best) best = r;
    }
    return Math.max(Math.log(best), 0);
  }
  if (alpha === 0) {
    // −log Σ_{p>0} q, evaluated as −log1p(−Σ_{p=0} q) while that outside mass is small (exactly 0 when the
    // supports agree), directly otherwise.
    let inside = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      if ((p[i] as number) > 0) inside += q[i] as number;
      else outside += q[i] as number;
    }
    if (inside === 0) return Infinity;
    return Math.max(outside < 0.5 ? -Math.log1p(-outside) : -Math.log(inside), 0);
  }
  if (alpha === 2) {
    let chi2 = 0;
    for (let i = 0; i < n; i++) {
      const pi = p[i] as number;
      const qi = q[i] as number;
      if (qi === 0) {
        if (pi > 0) return Infinity;
        continue;
      }
      const d = pi - qi;
      chi2 += (d * d) / qi;
    }
    return Math.log1p(chi2);
  }
  // D_½ = −2 log Σ√(pq) = 2·D_B: the same accurate path as the Bhattacharyya distance.
  if (alpha === 0.5) return 2 * bhattacharyyaDistance(p, q);
  const am1 = alpha - 1;
  let sm1 = 0;
  let overlap = false;
  for (let i = 0; i < n; i++) {
    const pi = p[i] as number;
    if (pi === 0) continue;
    const qi = q[i] as number;
    if (qi === 0) {
      if (am1 > 0) return Infinity;
      sm1 -= pi;
      continue;
    }
    overlap = true;
    const r = pi / qi;
    const lr = r < Infinity ? Math.log(r) : Math.log(pi) - Math.log(qi);
    sm1 += pi * Math.expm1(am1 * lr);
  }
  if (!overlap) return Infinity;
  if (sm1 < Infinity && sm1 > -0.5) return Math.max(Math.log1p(sm1) / am1, 0);
  return Math.max(renyiLogDomain(p, q, alpha) / am1, 0);
}

/** log Σ_{pᵢ,qᵢ>0} pᵢ^α qᵢ^(1−α) by a two-pass log-sum-exp, for sums that overflow or are small. */
function renyiLogDomain(p: Vector, q: Vector, alpha: number): number {
  let m = -Infinity;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] as number;
    const qi = q[i] as number;
    if (pi === 0 || qi === 0) continue;
    const t = alpha * Math.log(pi) + (1 - alpha) * Math.log(qi);
    if (t > m) m = t;
  }
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] as number;
    const qi = q[i] as number;
    if (pi === 0 || qi === 0) continue;
    s += Math.exp(alpha * Math.log(pi) + (1 - alpha) * Math.log(qi) - m);
  }
  return m + Math.log(s);
}
