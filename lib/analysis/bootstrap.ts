/**
 * Seeded percentile-bootstrap intervals for a mean over a seeds × pairs table: each resample draws the seeds
 * with replacement and, independently, the pairs with replacement (the same pair indices for every drawn
 * seed), so both sources of variation — which pairs were held out and which training seed ran — widen the
 * interval. With one seed it is the ordinary one-sample percentile bootstrap of the mean (scipy's
 * `scipy.stats.bootstrap(method="percentile")`).
 *
 * @module
 */
import { mean } from "simple-statistics";
import { createRandom } from "../math/random.ts";
import { describe } from "../math/validation.ts";

/** Options of the bootstrap functions. */
export interface BootstrapOptions {
  /** Bootstrap resamples (default 4000). */
  resamples?: number;
  /** Confidence level (default 0.95). */
  level?: number;
  /** Seed of the resampling generator (default 0): the interval is a deterministic function of it. */
  seed?: number;
}

/** A point estimate with its percentile-bootstrap interval. */
export interface BootstrapInterval {
  /** The statistic on the observed table. */
  estimate: number;
  /** Lower end of the interval. */
  lower: number;
  /** Upper end of the interval. */
  upper: number;
  /** The confidence level. */
  level: number;
  /** The resamples used. */
  resamples: number;
}

/**
 * The q-quantile of sorted values with linear interpolation between order statistics (NumPy's default
 * `np.percentile(…, method="linear")`, which scipy's percentile bootstrap uses).
 *
 * @param sorted Values in ascending order (non-empty).
 * @param q The quantile in [0, 1].
 * @returns The interpolated quantile.
 * @throws {RangeError} If sorted is empty or q is outside [0, 1].
 * @example
 * ```ts
 * import { linearQuantile } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(linearQuantile([1, 2, 3, 4], 0.5), 2.5);
 * assert.equal(linearQuantile([1, 2, 3, 4], 0.25), 1.75);
 * ```
 */
export function linearQuantile(sorted: readonly number[], q: number): number {
  if (!Array.isArray(sorted) || sorted.length === 0) {
    throw new RangeError(`sorted must be a non-empty array, got ${describe(sorted)}`);
  }
  if (!(q >= 0 && q <= 1)) throw new RangeError(`q must lie in [0, 1], got ${describe(q)}`);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

/** Checks a seeds × pairs table and returns its shape. */
function tableShape(table: readonly (readonly number[])[], name: string): [number, number] {
  if (!Array.isArray(table) || table.length === 0) {
    throw new RangeError(`${name} must be a non-empty seeds × pairs table, got ${describe(table)}`);
  }
  const n = (table[0] as readonly number[])?.length;
  table.forEach((row, s) => {
    if (!Array.isArray(row) || row.length !== n || n === 0) {
      throw new RangeError(`${name}[${s}] must hold ${n} pair values (> 0), got ${describe(row)}`);
    }
    row.forEach((v, i) => {
      if (!Number.isFinite(v)) throw new RangeError(`${name}[${s}][${i}] must be finite, got ${describe(v)}`);
    });
  });
  return [table.length, n as number];
}

/**
 * The bootstrap options with their defaults filled in, checked.
 *
 * @param options `resamples` (default 4000), `level` (default 0.95), `seed` (default 0).
 * @returns Every option set.
 * @throws {RangeError} For resamples that are not an integer ≥ 1, a level outside (0, 1) or a seed that is not
 * an integer, naming the option and the value.
 * @example
 * ```ts
 * import { resolveBootstrapOptions } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.deepEqual(resolveBootstrapOptions({ seed: 3 }), { resamples: 4000, level: 0.95, seed: 3 });
 * assert.throws(() => resolveBootstrapOptions({ level: 1 }), /options\.level must lie in \(0, 1\)/);
 * ```
 */
export function resolveBootstrapOptions(options: BootstrapOptions = {}): Required<BootstrapOptions> {
  const { resamples = 4000, level = 0.95, seed = 0 } = options;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(`options.resamples must be an integer >= 1, got ${describe(resamples)}`);
  }
  if (!(level > 0 && level < 1)) {
    throw new RangeError(`options.level must lie in (0, 1), got ${describe(level)}`);
  }
  if (!Number.isInteger(seed)) throw new RangeError(`options.seed must be an integer, got ${describe(seed)}`);
  return { resamples, level, seed };
}

/**
 * The bootstrap distribution of the grand mean of a seeds × pairs table (seeds and pairs resampled
 * independently, see the module note).
 *
 * @param table Values, one row per seed, one column per pair (e.g. pair scores or paired differences).
 * @param resamples How many resamples.
 * @param seed The resampling seed.
 * @returns The resampled means, unsorted.
 * @throws {RangeError} If the table is empty, ragged or not finite.
 * @example
 * ```ts
 * import { bootstrapMeans } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.deepEqual(bootstrapMeans([[1, 1, 1]], 3, 0), [1, 1, 1]);
 * assert.ok(bootstrapMeans([[0, 1], [1, 1]], 100, 7).every((m) => m >= 0 && m <= 1));
 * ```
 */
export function bootstrapMeans(
  table: readonly (readonly number[])[],
  resamples: number,
  seed: number,
): number[] {
  const [seeds, pairs] = tableShape(table, "table");
  const random = createRandom(seed);
  const out = new Array<number>(resamples);
  const pick = new Array<number>(pairs);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < pairs; i++) pick[i] = random.int(pairs);
    let sum = 0;
    for (let s = 0; s < seeds; s++) {
      const row = table[seeds === 1 ? 0 : random.int(seeds)] as readonly number[];
      for (let i = 0; i < pairs; i++) sum += row[pick[i] as number] as number;
    }
    out[b] = sum / (seeds * pairs);
  }
  return out;
}

/**
 * The grand mean of a seeds × pairs table with a seeded percentile-bootstrap interval (seeds and pairs
 * resampled independently). Percentile, not BCa: the statistic is a mean of bounded scores.
 *
 * @param table Values, one row per seed, one column per pair (e.g. pair scores in {0, ½, 1}).
 * @param options `resamples` (default 4000), `level` (default 0.95), `seed` (default 0).
 * @returns The estimate and the interval.
 * @throws {RangeError} If the table is empty, ragged or not finite, or an option is out of range.
 * @example
 * ```ts
 * import { bootstrapMeanInterval } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const { estimate, lower, upper } = bootstrapMeanInterval([[1, 0, 1, 1], [1, 1, 0, 1]], { seed: 1 });
 * assert.equal(estimate, 0.75);
 * assert.ok(lower < 0.75 && upper === 1);
 * ```
 */
export function bootstrapMeanInterval(
  table: readonly (readonly number[])[],
  options: BootstrapOptions = {},
): BootstrapInterval {
  const { resamples, level, seed } = resolveBootstrapOptions(options);
  tableShape(table, "table");
  const means = bootstrapMeans(table, resamples, seed).sort((a, b) => a - b);
  const alpha = (1 - level) / 2;
  return {
    estimate: mean(table.flat()),
    lower: linearQuantile(means, alpha),
    upper: linearQuantile(means, 1 - alpha),
    level,
    resamples,
  };
}
