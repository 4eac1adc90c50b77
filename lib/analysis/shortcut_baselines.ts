/**
 * Prompt-blind shortcut baselines for a preference benchmark (DESIGN.md §6): rules that rank a held-out pair
 * from its two responses alone, fitted on the training pairs of the same category. If any of them ranks
 * held-out pairs well above chance, the benchmark rewards memorized responses rather than reading the prompt.
 *
 * - `frequency`: prefers the response with the higher chosen rate in training (times the exact string was
 *   chosen over times it appeared in a training pair; ½ for a string never seen).
 * - `length`: prefers the longer response, or the shorter one, whichever direction is right more often in
 *   training.
 * - `bag_of_words`: a logistic regression (C = 1, no intercept) on the difference of the two responses'
 *   bag-of-words counts (tokens: runs of letters, case kept, runs of digits, single punctuation marks),
 *   trained on every training pair in both orientations.
 *
 * A pair scores 1 when the rule prefers the chosen response, ½ on a tie, 0 otherwise; accuracies carry a
 * seeded percentile-bootstrap interval over pairs.
 *
 * @module
 */
import { describe } from "../math/validation.ts";
import { bootstrapMeanInterval, type BootstrapOptions } from "./bootstrap.ts";
import { fitLogisticRegression } from "./logistic_regression.ts";

/** What a baseline needs of a pair: the two responses and, optionally, the category. */
export interface ResponsePair {
  /** The preferred response. */
  chosen: string;
  /** The dispreferred response. */
  rejected: string;
  /** The category (pairs without one form the category `"all"`). */
  category?: string | null;
}

/** A fitted prompt-blind rule: a score of response a over response b (> 0 prefers a, 0 is a tie). */
export type PairRule = (a: string, b: string) => number;

/** The names of the shortcut baselines. */
export type ShortcutName = "frequency" | "length" | "bag_of_words";

/**
 * The tokens of a response for the bag-of-words baseline: runs of ASCII letters (case kept), runs of
 * digits, and every other non-space character alone.
 *
 * @param text A response.
 * @returns Its tokens, in order.
 * @example
 * ```ts
 * import { responseTokens } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.deepEqual(responseTokens("In Tomra.\n"), ["In", "Tomra", "."]);
 * ```
 */
export function responseTokens(text: string): string[] {
  if (typeof text !== "string") throw new TypeError(`text must be a string, got ${describe(text)}`);
  return text.match(/[A-Za-z]+|\d+|[^\sA-Za-z\d]/g) ?? [];
}

const fitFrequency = (train: readonly ResponsePair[]): PairRule => {
  const counts = new Map<string, [number, number]>();
  const add = (text: string, chosen: number): void => {
    const [c, n] = counts.get(text) ?? [0, 0];
    counts.set(text, [c + chosen, n + 1]);
  };
  for (const p of train) {
    add(p.chosen, 1);
    add(p.rejected, 0);
  }
  const rate = (text: string): number => {
    const [c, n] = counts.get(text) ?? [0, 0];
    return n === 0 ? 0.5 : c / n;
  };
  return (a, b) => rate(a) - rate(b);
};

const fitLength = (train: readonly ResponsePair[]): PairRule => {
  const vote = train.reduce((s, p) => s + Math.sign(p.chosen.length - p.rejected.length), 0);
  const direction = Math.sign(vote);
  return (a, b) => direction * (a.length - b.length);
};

const fitBagOfWords = (train: readonly ResponsePair[]): PairRule => {
  const vocabulary = new Map<string, number>();
  for (const p of train) {
    for (const t of [...responseTokens(p.chosen), ...responseTokens(p.rejected)]) {
      if (!vocabulary.has(t)) vocabulary.set(t, vocabulary.size);
    }
  }
  const difference = (a: string, b: string): number[] => {
    const x = new Array<number>(vocabulary.size).fill(0);
    for (const t of responseTokens(a)) {
      const j = vocabulary.get(t);
      if (j !== undefined) x[j] = (x[j] as number) + 1;
    }
    for (const t of responseTokens(b)) {
      const j = vocabulary.get(t);
      if (j !== undefined) x[j] = (x[j] as number) - 1;
    }
    return x;
  };
  if (train.length === 0 || vocabulary.size === 0) return () => 0;
  const rows: number[][] = [];
  const labels: number[] = [];
  for (const p of train) {
    const x = difference(p.chosen, p.rejected);
    rows.push(x, x.map((v) => -v));
    labels.push(1, 0);
  }
  const { weights } = fitLogisticRegression(rows, labels, { fitIntercept: false });
  return (a, b) => difference(a, b).reduce((s, v, j) => s + v * (weights[j] as number), 0);
};

/** The baselines: each fits a {@link PairRule} on training pairs. */
export const SHORTCUT_BASELINES: Readonly<
  Record<ShortcutName, (train: readonly ResponsePair[]) => PairRule>
> = {
  frequency: fitFrequency,
  length: fitLength,
  bag_of_words: fitBagOfWords,
};

/** One row of {@link shortcutBaselines}. */
export interface ShortcutRow {
  /** The baseline. */
  baseline: ShortcutName;
  /** The category, or `"overall"`. */
  category: string;
  /** Held-out pairwise accuracy (ties ½). */
  accuracy: number;
  /** Lower end of the bootstrap interval. */
  lower: number;
  /** Upper end. */
  upper: number;
  /** Held-out pairs. */
  count: number;
}

/**
 * Fits every shortcut baseline per category on the training pairs and scores the held-out pairs of that
 * category; also the overall accuracy (over all held-out pairs, each scored by its category's rule).
 *
 * @param train Training pairs.
 * @param test Held-out pairs.
 * @param options Bootstrap options for the intervals (default 4000 resamples, level 0.95, seed 0).
 * @returns One row per baseline and category (categories in the held-out order of first appearance, then
 * `"overall"`).
 * @throws {RangeError} If test is empty or a pair's responses are not strings.
 * @example
 * ```ts
 * import { shortcutBaselines } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const train = [{ chosen: "Yes\n", rejected: "No\n" }, { chosen: "Yes\n", rejected: "Maybe\n" }];
 * const rows = shortcutBaselines(train, [{ chosen: "Yes\n", rejected: "No\n" }], { resamples: 10 });
 * assert.equal(rows.find((r) => r.baseline === "frequency" && r.category === "all")?.accuracy, 1);
 * ```
 */
export function shortcutBaselines(
  train: readonly ResponsePair[],
  test: readonly ResponsePair[],
  options: BootstrapOptions = {},
): ShortcutRow[] {
  if (!Array.isArray(test) || test.length === 0) {
    throw new RangeError(`test must hold at least one pair, got ${describe(test)}`);
  }
  for (const [name, pairs] of [["train", train], ["test", test]] as const) {
    pairs.forEach((p, i) => {
      if (typeof p?.chosen !== "string" || typeof p?.rejected !== "string") {
        throw new RangeError(`${name}[${i}] must have string chosen and rejected, got ${describe(p)}`);
      }
    });
  }
  const categoryOf = (p: ResponsePair): string => p.category ?? "all";
  const categories = [...new Set(test.map(categoryOf))];
  const rows: ShortcutRow[] = [];
  for (const baseline of Object.keys(SHORTCUT_BASELINES) as ShortcutName[]) {
    const all: number[] = [];
    const row = (category: string, scores: number[]): ShortcutRow => {
      const interval = bootstrapMeanInterval([scores], options);
      return {
        baseline,
        category,
        accuracy: interval.estimate,
        lower: interval.lower,
        upper: interval.upper,
        count: scores.length,
      };
    };
    for (const category of categories) {
      const rule = SHORTCUT_BASELINES[baseline](train.filter((p) => categoryOf(p) === category));
      const scores = test.filter((p) => categoryOf(p) === category).map((p) => {
        const s = rule(p.chosen, p.rejected);
        return s > 0 ? 1 : s === 0 ? 0.5 : 0;
      });
      all.push(...scores);
      rows.push(row(category, scores));
    }
    rows.push(row("overall", all));
  }
  return rows;
}
