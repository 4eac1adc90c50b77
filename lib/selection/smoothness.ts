/**
 * The smoothness metric of divergence selection (Table 4): the mean Wasserstein-1 distance between
 * consecutive distributions of a trajectory, by default the histograms of δ over consecutive chunks of pairs.
 *
 * @module
 */
import { extent } from "simple-statistics";
import type { Vector } from "../math/types.ts";
import {
  assertFiniteVector,
  assertProbabilityVector,
  assertSameLength,
  describe,
} from "../math/validation.ts";
import { wassersteinDistance } from "../divergences/wasserstein.ts";
import type { DistributionTrajectory } from "./divergence_selection.ts";
import { histogram, histogramEdges } from "./histogram.ts";

/**
 * The smoothness of δ in data order: the pairs are split into `chunks` consecutive chunks (as
 * `numpy.array_split`), each chunk's δ histogrammed on `bins` shared bins over the range of δ, and the mean
 * W₁ between consecutive chunks returned, with the bin centres as positions. Fewer than 2 chunks or constant
 * δ → 0.
 *
 * @param delta δᵢ = d⁺ᵢ − d⁻ᵢ, non-empty and finite.
 * @param chunks The number of chunks (at most n are used).
 * @param bins The number of bins.
 * @returns The mean W₁ between consecutive chunks, in the units of δ.
 * @example
 * ```ts
 * import { chunkSmoothness } from "./smoothness.ts";
 * import assert from "node:assert/strict";
 * assert.equal(chunkSmoothness(new Float64Array([0, 0, 1, 1]), 2, 2), 0.5); // mass moves one bin (½ apart)
 * ```
 */
export function chunkSmoothness(delta: Float64Array, chunks: number, bins: number): number {
  const n = delta.length;
  const c = Math.min(chunks, n);
  if (c < 2) return 0; // a single chunk: no transition
  const [lo, hi] = extent(Array.from(delta));
  if (lo === hi) return 0; // every chunk has the same one-point histogram
  const edges = histogramEdges(lo, hi, bins);
  const positions = new Float64Array(bins);
  for (let k = 0; k < bins; k++) positions[k] = ((edges[k] as number) + (edges[k + 1] as number)) / 2;
  // numpy.array_split: the first n mod c chunks hold one more element.
  const base = Math.floor(n / c);
  const extra = n % c;
  let start = 0;
  let prev: Float64Array | undefined;
  let total = 0;
  for (let t = 0; t < c; t++) {
    const size = base + (t < extra ? 1 : 0);
    const p = histogram(delta, start, start + size, lo, edges);
    for (let k = 0; k < bins; k++) p[k] = (p[k] as number) / size;
    if (prev) total += wassersteinDistance(prev, p, { positions });
    prev = p;
    start += size;
  }
  return total / (c - 1);
}

/**
 * The smoothness of an explicit trajectory: the mean W₁ between consecutive distributions.
 *
 * @param trajectory At least two probability vectors of equal length, and optional positions.
 * @returns The mean W₁ between consecutive distributions.
 * @throws {RangeError} Naming `options.trajectory…` on an invalid trajectory.
 * @throws {TypeError} If it is not an object of arrays.
 * @example
 * ```ts
 * import { trajectorySmoothness } from "./smoothness.ts";
 * import assert from "node:assert/strict";
 * assert.equal(trajectorySmoothness({ distributions: [[1, 0], [0, 1], [0, 1]] }), 0.5);
 * ```
 */
export function trajectorySmoothness(trajectory: DistributionTrajectory): number {
  const name = "options.trajectory";
  if (typeof trajectory !== "object" || trajectory === null) {
    throw new TypeError(`${name} must be an object {distributions, positions?}, got ${describe(trajectory)}`);
  }
  const { distributions, positions } = trajectory;
  if (!Array.isArray(distributions)) {
    throw new TypeError(`${name}.distributions must be an array of vectors, got ${describe(distributions)}`);
  }
  if (distributions.length < 2) {
    throw new RangeError(
      `${name}.distributions must hold at least 2 distributions, got ${distributions.length}`,
    );
  }
  const first = distributions[0] as Vector;
  for (let t = 0; t < distributions.length; t++) {
    const p = distributions[t] as Vector;
    assertProbabilityVector(p, `${name}.distributions[${t}]`);
    assertSameLength(p, `${name}.distributions[${t}]`, first, `${name}.distributions[0]`);
  }
  if (positions !== undefined) {
    assertFiniteVector(positions, `${name}.positions`);
    assertSameLength(positions, `${name}.positions`, first, `${name}.distributions[0]`);
  }
  let total = 0;
  for (let t = 1; t < distributions.length; t++) {
    const p = distributions[t - 1] as Vector;
    const q = distributions[t] as Vector;
    total += positions === undefined ? wassersteinDistance(p, q) : wassersteinDistance(p, q, { positions });
  }
  return total / (distributions.length - 1);
}
