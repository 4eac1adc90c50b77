/**
 * Data-driven divergence selection (Das et al., 2025, Sec. 5.2 and Table 4): support overlap, drift
 * magnitude, kurtosis and smoothness of the per-pair distances of a preference dataset, and the rule that
 * maps them to a divergence.
 *
 * @module
 */
import type { Matrix, Vector } from "../math/types.ts";
import { assertFiniteVector, assertInteger, assertNonEmpty, assertSameLength } from "../math/validation.ts";
import {
  type DistanceFunction,
  type DistanceName,
  type PreferenceTriplet,
  tripletDistances,
} from "./distance.ts";
import { extent } from "simple-statistics";
import { histogram, histogramEdges } from "./histogram.ts";
import { chunkSmoothness, trajectorySmoothness } from "./smoothness.ts";

/** The four divergence-selection metrics of Table 4. */
export interface DivergenceSelectionMetrics {
  /** Jaccard overlap of the histogram supports of d⁺ and d⁻, in [0, 1]. */
  readonly supportOverlap: number;
  /** |(1/n) Σ (d⁺ᵢ − d⁻ᵢ)|. */
  readonly driftMagnitude: number;
  /** Pearson (non-excess) kurtosis of δᵢ = d⁺ᵢ − d⁻ᵢ; 0 when δ is constant. */
  readonly kurtosis: number;
  /** Mean W₁ between consecutive distributions of the trajectory; lower = smoother. */
  readonly smoothness: number;
}

/** A sequence of distributions p₁ … p_T on a common support, e.g. a policy's distributions over training. */
export interface DistributionTrajectory {
  /** At least two probability vectors of equal length, in time order. */
  readonly distributions: Matrix;
  /** Positions of the support points, finite (default 0, 1, …, k − 1, as `wassersteinDistance`). */
  readonly positions?: Vector;
}

/** Options of {@link divergenceSelectionMetricsFromDistances}. */
export interface DivergenceSelectionMetricsOptions {
  /** Number of equal-width histogram bins, for the support overlap and the smoothness. Default 20. */
  readonly bins?: number;
  /** Number of consecutive chunks the pairs are split into for the smoothness. Default 10. */
  readonly chunks?: number;
  /** An explicit trajectory for the smoothness; when given, `chunks` is not used. */
  readonly trajectory?: DistributionTrajectory;
}

/** Options of {@link divergenceSelectionMetrics}. */
export interface DivergenceSelectionTripletOptions extends DivergenceSelectionMetricsOptions {
  /** The embedding distance: a name from `DISTANCES` or a function. Default `"cosine"`. */
  readonly distance?: DistanceName | DistanceFunction;
}

/** Default number of histogram bins. */
export const DEFAULT_SELECTION_BINS = 20;
/** Default number of chunks of the smoothness trajectory. */
export const DEFAULT_SMOOTHNESS_CHUNKS = 10;

function pearsonKurtosis(delta: Float64Array): number {
  const n = delta.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += delta[i] as number;
  mean /= n;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const c = (delta[i] as number) - mean;
    const c2 = c * c;
    m2 += c2;
    m4 += c2 * c2;
  }
  m2 /= n;
  m4 /= n;
  // Constant δ (up to rounding, with scipy's tolerance): the kurtosis is 0/0; defined as 0.
  if (m2 <= (1e-15 * mean) ** 2) return 0;
  return m4 / (m2 * m2);
}

function supportOverlapOf(dp: Vector, dm: Vector, bins: number): number {
  const [lo1, hi1] = extent(dp as number[]);
  const [lo2, hi2] = extent(dm as number[]);
  const lo = Math.min(lo1, lo2);
  const hi = Math.max(hi1, hi2);
  if (lo === hi) return 1; // every sample in one bin: identical supports
  const edges = histogramEdges(lo, hi, bins);
  const hp = histogram(dp, 0, dp.length, lo, edges);
  const hm = histogram(dm, 0, dm.length, lo, edges);
  let both = 0;
  let either = 0;
  for (let k = 0; k < bins; k++) {
    const a = (hp[k] as number) > 0;
    const b = (hm[k] as number) > 0;
    if (a && b) both++;
    if (a || b) either++;
  }
  return both / either;
}

/**
 * The divergence-selection metrics of Table 4, computed from the per-pair distances d⁺ᵢ = d(xᵢ, y⁺ᵢ) and
 * d⁻ᵢ = d(xᵢ, y⁻ᵢ), given in data (training) order. With δᵢ = d⁺ᵢ − d⁻ᵢ:
 *
 * - supportOverlap = |supp⁺ ∩ supp⁻| / |supp⁺ ∪ supp⁻| (Jaccard, Table 4's |p ∩ q|/|p ∪ q|), where d⁺ and d⁻
 *   are histogrammed on `bins` shared equal-width bins over their pooled range (as `numpy.histogram`, the
 *   last bin closed) and a support is the set of bins holding at least one sample. All values equal → 1.
 * - driftMagnitude = |mean of δᵢ|.
 * - kurtosis = E[(δ − μ)⁴] / E[(δ − μ)²]², the plain (Pearson, non-excess) population kurtosis of Table 4,
 *   equal to `scipy.stats.kurtosis(δ, fisher=False, bias=True)`; a normal sample gives ≈ 3. (simple-
 *   statistics' `sampleKurtosis` is the excess kurtosis with a small-sample correction, a different
 *   quantity, and is not used.) Constant δ (variance ≤ (1e-15·μ)², scipy's test, where scipy returns NaN)
 *   gives 0.
 * - smoothness = (1/T) Σₜ W₁(pₜ, pₜ₊₁) over the T transitions of a trajectory of distributions. By default
 *   the pairs are split, in order, into `chunks` consecutive chunks (as `numpy.array_split`; at most n
 *   chunks), δ of each chunk is histogrammed on `bins` shared bins over the range of δ and normalized, and
 *   W₁ uses the bin centers as positions, so the smoothness is in the units of δ. Fewer than 2 chunks or
 *   constant δ → 0. With `options.trajectory`, the given distributions are used instead.
 *
 * @param chosenDistances d⁺ᵢ, finite, non-empty.
 * @param rejectedDistances d⁻ᵢ, finite, same length.
 * @param options `bins` (integer ≥ 1, default 20), `chunks` (integer ≥ 2, default 10), `trajectory`
 *   (`{ distributions, positions? }`, at least two probability vectors of equal length).
 * @returns `{ supportOverlap, driftMagnitude, kurtosis, smoothness }`.
 * @throws {RangeError} On empty or mismatched inputs, non-finite values, bad `bins`/`chunks`, or an invalid
 *   trajectory (naming the argument).
 * @example
 * ```ts
 * import { divergenceSelectionMetricsFromDistances } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const m = divergenceSelectionMetricsFromDistances([0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8], {
 *   bins: 2,
 *   chunks: 2,
 * });
 * assert.equal(m.supportOverlap, 0); // d⁺ all in bin 0, d⁻ all in bin 1
 * assert.ok(Math.abs(m.driftMagnitude - 0.4) < 1e-15);
 * assert.equal(m.kurtosis, 0); // δ = −0.4 everywhere (up to rounding): constant
 * assert.equal(m.smoothness, 0);
 * ```
 */
export function divergenceSelectionMetricsFromDistances(
  chosenDistances: Vector,
  rejectedDistances: Vector,
  options: DivergenceSelectionMetricsOptions = {},
): DivergenceSelectionMetrics {
  assertFiniteVector(chosenDistances, "chosenDistances");
  assertFiniteVector(rejectedDistances, "rejectedDistances");
  assertNonEmpty(chosenDistances, "chosenDistances");
  assertSameLength(chosenDistances, "chosenDistances", rejectedDistances, "rejectedDistances");
  const bins = options.bins ?? DEFAULT_SELECTION_BINS;
  assertInteger(bins, "options.bins", 1);
  const chunks = options.chunks ?? DEFAULT_SMOOTHNESS_CHUNKS;
  assertInteger(chunks, "options.chunks", 2);

  const n = chosenDistances.length;
  const delta = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = (chosenDistances[i] as number) - (rejectedDistances[i] as number);
    delta[i] = d;
    sum += d;
  }
  return {
    supportOverlap: supportOverlapOf(chosenDistances, rejectedDistances, bins),
    driftMagnitude: Math.abs(sum / n),
    kurtosis: pearsonKurtosis(delta),
    smoothness: options.trajectory === undefined
      ? chunkSmoothness(delta, chunks, bins)
      : trajectorySmoothness(options.trajectory),
  };
}

/**
 * The divergence-selection metrics of Table 4 for a dataset of preference triplets: computes d⁺ᵢ and d⁻ᵢ
 * with the chosen distance (default `"cosine"`) and applies {@link divergenceSelectionMetricsFromDistances}
 * (see there for the definitions).
 *
 * @param triplets Non-empty dataset of {prompt, chosen, rejected} embeddings of equal length, in training
 *   order (the order matters for the smoothness).
 * @param options `distance` (default `"cosine"`), `bins` (default 20), `chunks` (default 10), `trajectory`.
 * @returns `{ supportOverlap, driftMagnitude, kurtosis, smoothness }`.
 * @throws {RangeError} On an empty dataset, a length mismatch or a non-finite entry (naming e.g.
 *   `triplets[3].chosen`), an unknown distance, or a bad option.
 * @throws {TypeError} If an element is not a triplet of vectors.
 * @example
 * ```ts
 * import { divergenceSelectionMetrics } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const triplets = [1, 2, 3, 4].map((k) => ({ prompt: [0, 0], chosen: [k, 0], rejected: [0, 2 * k] }));
 * const m = divergenceSelectionMetrics(triplets, { distance: "euclidean", chunks: 2 });
 * assert.equal(m.driftMagnitude, 2.5); // |mean of (k − 2k)|
 * assert.ok(Math.abs(m.kurtosis - 1.64) < 1e-12); // δ = −1, −2, −3, −4
 * ```
 */
export function divergenceSelectionMetrics(
  triplets: readonly PreferenceTriplet[],
  options: DivergenceSelectionTripletOptions = {},
): DivergenceSelectionMetrics {
  const { chosen, rejected } = tripletDistances(triplets, { distance: options.distance });
  return divergenceSelectionMetricsFromDistances(chosen, rejected, options);
}

// The rule moved to divergence_rule.ts; importers of this module keep its names.
export {
  DEFAULT_DIVERGENCE_SELECTION_THRESHOLDS,
  DIVERGENCE_SELECTION_RULES,
  type DivergenceSelection,
  type DivergenceSelectionRule,
  type DivergenceSelectionThresholds,
  type SelectableDivergence,
  selectDivergence,
} from "./divergence_rule.ts";
