/**
 * Classification scores for evaluating aligned policies: precision, recall and F1 of one class, macro-F1 over
 * the classes present, and the F1 of pairwise preferences judged by implicit rewards.
 *
 * @module
 */
import { createRandom } from "../math/random.ts";
import { assertFinite, describe } from "../math/validation.ts";

/** Precision, recall and F1 of one class, with its support. */
export interface ClassScores {
  /** TP / (TP + FP); 0 when nothing was predicted as the class. */
  precision: number;
  /** TP / (TP + FN); 0 when the class has no gold example. */
  recall: number;
  /** 2PR / (P + R) = 2TP / (2TP + FP + FN); 0 when TP = 0. */
  f1: number;
  /** Gold examples of the class. */
  support: number;
}

/**
 * Precision, recall and F1 of `positive` (scikit-learn's `f1_score(..., pos_label=positive)` with
 * `zero_division=0`).
 *
 * @param gold The true labels.
 * @param predicted The predicted labels, same length.
 * @param positive The class to score.
 * @returns The class's scores.
 * @throws {RangeError} On length mismatch or empty input.
 * @example
 * ```ts
 * import { classScores } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const s = classScores(["a", "a", "b", "b"], ["a", "b", "b", "b"], "a");
 * assert.deepEqual(s, { precision: 1, recall: 0.5, f1: 2 / 3, support: 2 });
 * ```
 */
export function classScores<T>(gold: readonly T[], predicted: readonly T[], positive: T): ClassScores {
  if (!Array.isArray(gold) || gold.length === 0) {
    throw new RangeError(`gold must be a non-empty array, got ${describe(gold)}`);
  }
  if (!Array.isArray(predicted) || predicted.length !== gold.length) {
    throw new RangeError(`predicted must have gold's length ${gold.length}, got ${describe(predicted)}`);
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  gold.forEach((g, i) => {
    const p = predicted[i];
    if (p === positive && g === positive) tp++;
    else if (p === positive) fp++;
    else if (g === positive) fn++;
  });
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  return { precision, recall, f1, support: tp + fn };
}

/**
 * Macro-F1: the mean F1 over the classes present in `gold` (scikit-learn's `f1_score(average="macro",
 * labels=sorted(set(gold)))`). A prediction outside the gold classes counts as an error of its gold class.
 *
 * @param gold The true labels.
 * @param predicted The predicted labels, same length.
 * @returns The macro-F1 and each class's scores.
 * @throws {RangeError} On length mismatch or empty input.
 * @example
 * ```ts
 * import { macroF1 } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const { f1 } = macroF1(["refuse", "help", "help"], ["refuse", "refuse", "help"]);
 * assert.ok(Math.abs(f1 - (2 / 3 + 2 / 3) / 2) < 1e-15);
 * ```
 */
export function macroF1<T>(
  gold: readonly T[],
  predicted: readonly T[],
): { f1: number; classes: Map<T, ClassScores> } {
  const classes = new Map<T, ClassScores>();
  for (const c of new Set(gold)) classes.set(c, classScores(gold, predicted, c));
  const f1 = [...classes.values()].reduce((s, c) => s + c.f1, 0) / classes.size;
  return { f1, classes };
}

/** One held-out pair judged by implicit rewards. */
export interface JudgedPair {
  /** r_w − r_l: positive when the policy prefers the chosen response. */
  margin: number;
  /** The pair's category (null or absent: "all"). */
  category?: string | null;
}

/** Pairwise-preference scores: accuracy and F1, overall and per category. */
export interface PreferenceScores {
  /** Fraction of pairs with margin > 0. */
  accuracy: number;
  /** F1 of the class "the first response is the preferred one" under a seeded random presentation order. */
  f1: number;
  /** Number of pairs. */
  count: number;
}

/**
 * Accuracy and F1 of pairwise preferences judged by implicit rewards. F1 needs two classes: each pair is shown
 * in a seeded random order (label 1 when the chosen response comes first, else 0), the policy predicts 1 when
 * the first response has the larger reward, and F1 is that of class 1. With a balanced order it tracks
 * accuracy but also penalizes a policy that prefers whichever response comes first or second.
 *
 * @param pairs Margins (and categories).
 * @param options The seed of the presentation order (default 0).
 * @returns Overall scores and one entry per category.
 * @throws {RangeError} On an empty list or a non-finite margin (naming its index).
 * @example
 * ```ts
 * import { preferenceScores } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const r = preferenceScores([{ margin: 1 }, { margin: 2 }, { margin: -1 }, { margin: 3 }]);
 * assert.equal(r.overall.accuracy, 0.75);
 * ```
 */
export function preferenceScores(
  pairs: readonly JudgedPair[],
  options: { seed?: number } = {},
): { overall: PreferenceScores; byCategory: Record<string, PreferenceScores> } {
  if (!Array.isArray(pairs) || pairs.length === 0) {
    throw new RangeError(`pairs must be a non-empty array, got ${describe(pairs)}`);
  }
  const random = createRandom(options.seed ?? 0);
  const rows = pairs.map((p, i) => {
    assertFinite(p.margin, `pairs[${i}].margin`);
    const chosenFirst = random.uniform() < 0.5;
    const firstWins = chosenFirst ? p.margin > 0 : p.margin < 0;
    return {
      category: p.category ?? "all",
      gold: chosenFirst ? 1 : 0,
      predicted: firstWins ? 1 : 0,
      correct: p.margin > 0,
    };
  });
  const score = (subset: typeof rows): PreferenceScores => ({
    accuracy: subset.filter((r) => r.correct).length / subset.length,
    f1: classScores(subset.map((r) => r.gold), subset.map((r) => r.predicted), 1).f1,
    count: subset.length,
  });
  const byCategory: Record<string, PreferenceScores> = {};
  for (const c of new Set(rows.map((r) => r.category))) {
    byCategory[c] = score(rows.filter((r) => r.category === c));
  }
  return { overall: score(rows), byCategory };
}
