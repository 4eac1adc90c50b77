/**
 * The Davies–Bouldin score of a clustering (Davies & Bouldin, 1979), used in Sec. 7.4 of the paper to measure
 * how well safe and unsafe inputs separate.
 *
 * @module
 */
import type { Matrix } from "../math/types.ts";
import { assertMatrix, describe } from "../math/validation.ts";
import { euclidean } from "../math/vector.ts";

/**
 * Tolerance below which sklearn's `np.allclose(…, 0)` treats all intra-cluster spreads, or all centroid
 * distances, as zero (its default `atol`).
 */
const ALLCLOSE_ATOL = 1e-8;

function scaled(row: Matrix[number], scale: number): Float64Array {
  const out = new Float64Array(row.length);
  for (let d = 0; d < row.length; d++) out[d] = (row[d] as number) / scale;
  return out;
}

/**
 * The Davies–Bouldin score, exactly as `sklearn.metrics.davies_bouldin_score` computes it.
 *
 * For each cluster i with centroid μᵢ (the mean of its points), Sᵢ is the mean Euclidean distance of its
 * points to μᵢ, and Dᵢⱼ = ‖μᵢ − μⱼ‖. The score is the mean over clusters of maxⱼ≠ᵢ (Sᵢ + Sⱼ) / Dᵢⱼ; lower is
 * better (compact clusters, far apart). Like sklearn: a centroid distance of exactly 0 counts as infinite
 * (its ratio is 0), and the score is 0 when every Sᵢ or every Dᵢⱼ is within 1e-8 of 0. The data are first
 * divided by a power of two near their largest magnitude (exact, and the score is scale-invariant), so that
 * coordinates up to the largest double neither overflow in the centroid sums and squared distances nor turn
 * the score into 0; the 1e-8 test is applied at the data's own scale.
 *
 * Labels are compared with `SameValueZero` (so `1` and `"1"` are different clusters); their order and values
 * do not matter.
 *
 * @param points The points, one row each (n rows of equal length, finite).
 * @param labels The cluster label of each point (n entries).
 * @returns The score, ≥ 0.
 * @throws {TypeError} If `points` or `labels` is not an array, or a label is neither a number nor a string.
 * @throws {RangeError} If `points` is empty, ragged, not finite or of points with no coordinates, a label is
 *   NaN or infinite, the lengths differ, or the number of distinct labels is not between 2 and n − 1
 *   (sklearn's rule).
 * @example
 * ```ts
 * import { daviesBouldinScore } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * // two clusters of spread 1 whose centroids are 4 apart: (1 + 1) / 4
 * const points = [[-1, 0], [1, 0], [3, 0], [5, 0]];
 * assert.equal(daviesBouldinScore(points, ["a", "a", "b", "b"]), 0.5);
 * ```
 */
export function daviesBouldinScore(points: Matrix, labels: readonly (number | string)[]): number {
  assertMatrix(points, "points");
  if (!Array.isArray(labels)) {
    throw new TypeError(`labels must be an array of numbers or strings, got ${describe(labels)}`);
  }
  if (labels.length !== points.length) {
    throw new RangeError(
      `points and labels must have the same length, got ${points.length} and ${labels.length}`,
    );
  }
  const n = points.length;
  const dim = (points[0] as Matrix[number]).length;
  if (dim === 0) throw new RangeError(`points must have at least one coordinate, got points of length 0`);
  // Scale by a power of two (exact) so that sums and squares of huge coordinates do not overflow.
  let largest = 0;
  for (const row of points) {
    for (let d = 0; d < dim; d++) largest = Math.max(largest, Math.abs(row[d] as number));
  }
  const scale = largest > 1 ? 2 ** Math.min(Math.ceil(Math.log2(largest)), 1023) : 1;

  // cluster index of each point, in order of first appearance
  const index = new Map<number | string, number>();
  const assign = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = labels[i];
    if (typeof label === "number") {
      if (!Number.isFinite(label)) throw new RangeError(`labels[${i}] must be finite, got ${label}`);
    } else if (typeof label !== "string") {
      throw new TypeError(`labels[${i}] must be a number or a string, got ${describe(label)}`);
    }
    let k = index.get(label);
    if (k === undefined) {
      k = index.size;
      index.set(label, k);
    }
    assign[i] = k;
  }
  const k = index.size;
  if (k < 2 || k > n - 1) {
    throw new RangeError(
      `labels must name between 2 and n - 1 = ${n - 1} distinct clusters, got ${k} (for n = ${n} points)`,
    );
  }

  // centroids
  const centroids = Array.from({ length: k }, () => new Float64Array(dim));
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = centroids[assign[i] as number] as Float64Array;
    const row = points[i] as Matrix[number];
    for (let d = 0; d < dim; d++) c[d] = (c[d] as number) + (row[d] as number) / scale;
    counts[assign[i] as number] = (counts[assign[i] as number] as number) + 1;
  }
  for (let c = 0; c < k; c++) {
    const centroid = centroids[c] as Float64Array;
    for (let d = 0; d < dim; d++) centroid[d] = (centroid[d] as number) / (counts[c] as number);
  }

  // mean distance to the centroid, per cluster
  const spread = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = assign[i] as number;
    const row = scale === 1 ? points[i] as Matrix[number] : scaled(points[i] as Matrix[number], scale);
    spread[c] = (spread[c] as number) + euclidean(row, centroids[c] as Float64Array);
  }
  for (let c = 0; c < k; c++) spread[c] = (spread[c] as number) / (counts[c] as number);

  // centroid distances
  const between: Float64Array[] = Array.from({ length: k }, () => new Float64Array(k));
  let allSpreadZero = true;
  let allBetweenZero = true;
  for (let a = 0; a < k; a++) {
    if (Math.abs(spread[a] as number) * scale > ALLCLOSE_ATOL) allSpreadZero = false;
    for (let b = a + 1; b < k; b++) {
      const d = euclidean(centroids[a] as Float64Array, centroids[b] as Float64Array);
      (between[a] as Float64Array)[b] = d;
      (between[b] as Float64Array)[a] = d;
      if (d * scale > ALLCLOSE_ATOL) allBetweenZero = false;
    }
  }
  if (allSpreadZero || allBetweenZero) return 0;

  let total = 0;
  for (let a = 0; a < k; a++) {
    let worst = 0;
    for (let b = 0; b < k; b++) {
      if (b === a) continue;
      const d = (between[a] as Float64Array)[b] as number;
      if (d === 0) continue; // sklearn: distance 0 → ∞, ratio 0
      const r = ((spread[a] as number) + (spread[b] as number)) / d;
      if (r > worst) worst = r;
    }
    total += worst;
  }
  return total / k;
}
