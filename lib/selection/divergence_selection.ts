/**
 * Data-driven divergence selection (Das et al., 2025, Sec. 5.2 and Table 4): support overlap, drift
 * magnitude, kurtosis and smoothness of the per-pair distances of a preference dataset, and the rule that
 * maps them to a divergence.
 *
 * @module
 */
import type { Matrix, Vector } from "../math/types.ts";
import {
  assertFiniteVector,
  assertInRange,
  assertInteger,
  assertNonEmpty,
  assertNonNegative,
  assertProbabilityVector,
  assertSameLength,
  describe,
} from "../math/validation.ts";
import { wassersteinDistance } from "../divergences/wasserstein.ts";
import {
  type DistanceFunction,
  type DistanceName,
  type PreferenceTriplet,
  tripletDistances,
} from "./distance.ts";
import { formatAgainst } from "./kernel_selection.ts";

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

/** numpy-compatible equal-width histogram edges over [lo, hi]: lo + i·(hi − lo)/bins, the last one hi. */
function histogramEdges(lo: number, hi: number, bins: number): Float64Array {
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

function histogram(values: Vector, from: number, to: number, lo: number, edges: Float64Array): Float64Array {
  const bins = edges.length - 1;
  const hi = edges[bins] as number;
  const counts = new Float64Array(bins);
  for (let i = from; i < to; i++) {
    const k = binOf(values[i] as number, lo, hi, edges);
    counts[k] = (counts[k] as number) + 1;
  }
  return counts;
}

function range(values: Vector): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

function supportOverlapOf(dp: Vector, dm: Vector, bins: number): number {
  const [lo1, hi1] = range(dp);
  const [lo2, hi2] = range(dm);
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

function chunkSmoothness(delta: Float64Array, chunks: number, bins: number): number {
  const n = delta.length;
  const c = Math.min(chunks, n);
  if (c < 2) return 0; // a single chunk: no transition
  const [lo, hi] = range(delta);
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

function trajectorySmoothness(trajectory: DistributionTrajectory): number {
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

/** The divergences {@link selectDivergence} can return. */
export type SelectableDivergence = "bhattacharyya" | "wasserstein" | "renyi" | "js" | "hellinger" | "kl";

/** Thresholds of the divergence rule (Sec. 5.2). */
export interface DivergenceSelectionThresholds {
  /** ε₁: support overlap above it selects Bhattacharyya. In [0, 1]; default 0.6. */
  readonly epsilon1?: number;
  /** ε₂: drift magnitude above it selects Wasserstein. ≥ 0; default 0.3. */
  readonly epsilon2?: number;
  /** ε₃: kurtosis above it selects Rényi; "kurtosis is low" means ≤ ε₃. ≥ 0; default 3. */
  readonly epsilon3?: number;
  /** "Overlap is low" means overlap < lowOverlap (selects JS). In [0, ε₁]; default 0.3. */
  readonly lowOverlap?: number;
  /** "Smoothness is low" means smoothness < lowSmoothness (selects Hellinger), in δ units. ≥ 0; default 0.05. */
  readonly lowSmoothness?: number;
}

/** The paper's defaults ε₁ = 0.6, ε₂ = 0.3, ε₃ = 3, and the two added thresholds. */
export const DEFAULT_DIVERGENCE_SELECTION_THRESHOLDS: Readonly<Required<DivergenceSelectionThresholds>> =
  Object.freeze({ epsilon1: 0.6, epsilon2: 0.3, epsilon3: 3, lowOverlap: 0.3, lowSmoothness: 0.05 });

/** One case of the divergence rule: a divergence, its condition, and the condition stated with numbers. */
export interface DivergenceSelectionRule {
  /** The divergence selected when `test` holds. */
  readonly divergence: SelectableDivergence;
  /** Whether the case applies. */
  readonly test: (
    m: DivergenceSelectionMetrics,
    t: Readonly<Required<DivergenceSelectionThresholds>>,
  ) => boolean;
  /** The condition with the actual values. */
  readonly describe: (
    m: DivergenceSelectionMetrics,
    t: Readonly<Required<DivergenceSelectionThresholds>>,
  ) => string;
}

/** The outcome of {@link selectDivergence}. */
export interface DivergenceSelection {
  /** The selected divergence. */
  readonly divergence: SelectableDivergence;
  /** A sentence with the numbers and thresholds that decided it. */
  readonly reason: string;
  /** The 1-based number of the rule that fired (6 = the "otherwise" case). */
  readonly rule: number;
}

function th(t: number): string {
  return String(Number(t.toPrecision(6)));
}

/**
 * The divergence rule of Sec. 5.2 as a table, in the paper's order; the first case that holds wins.
 *
 * 1. Bhattacharyya if overlap > ε₁.
 * 2. Wasserstein if drift > ε₂.
 * 3. Rényi if kurtosis > ε₃.
 * 4. Jensen–Shannon if overlap < lowOverlap and kurtosis ≤ ε₃.
 * 5. Hellinger if smoothness < lowSmoothness and kurtosis ≤ ε₃.
 * 6. KL otherwise.
 *
 * Read literally ("overlap is low" = not > ε₁, "kurtosis is low" = not > ε₃), case 4 would hold whenever
 * cases 1–3 fail, leaving Hellinger and KL unreachable; `lowOverlap` and `lowSmoothness` resolve this.
 *
 * @example
 * ```ts
 * import { DIVERGENCE_SELECTION_RULES } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.deepEqual(DIVERGENCE_SELECTION_RULES.map((r) => r.divergence), [
 *   "bhattacharyya", "wasserstein", "renyi", "js", "hellinger", "kl",
 * ]);
 * ```
 */
export const DIVERGENCE_SELECTION_RULES: readonly DivergenceSelectionRule[] = Object.freeze(
  [
    {
      divergence: "bhattacharyya",
      test: (m, t) => m.supportOverlap > t.epsilon1,
      describe: (m, t) =>
        `support overlap ${formatAgainst(m.supportOverlap, t.epsilon1)} > ε₁ ${th(t.epsilon1)}`,
    },
    {
      divergence: "wasserstein",
      test: (m, t) => m.driftMagnitude > t.epsilon2,
      describe: (m, t) =>
        `drift magnitude ${formatAgainst(m.driftMagnitude, t.epsilon2)} > ε₂ ${th(t.epsilon2)}`,
    },
    {
      divergence: "renyi",
      test: (m, t) => m.kurtosis > t.epsilon3,
      describe: (m, t) => `kurtosis ${formatAgainst(m.kurtosis, t.epsilon3)} > ε₃ ${th(t.epsilon3)}`,
    },
    {
      divergence: "js",
      test: (m, t) => m.supportOverlap < t.lowOverlap && m.kurtosis <= t.epsilon3,
      describe: (m, t) =>
        `support overlap ${formatAgainst(m.supportOverlap, t.lowOverlap)} < lowOverlap ${th(t.lowOverlap)} ` +
        `and kurtosis ${formatAgainst(m.kurtosis, t.epsilon3)} ≤ ε₃ ${th(t.epsilon3)}`,
    },
    {
      divergence: "hellinger",
      test: (m, t) => m.smoothness < t.lowSmoothness && m.kurtosis <= t.epsilon3,
      describe: (m, t) =>
        `smoothness ${formatAgainst(m.smoothness, t.lowSmoothness)} < lowSmoothness ${th(t.lowSmoothness)} ` +
        `and kurtosis ${formatAgainst(m.kurtosis, t.epsilon3)} ≤ ε₃ ${th(t.epsilon3)}`,
    },
    {
      divergence: "kl",
      test: () => true,
      describe: (m, t) =>
        `no earlier case holds (overlap ${formatAgainst(m.supportOverlap, t.lowOverlap)} in ` +
        `[lowOverlap ${th(t.lowOverlap)}, ε₁ ${th(t.epsilon1)}], drift ${
          formatAgainst(m.driftMagnitude, t.epsilon2)
        } ` +
        `≤ ε₂ ${th(t.epsilon2)}, kurtosis ${formatAgainst(m.kurtosis, t.epsilon3)} ≤ ε₃ ${th(t.epsilon3)}, ` +
        `smoothness ${formatAgainst(m.smoothness, t.lowSmoothness)} ≥ lowSmoothness ${th(t.lowSmoothness)})`,
    },
  ] satisfies DivergenceSelectionRule[],
);

const DIVERGENCE_LABELS: Readonly<Record<SelectableDivergence, string>> = Object.freeze({
  bhattacharyya: "Bhattacharyya",
  wasserstein: "Wasserstein",
  renyi: "Rényi",
  js: "Jensen–Shannon",
  hellinger: "Hellinger",
  kl: "KL",
});

function resolveDivergenceThresholds(
  thresholds: DivergenceSelectionThresholds,
): Readonly<Required<DivergenceSelectionThresholds>> {
  const t = { ...DEFAULT_DIVERGENCE_SELECTION_THRESHOLDS };
  for (
    const key of Object.keys(
      DEFAULT_DIVERGENCE_SELECTION_THRESHOLDS,
    ) as (keyof DivergenceSelectionThresholds)[]
  ) {
    const v = thresholds[key];
    if (v === undefined) continue;
    assertNonNegative(v, `thresholds.${key}`);
    t[key] = v;
  }
  assertInRange(t.epsilon1, "thresholds.epsilon1", 0, 1);
  if (t.lowOverlap > t.epsilon1) {
    throw new RangeError(
      `thresholds.lowOverlap must be <= thresholds.epsilon1 (${t.epsilon1}), got ${t.lowOverlap}`,
    );
  }
  return t;
}

/**
 * Chooses a divergence from the selection metrics by the rule of Sec. 5.2, evaluated as the table
 * {@link DIVERGENCE_SELECTION_RULES}: the first case that holds, in the paper's order, wins. Comparisons
 * are strict except "kurtosis is low", which is the complement of case 3 (≤ ε₃).
 *
 * The paper's cascade, read literally, always ends at Jensen–Shannon once cases 1–3 fail (overlap ≤ ε₁ and
 * kurtosis ≤ ε₃ are then "low"), so Hellinger and KL could never be chosen. Two added thresholds make the
 * words "low" concrete: JS needs overlap < `lowOverlap` (default 0.3), Hellinger needs smoothness <
 * `lowSmoothness` (default 0.05, in the units of δ = d⁺ − d⁻), and KL is the remainder.
 *
 * @param metrics `supportOverlap` in [0, 1], `driftMagnitude`, `kurtosis` and `smoothness` ≥ 0, e.g. from
 *   {@link divergenceSelectionMetrics}.
 * @param thresholds ε₁ = 0.6 (in [0, 1]), ε₂ = 0.3, ε₃ = 3 (the paper's defaults), `lowOverlap` = 0.3 (in
 *   [0, ε₁]) and `lowSmoothness` = 0.05; each finite and ≥ 0.
 * @returns `{ divergence, reason, rule }`; `reason` states the deciding numbers, `rule` is 1–6.
 * @throws {RangeError} If a metric or a threshold is out of range (naming e.g. `metrics.kurtosis` or
 *   `thresholds.lowOverlap`).
 * @example
 * ```ts
 * import { selectDivergence } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const s = selectDivergence({ supportOverlap: 0.45, driftMagnitude: 0.1, kurtosis: 4.2, smoothness: 0.2 });
 * assert.equal(s.divergence, "renyi");
 * assert.equal(s.reason, "kurtosis 4.2 > ε₃ 3 → Rényi (rule 3)");
 * const k = selectDivergence({ supportOverlap: 0.45, driftMagnitude: 0.1, kurtosis: 2, smoothness: 0.2 });
 * assert.equal(k.divergence, "kl");
 * ```
 */
export function selectDivergence(
  metrics: DivergenceSelectionMetrics,
  thresholds: DivergenceSelectionThresholds = {},
): DivergenceSelection {
  if (typeof metrics !== "object" || metrics === null) {
    throw new TypeError(
      `metrics must be an object {supportOverlap, driftMagnitude, kurtosis, smoothness}, got ${
        describe(metrics)
      }`,
    );
  }
  assertNonNegative(metrics.supportOverlap, "metrics.supportOverlap");
  assertInRange(metrics.supportOverlap, "metrics.supportOverlap", 0, 1);
  assertNonNegative(metrics.driftMagnitude, "metrics.driftMagnitude");
  assertNonNegative(metrics.kurtosis, "metrics.kurtosis");
  assertNonNegative(metrics.smoothness, "metrics.smoothness");
  const t = resolveDivergenceThresholds(thresholds);
  for (let i = 0; i < DIVERGENCE_SELECTION_RULES.length; i++) {
    const r = DIVERGENCE_SELECTION_RULES[i] as DivergenceSelectionRule;
    if (r.test(metrics, t)) {
      const rule = i + 1;
      return {
        divergence: r.divergence,
        reason: `${r.describe(metrics, t)} → ${DIVERGENCE_LABELS[r.divergence]} (rule ${rule})`,
        rule,
      };
    }
  }
  throw new Error("unreachable: the last divergence rule always holds");
}
