/**
 * The protocol's primary metric: held-out pairwise accuracy, the share of pairs whose chosen response gets the
 * higher implicit reward (r_w > r_l), ties counted ½, per category and overall.
 *
 * @module
 */
import { describe } from "../math/validation.ts";

/**
 * Per-pair scores: 1 where the chosen reward is higher, ½ on a tie, 0 where the rejected one is higher.
 *
 * @param chosen Rewards of the chosen responses r_w.
 * @param rejected Rewards of the rejected responses r_l, same length.
 * @returns One score per pair.
 * @throws {RangeError} If the lengths differ or a reward is NaN.
 * @example
 * ```ts
 * import { pairScores } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.deepEqual(pairScores([1, 0, 2], [0, 0, 3]), [1, 0.5, 0]);
 * ```
 */
export function pairScores(chosen: readonly number[], rejected: readonly number[]): number[] {
  if (!Array.isArray(chosen) || !Array.isArray(rejected) || chosen.length !== rejected.length) {
    throw new RangeError(
      `chosen and rejected must be arrays of one length, got ${describe(chosen)} and ${describe(rejected)}`,
    );
  }
  return chosen.map((w, i) => {
    const l = rejected[i] as number;
    if (Number.isNaN(w) || Number.isNaN(l)) {
      throw new RangeError(`rewards must not be NaN, got ${describe(w)} and ${describe(l)} at pair ${i}`);
    }
    return w > l ? 1 : w === l ? 0.5 : 0;
  });
}

/**
 * Pairwise accuracy: the mean of {@link pairScores}.
 *
 * @param chosen Rewards of the chosen responses.
 * @param rejected Rewards of the rejected responses.
 * @returns The accuracy in [0, 1].
 * @throws {RangeError} If the lengths differ, are 0, or a reward is NaN.
 * @example
 * ```ts
 * import { pairwiseAccuracy } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(pairwiseAccuracy([1, 0, 2, 5], [0, 0, 3, 1]), 0.625);
 * ```
 */
export function pairwiseAccuracy(chosen: readonly number[], rejected: readonly number[]): number {
  const scores = pairScores(chosen, rejected);
  if (scores.length === 0) throw new RangeError("chosen must hold at least one pair, got []");
  return scores.reduce((s, v) => s + v, 0) / scores.length;
}

/** Accuracy and count of one group. */
export interface GroupAccuracy {
  /** Mean score. */
  accuracy: number;
  /** Pairs in the group. */
  count: number;
}

/**
 * Mean scores per category and over all pairs (key `"overall"`).
 *
 * @param scores Per-pair scores (from {@link pairScores}).
 * @param categories The category of each pair.
 * @returns A record from category (and `"overall"`) to accuracy and count, categories in first-seen order.
 * @throws {RangeError} If the lengths differ or there are no pairs.
 * @example
 * ```ts
 * import { accuracyByCategory } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.deepEqual(accuracyByCategory([1, 0, 0.5, 1], ["a", "a", "b", "b"]), {
 *   a: { accuracy: 0.5, count: 2 },
 *   b: { accuracy: 0.75, count: 2 },
 *   overall: { accuracy: 0.625, count: 4 },
 * });
 * ```
 */
export function accuracyByCategory(
  scores: readonly number[],
  categories: readonly string[],
): Record<string, GroupAccuracy> {
  if (!Array.isArray(scores) || !Array.isArray(categories) || scores.length !== categories.length) {
    throw new RangeError(
      `scores and categories must be arrays of one length, got ${describe(scores)} and ${
        describe(categories)
      }`,
    );
  }
  if (scores.length === 0) throw new RangeError("scores must hold at least one pair, got []");
  const sums = new Map<string, [number, number]>();
  scores.forEach((s, i) => {
    const c = categories[i] as string;
    const entry = sums.get(c) ?? [0, 0];
    sums.set(c, [entry[0] + s, entry[1] + 1]);
  });
  const out: Record<string, GroupAccuracy> = {};
  for (const [c, [sum, count]] of sums) out[c] = { accuracy: sum / count, count };
  out.overall = { accuracy: scores.reduce((s, v) => s + v, 0) / scores.length, count: scores.length };
  return out;
}
