/**
 * The cleaning rules every dataset loader shares (see `$DPO_KERNELS_DATA_DIR/SOURCES.md`): `prompt`, `chosen` and
 * `rejected` have leading and trailing whitespace stripped and nothing else changed; a pair is dropped when any
 * of the three is empty, when `chosen == rejected`, or when it repeats an earlier `(prompt, chosen, rejected)`
 * triple. Every drop is counted under its reason, together with the reasons a dataset's own normalizer adds
 * (ties, prefixes that differ, …).
 *
 * @module
 */
import type { PreferenceExample } from "../preference.ts";
import { assertInteger, describe } from "../../math/validation.ts";
import { forEachRow, type RowPlace } from "./rows.ts";
import { isPreferenceCategory, PREFERENCE_CATEGORIES, type PreferenceCategory } from "../categories.ts";

/** A normalized pair: the text, where it came from, and its category (null for general sets). */
export interface SourcedPreferenceExample extends PreferenceExample {
  /** The dataset and split, e.g. `"hh-rlhf/harmless-base/test"`. */
  source: string;
  /** The paper category when the whole source belongs to one, else null. */
  category: PreferenceCategory | null;
}

/** The shared drop reasons (datasets add their own, such as `"tie"`). */
export const DROP_REASONS: Readonly<Record<"empty" | "identical" | "duplicate", string>> = Object.freeze({
  empty: "prompt, chosen or rejected is empty after stripping",
  identical: "chosen equals rejected",
  duplicate: "repeats an earlier (prompt, chosen, rejected) triple",
});

/** What a normalizer returns. */
export interface NormalizeResult {
  /** The kept pairs, in order. */
  pairs: SourcedPreferenceExample[];
  /** How many candidate pairs were dropped, by reason. */
  dropped: Record<string, number>;
  /** How many raw rows were read. */
  rows: number;
}

/** Options every normalizer takes. */
export interface NormalizeOptions {
  /** The file the rows came from, for error messages (default `"rows"`). */
  file?: string;
  /** The `source` written on every pair (each normalizer has a default). */
  source?: string;
  /** The `category` written on every pair (each normalizer has a default). */
  category?: PreferenceCategory | null;
  /** Stop once this many pairs are kept (default: no limit). */
  limit?: number;
  /** Seed of the normalizers that sample (PRM800K, Nectar); each has its own default. */
  seed?: number;
}

/** A dataset's row normalizer: raw rows in the dataset's own format to cleaned pairs. */
export type Normalizer = (rows: readonly unknown[], options?: NormalizeOptions) => NormalizeResult;

/**
 * Applies the shared cleaning rules pair by pair, remembering the triples seen and counting drops.
 *
 * @example
 * ```ts
 * import { PairCleaner } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const c = new PairCleaner({ source: "demo", category: null });
 * c.add({ prompt: " Hi ", chosen: "Hello.\n", rejected: "Go away." });
 * c.add({ prompt: "Hi", chosen: "Hello.", rejected: "Go away." }); // duplicate after stripping
 * c.add({ prompt: "Hi", chosen: "Same", rejected: " Same" }); // identical
 * c.drop("tie");
 * const r = c.result(4);
 * assert.deepEqual(r.pairs, [{ prompt: "Hi", chosen: "Hello.", rejected: "Go away.", source: "demo", category: null }]);
 * assert.deepEqual(r.dropped, { duplicate: 1, identical: 1, tie: 1 });
 * ```
 */
export class PairCleaner {
  readonly #pairs: SourcedPreferenceExample[] = [];
  readonly #dropped: Record<string, number> = {};
  readonly #seen = new Set<string>();
  readonly #source: string;
  readonly #category: PreferenceCategory | null;
  readonly #limit: number;

  /**
   * Creates a cleaner for one source.
   *
   * @param options The `source` and `category` written on each pair, and `limit`, the number of pairs after
   * which {@link PairCleaner.full} is true and further pairs are ignored (default Infinity).
   * @throws {TypeError} If source is not a string or category is neither null nor a category.
   * @throws {RangeError} If limit is not a non-negative integer.
   */
  constructor(options: { source: string; category: PreferenceCategory | null; limit?: number }) {
    if (typeof options.source !== "string") {
      throw new TypeError(`options.source must be a string, got ${describe(options.source)}`);
    }
    if (options.category !== null && !isPreferenceCategory(options.category)) {
      throw new TypeError(
        `options.category must be null or one of ${PREFERENCE_CATEGORIES.join(", ")}, got ${
          describe(options.category)
        }`,
      );
    }
    if (options.limit !== undefined && options.limit !== Infinity) {
      assertInteger(options.limit, "options.limit");
    }
    this.#source = options.source;
    this.#category = options.category;
    this.#limit = options.limit ?? Infinity;
  }

  /** Whether `limit` pairs have been kept. */
  get full(): boolean {
    return this.#pairs.length >= this.#limit;
  }

  /**
   * Strips a candidate pair and keeps it unless it is empty, identical or a duplicate.
   *
   * @param pair The raw texts, and optionally a `source` and `category` of its own (defaults: the cleaner's).
   * @returns True if the pair was kept.
   */
  add(
    pair: {
      prompt: string;
      chosen: string;
      rejected: string;
      source?: string;
      category?: PreferenceCategory | null;
    },
  ): boolean {
    if (this.full) return false;
    const prompt = pair.prompt.trim();
    const chosen = pair.chosen.trim();
    const rejected = pair.rejected.trim();
    if (prompt === "" || chosen === "" || rejected === "") return this.drop("empty");
    if (chosen === rejected) return this.drop("identical");
    const key = JSON.stringify([prompt, chosen, rejected]);
    if (this.#seen.has(key)) return this.drop("duplicate");
    this.#seen.add(key);
    this.#pairs.push({
      prompt,
      chosen,
      rejected,
      source: pair.source ?? this.#source,
      category: pair.category === undefined ? this.#category : pair.category,
    });
    return true;
  }

  /**
   * Counts a candidate pair dropped for a dataset-specific reason.
   *
   * @param reason A short name (`"tie"`, `"prefix_mismatch"`, …).
   * @param count How many (default 1).
   * @returns Always false (so `return cleaner.drop("tie")` reads as "not kept").
   */
  drop(reason: string, count = 1): false {
    if (!this.full) this.#dropped[reason] = (this.#dropped[reason] ?? 0) + count;
    return false;
  }

  /**
   * The pairs kept and the drop counts so far.
   *
   * @param rows The number of raw rows read.
   * @returns The result.
   */
  result(rows: number): NormalizeResult {
    return { pairs: [...this.#pairs], dropped: { ...this.#dropped }, rows };
  }
}

/** A dataset's defaults for the `source` and `category` options of its normalizer. */
export interface NormalizerDefaults {
  /** The `source` written on every pair when the options name none. */
  source: string;
  /** The `category` written on every pair when the options leave it undefined (null is kept as null). */
  category: PreferenceCategory | null;
}

/**
 * The {@link PairCleaner} of one normalizer call: `options.source` (or the dataset's default when missing),
 * `options.category` (or the default when undefined) and `options.limit`.
 *
 * @param options The normalizer's options.
 * @param defaults The dataset's default source and category.
 * @returns A fresh cleaner.
 * @throws {TypeError} If the source is not a string or the category is neither null nor a category.
 * @throws {RangeError} If `options.limit` is not a non-negative integer (or Infinity).
 *
 * @example
 * ```ts
 * import { pairCleanerFor } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const c = pairCleanerFor({ limit: 1 }, { source: "prm800k", category: "reasoning" });
 * c.add({ prompt: "Q", chosen: "A", rejected: "B" });
 * assert.ok(c.full);
 * assert.deepEqual(c.result(1).pairs[0], { prompt: "Q", chosen: "A", rejected: "B", source: "prm800k",
 *   category: "reasoning" });
 * ```
 */
export function pairCleanerFor(options: NormalizeOptions, defaults: NormalizerDefaults): PairCleaner {
  return new PairCleaner({
    source: options.source ?? defaults.source,
    category: options.category === undefined ? defaults.category : options.category,
    limit: options.limit,
  });
}

/**
 * One row's step of a row-by-row normalizer: read the row's fields, then add its candidate pairs to the cleaner
 * or count why they are dropped. Malformed rows throw a `DataLineError` naming `place`.
 */
export type RowHandler = (row: Record<string, unknown>, place: RowPlace, cleaner: PairCleaner) => void;

/** A row-by-row normalizer: the dataset's default source and category, and its step for one row. */
export interface RowNormalizerSpec extends NormalizerDefaults {
  /** Reads one row (already checked to be an object) and adds or drops its candidate pairs. */
  each: RowHandler;
}

/**
 * Runs a row-by-row normalizer: builds the cleaner from the options and the dataset's defaults
 * ({@link pairCleanerFor}), hands each row in order to `spec.each` until `limit` pairs are kept, and returns the
 * kept pairs, the drop counts and the number of rows read.
 *
 * @param rows The raw rows.
 * @param spec The dataset's default `source` and `category`, and `each`, its step for one row.
 * @param options `file` (default `"rows"`), `source`, `category`, `limit` (as in {@link NormalizeOptions}).
 * @returns The pairs and the drop counts.
 * @throws {DataLineError} If a row is not an object, or whatever `spec.each` throws.
 * @throws {TypeError} On a bad `source` or `category`.
 * @throws {RangeError} On a bad `limit`.
 *
 * @example
 * ```ts
 * import { normalizeRows, requireString } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const r = normalizeRows([
 *   { q: "2+2?", good: "4", bad: "5" },
 *   { q: "1+1?", good: "2", bad: "2" },
 * ], {
 *   source: "demo",
 *   category: "reasoning",
 *   each: (row, place, cleaner) => {
 *     const prompt = requireString(row, "q", place);
 *     cleaner.add({ prompt, chosen: requireString(row, "good", place), rejected: requireString(row, "bad", place) });
 *   },
 * }, { file: "demo.jsonl" });
 * assert.deepEqual(r.pairs.map((p) => [p.prompt, p.chosen, p.category]), [["2+2?", "4", "reasoning"]]);
 * assert.deepEqual(r.dropped, { identical: 1 });
 * assert.equal(r.rows, 2);
 * ```
 */
export function normalizeRows(
  rows: readonly unknown[],
  spec: RowNormalizerSpec,
  options: NormalizeOptions = {},
): NormalizeResult {
  const cleaner = pairCleanerFor(options, spec);
  const n = forEachRow(rows, (row, place) => spec.each(row, place, cleaner), {
    file: options.file,
    until: () => cleaner.full,
  });
  return cleaner.result(n);
}

/**
 * Applies the shared cleaning rules to pairs that already have their prompt, chosen and rejected texts.
 *
 * @param pairs The raw pairs.
 * @param options `source`, `category` (default null) and `limit`.
 * @returns The kept pairs and the drop counts (`rows` is the number of input pairs).
 *
 * @example
 * ```ts
 * import { cleanPairs } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const r = cleanPairs([
 *   { prompt: "Q", chosen: " A", rejected: "B " },
 *   { prompt: "", chosen: "A", rejected: "B" },
 * ], { source: "demo" });
 * assert.equal(r.pairs.length, 1);
 * assert.deepEqual(r.dropped, { empty: 1 });
 * ```
 */
export function cleanPairs(
  pairs: Iterable<{ prompt: string; chosen: string; rejected: string }>,
  options: { source: string; category?: PreferenceCategory | null; limit?: number },
): NormalizeResult {
  const cleaner = new PairCleaner({ ...options, category: options.category ?? null });
  let n = 0;
  for (const p of pairs) {
    n++;
    if (cleaner.full) break;
    cleaner.add(p);
  }
  return cleaner.result(n);
}

/**
 * Joins the results of several files of one dataset: pairs in order, duplicates across files removed (and
 * counted), drop counts and rows summed, and at most `limit` pairs kept.
 *
 * @param results The per-file results.
 * @param limit The most pairs to keep (default Infinity).
 * @returns The joined result.
 *
 * @example
 * ```ts
 * import { cleanPairs, mergeResults } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const a = cleanPairs([{ prompt: "Q", chosen: "A", rejected: "B" }], { source: "s" });
 * const b = cleanPairs([{ prompt: "Q", chosen: "A", rejected: "B" }], { source: "s" });
 * const m = mergeResults([a, b]);
 * assert.equal(m.pairs.length, 1);
 * assert.deepEqual(m.dropped, { duplicate: 1 });
 * assert.equal(m.rows, 2);
 * ```
 */
export function mergeResults(results: readonly NormalizeResult[], limit = Infinity): NormalizeResult {
  const pairs: SourcedPreferenceExample[] = [];
  const dropped: Record<string, number> = {};
  const seen = new Set<string>();
  let rows = 0;
  for (const r of results) {
    rows += r.rows;
    for (const [reason, n] of Object.entries(r.dropped)) dropped[reason] = (dropped[reason] ?? 0) + n;
    for (const p of r.pairs) {
      if (pairs.length >= limit) break;
      const key = JSON.stringify([p.prompt, p.chosen, p.rejected]);
      if (seen.has(key)) {
        dropped.duplicate = (dropped.duplicate ?? 0) + 1;
        continue;
      }
      seen.add(key);
      pairs.push(p);
    }
  }
  return { pairs, dropped, rows };
}
