/**
 * numpy-compatible equal-width histograms, for the divergence-selection metrics (simple-statistics has no
 * histogram with `numpy.histogram`'s binning, whose edges and closed last bin the golden values rely on).
 *
 * @module
 */
import type { Vector } from "../math/types.ts";

/**
 * numpy-compatible equal-width histogram edges over [lo, hi]: lo + i·(hi − lo)/bins, the last one hi.
 *
 * @param lo The lower end.
 * @param hi The upper end, > lo.
 * @param bins The number of bins, ≥ 1.
 * @returns The bins + 1 edges.
 * @example
 * ```ts
 * import { histogramEdges } from "./histogram.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(Array.from(histogramEdges(0, 1, 4)), [0, 0.25, 0.5, 0.75, 1]);
 * ```
 */
export function histogramEdges(lo: number, hi: number, bins: number): Float64Array {
  const edges = new Float64Array(bins + 1);
  const step = (hi - lo) / bins;
  for (let i = 0; i < bins; i++) edges[i] = i * step + lo;
  edges[bins] = hi;
  return edges;
}

/** The bin of v (lo ≤ v ≤ hi), computed exactly as `numpy.histogram` does; the last bin is closed. */
function binOf(v: number, lo: number, hi: number, edges: Float64Array): number {
  const bins = edges.length - 1;
  let k = Math.trunc(((v - lo) / (hi - lo)) * bins);
  if (k >= bins) k = bins - 1;
  if (v < (edges[k] as number)) k--;
  else if (k !== bins - 1 && v >= (edges[k + 1] as number)) k++;
  return k;
}

/**
 * Counts values[from..to) into the bins of `edges` (from {@link histogramEdges} over [lo, hi]) exactly as
 * `numpy.histogram` does: half-open bins, the last one closed.
 *
 * @param values Values inside [lo, hi].
 * @param from The first index counted.
 * @param to One past the last index counted.
 * @param lo The lower end (the first edge).
 * @param edges The edges.
 * @returns The count per bin.
 * @example
 * ```ts
 * import { histogram, histogramEdges } from "./histogram.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(Array.from(histogram([0, 0.5, 1], 0, 3, 0, histogramEdges(0, 1, 2))), [1, 2]);
 * ```
 */
export function histogram(
  values: Vector,
  from: number,
  to: number,
  lo: number,
  edges: Float64Array,
): Float64Array {
  const bins = edges.length - 1;
  const hi = edges[bins] as number;
  const counts = new Float64Array(bins);
  for (let i = from; i < to; i++) {
    const k = binOf(values[i] as number, lo, hi, edges);
    counts[k] = (counts[k] as number) + 1;
  }
  return counts;
}
