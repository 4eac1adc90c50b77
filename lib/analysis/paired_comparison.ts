/**
 * A method compared with DPO on the same held-out pairs and training seeds: the mean paired difference of
 * pair scores, its paired percentile-bootstrap interval (seeds and pairs resampled together for both
 * methods), and a two-sided sign-flip permutation test on the per-pair differences averaged over seeds (exact
 * enumeration of all 2ⁿ sign patterns when that is at most the resample count, as `scipy.stats.permutation_test`
 * with `permutation_type="samples"` does; Monte Carlo otherwise).
 *
 * @module
 */
import { createRandom } from "../math/random.ts";
import { describe } from "../math/validation.ts";
import { bootstrapMeanInterval, type BootstrapOptions } from "./bootstrap.ts";

/** Options of {@link signFlipTest}. */
export interface SignFlipOptions {
  /** Random sign patterns when exact enumeration would exceed it (default 9999, scipy's default). */
  resamples?: number;
  /** Seed of the Monte Carlo draws (default 0). */
  seed?: number;
}

/** The result of {@link signFlipTest}. */
export interface SignFlipResult {
  /** The observed mean. */
  statistic: number;
  /** Two-sided p-value: min(1, 2·min(P(T ≤ t), P(T ≥ t))) under random signs. */
  pValue: number;
  /** True when all 2ⁿ sign patterns were enumerated. */
  exact: boolean;
}

/**
 * The two-sided sign-flip (paired permutation) test of a zero mean: under the null each difference is equally
 * likely to have either sign. Comparisons use scipy's relative tolerance (100 ulp of the observed value). Exact
 * when 2ⁿ ≤ resamples; otherwise p = (1 + #extreme) / (1 + resamples) per side, as scipy.
 *
 * @param differences Paired differences (method − baseline), one per unit.
 * @param options `resamples` (default 9999), `seed` (default 0).
 * @returns The mean, the p-value and whether it was exact.
 * @throws {RangeError} If differences is empty or not finite, or resamples is not an integer ≥ 1.
 * @example
 * ```ts
 * import { signFlipTest } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * // Exact: of the 8 sign patterns only (1, 2, 3) and (−1, −2, −3) reach |mean| 2.
 * assert.deepEqual(signFlipTest([1, 2, 3]), { statistic: 2, pValue: 0.25, exact: true });
 * ```
 */
export function signFlipTest(differences: readonly number[], options: SignFlipOptions = {}): SignFlipResult {
  const { resamples = 9999, seed = 0 } = options;
  if (!Array.isArray(differences) || differences.length === 0) {
    throw new RangeError(`differences must be a non-empty array, got ${describe(differences)}`);
  }
  differences.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new RangeError(`differences[${i}] must be finite, got ${describe(v)}`);
  });
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(`options.resamples must be an integer >= 1, got ${describe(resamples)}`);
  }
  const n = differences.length;
  const statistic = differences.reduce((s, v) => s + v, 0) / n;
  const gamma = Math.abs(statistic) * 100 * Number.EPSILON;
  let less = 0;
  let greater = 0;
  const count = (t: number): void => {
    if (t <= statistic + gamma) less++;
    if (t >= statistic - gamma) greater++;
  };
  const exact = n < 31 && 2 ** n <= resamples;
  if (exact) {
    for (let mask = 0; mask < 2 ** n; mask++) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        sum += (mask >> i) & 1 ? -(differences[i] as number) : differences[i] as number;
      }
      count(sum / n);
    }
    const total = 2 ** n;
    return { statistic, pValue: Math.min(1, 2 * Math.min(less / total, greater / total)), exact };
  }
  const random = createRandom(seed);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      sum += random.int(2) === 0 ? differences[i] as number : -(differences[i] as number);
    }
    count(sum / n);
  }
  const p = (k: number): number => (k + 1) / (resamples + 1);
  return { statistic, pValue: Math.min(1, 2 * Math.min(p(less), p(greater))), exact };
}

/** The result of {@link pairedComparison}. */
export interface PairedComparison {
  /** Mean score difference, method − baseline, over seeds and pairs. */
  difference: number;
  /** Lower end of the paired bootstrap interval of the difference. */
  lower: number;
  /** Upper end. */
  upper: number;
  /** The confidence level. */
  level: number;
  /** Sign-flip p-value on the per-pair differences averaged over seeds. */
  pValue: number;
  /** Whether the p-value was exact. */
  exact: boolean;
  /** Seeds. */
  seeds: number;
  /** Pairs. */
  pairs: number;
}

/**
 * Compares a method with a baseline (DPO) on the same seeds × pairs: difference of mean pair scores, its paired
 * percentile-bootstrap interval (see `bootstrapMeanInterval`) and a sign-flip p-value.
 *
 * @param method The method's pair scores, one row per seed (seed s trained with the same seed as the
 * baseline's row s), one column per held-out pair.
 * @param baseline The baseline's pair scores, same shape and order.
 * @param options Bootstrap options (`resamples` also bounds the permutation test; `seed` seeds both).
 * @returns The difference, its interval and p-value, and the design's size.
 * @throws {RangeError} If the tables are empty, ragged, not finite, or of different shapes.
 * @example
 * ```ts
 * import { pairedComparison } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const c = pairedComparison([[1, 1, 0, 1, 1, 0]], [[0, 1, 0, 0, 1, 0]], { seed: 3 });
 * assert.equal(c.difference, 1 / 3);
 * assert.equal(c.pValue, 0.5); // exact over the 2⁶ sign patterns
 * assert.ok(c.lower <= c.difference && c.difference <= c.upper);
 * ```
 */
export function pairedComparison(
  method: readonly (readonly number[])[],
  baseline: readonly (readonly number[])[],
  options: BootstrapOptions = {},
): PairedComparison {
  if (!Array.isArray(method) || !Array.isArray(baseline) || method.length !== baseline.length) {
    throw new RangeError(
      `method and baseline must have the same seeds, got ${describe(method)} and ${describe(baseline)}`,
    );
  }
  const differences = method.map((row, s) => {
    const other = baseline[s];
    if (!Array.isArray(row) || !Array.isArray(other) || row.length !== other.length) {
      throw new RangeError(`method[${s}] and baseline[${s}] must hold the same pairs, got ${describe(row)}`);
    }
    return row.map((v, i) => v - (other[i] as number));
  });
  const interval = bootstrapMeanInterval(differences, options);
  const pairs = (differences[0] as number[]).length;
  const perPair = Array.from(
    { length: pairs },
    (_, i) => differences.reduce((s, row) => s + (row[i] as number), 0) / differences.length,
  );
  const test = signFlipTest(perPair, { resamples: options.resamples ?? 9999, seed: options.seed ?? 0 });
  return {
    difference: interval.estimate,
    lower: interval.lower,
    upper: interval.upper,
    level: interval.level,
    pValue: test.pValue,
    exact: test.exact,
    seeds: differences.length,
    pairs,
  };
}
