/**
 * A seeded two-level percentile bootstrap of any statistics over seeds × items, for a statistic that is not a
 * mean of per-item values (a cluster score of prompt embeddings, say). Each resample draws the seeds with
 * replacement and, independently, the items with replacement *within their stratum* (every stratum keeps its
 * size, so a two-group score such as Davies–Bouldin always sees both groups in their observed proportions), and
 * every named statistic reads the same resample. For a plain mean over a seeds × pairs table use
 * `bootstrapMeanInterval` (`./bootstrap.ts`), which this generalizes.
 *
 * @module
 */
import { createRandom } from "../math/random.ts";
import { describe } from "../math/validation.ts";
import {
  type BootstrapInterval,
  type BootstrapOptions,
  linearQuantile,
  resolveBootstrapOptions,
} from "./bootstrap.ts";

/** Options of {@link twoLevelBootstrap}. */
export interface TwoLevelBootstrapOptions extends BootstrapOptions {
  /**
   * The item strata, as lists of item indices that together hold every index exactly once (default: one
   * stratum of all items). Items are resampled within their stratum.
   */
  strata?: readonly (readonly number[])[];
}

function checkCount(n: number, name: string): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`${name} must be an integer >= 1, got ${describe(n)}`);
  }
}

/** Checks that `strata` partitions 0..items−1 and returns it (one stratum of every item when absent). */
function checkStrata(strata: readonly (readonly number[])[] | undefined, items: number): readonly number[][] {
  if (strata === undefined) return [Array.from({ length: items }, (_, i) => i)];
  if (!Array.isArray(strata) || strata.length === 0) {
    throw new RangeError(`options.strata must be a non-empty list of index lists, got ${describe(strata)}`);
  }
  const seen = new Array<boolean>(items).fill(false);
  strata.forEach((stratum, s) => {
    if (!Array.isArray(stratum) || stratum.length === 0) {
      throw new RangeError(
        `options.strata[${s}] must be a non-empty list of item indices, got ${describe(stratum)}`,
      );
    }
    stratum.forEach((i, k) => {
      if (!Number.isInteger(i) || i < 0 || i >= items) {
        throw new RangeError(
          `options.strata[${s}][${k}] must be an item index in [0, ${items}), got ${describe(i)}`,
        );
      }
      if (seen[i]) {
        throw new RangeError(`options.strata: item ${i} is in more than one place (at [${s}][${k}])`);
      }
      seen[i] = true;
    });
  });
  const missing = seen.indexOf(false);
  if (missing >= 0) throw new RangeError(`options.strata must hold every item index; ${missing} is missing`);
  return strata.map((stratum) => [...stratum]);
}

/**
 * Percentile-bootstrap intervals of named statistics of a two-level (seeds × items) experiment.
 *
 * The estimate is every statistic of `evaluate(0..seeds−1, 0..items−1)`. Each of `resamples` resamples draws,
 * from one generator seeded by `seed`, first `seeds` seed indices uniformly with replacement, then for every
 * stratum in order as many of its item indices as it holds, uniformly with replacement, and calls `evaluate`
 * once with them (items in stratum order); every statistic reads that value. Intervals are the
 * (1 ± level)/2 quantiles (NumPy's linear method) of each statistic's resampled values.
 *
 * @param shape The number of seeds and of items (integers ≥ 1).
 * @param evaluate The experiment's value on a resample: seed indices (length `seeds`) and item indices (length
 * `items`), repeats allowed.
 * @param statistics Named statistics of that value; each must be finite on every resample.
 * @param options `resamples` (default 4000), `level` (default 0.95), `seed` (default 0), `strata`.
 * @returns One interval per statistic, under its name.
 * @throws {RangeError} For a bad shape or option, strata that do not partition the items, or a statistic that is
 * not finite (naming it and the resample).
 * @example
 * ```ts
 * import { twoLevelBootstrap } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * // 2 seeds × 4 items; items 0–1 are one group, 2–3 the other: the gap between the groups' means.
 * const table = [[1, 2, 5, 6], [1, 3, 6, 6]];
 * const groupMean = (seeds: readonly number[], items: readonly number[]) =>
 *   seeds.reduce((s, k) => s + items.reduce((t, i) => t + table[k]![i]!, 0), 0) / (seeds.length * items.length);
 * const { gap } = twoLevelBootstrap(
 *   { seeds: 2, items: 4 },
 *   (seeds, items) => ({ low: groupMean(seeds, items.slice(0, 2)), high: groupMean(seeds, items.slice(2)) }),
 *   { gap: (v) => v.high - v.low },
 *   { strata: [[0, 1], [2, 3]], resamples: 500 },
 * );
 * assert.equal(gap.estimate, 4);
 * assert.ok(gap.lower > 2 && gap.upper <= 5);
 * ```
 */
export function twoLevelBootstrap<T, K extends string>(
  shape: { seeds: number; items: number },
  evaluate: (seeds: readonly number[], items: readonly number[]) => T,
  statistics: Readonly<Record<K, (value: T) => number>>,
  options: TwoLevelBootstrapOptions = {},
): Record<K, BootstrapInterval> {
  const { seeds, items } = shape ?? {};
  checkCount(seeds, "shape.seeds");
  checkCount(items, "shape.items");
  const { resamples, level, seed } = resolveBootstrapOptions(options);
  const strata = checkStrata(options.strata, items);
  const names = Object.keys(statistics) as K[];
  if (names.length === 0) throw new RangeError(`statistics must name at least one statistic, got none`);

  const read = (value: T, where: string): number[] =>
    names.map((name) => {
      const x = statistics[name](value);
      if (!Number.isFinite(x)) throw new RangeError(`statistic "${name}" is ${describe(x)} on ${where}`);
      return x;
    });
  const observed = read(
    evaluate(Array.from({ length: seeds }, (_, k) => k), Array.from({ length: items }, (_, i) => i)),
    "the observed data",
  );
  const random = createRandom(seed);
  const draws = names.map(() => new Array<number>(resamples));
  for (let b = 0; b < resamples; b++) {
    const seedIdx = Array.from({ length: seeds }, () => random.int(seeds));
    const itemIdx = strata.flatMap((stratum) => stratum.map(() => stratum[random.int(stratum.length)]!));
    read(evaluate(seedIdx, itemIdx), `resample ${b}`).forEach((x, j) => (draws[j]![b] = x));
  }
  const alpha = (1 - level) / 2;
  return Object.fromEntries(names.map((name, j) => {
    const sorted = draws[j]!.sort((a, b) => a - b);
    return [name, {
      estimate: observed[j]!,
      lower: linearQuantile(sorted, alpha),
      upper: linearQuantile(sorted, 1 - alpha),
      level,
      resamples,
    }];
  })) as Record<K, BootstrapInterval>;
}
