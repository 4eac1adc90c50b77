/**
 * OpenAI PRM800K as step pairs, from the "stepwise-critic" layout (`Birchlabs/openai-prm800k-stepwise-critic`,
 * `data/phase{1,2}_{train,test}.stepwise-critic.parquet`): one row per candidate next step, `{instruction
 * (the problem), responses (the accepted previous steps), next_response, is_human_response,
 * is_preferred_response, rating}` with human ratings +1, 0, −1 or null.
 *
 * As in `$DPO_KERNELS_DATA_DIR/SOURCES.md`: rows are grouped by (problem, previous steps); a group with at least one
 * step rated +1 and one rated −1 gives pairs whose chosen is the +1 step (the one marked
 * `is_preferred_response` when there is one) and whose rejected is each −1 step, at most
 * {@link PRM800K_MAX_REJECTED} per group, sampled with a seeded generator. Steps rated 0 or null and
 * human-written steps are never used. The prompt is the problem, a blank line, then the previous steps one per
 * line. (The sampler is this project's mulberry32, not Python's `random.Random(800)`, so the sampled subset
 * differs from the shipped `prm800k.jsonl`.)
 *
 * @module
 */
import { type NormalizeOptions, type NormalizeResult, pairCleanerFor } from "./normalize.ts";
import { arrayField, forEachRow, numberField, requireString } from "./rows.ts";
import { DataLineError } from "../preference.ts";
import { createRandom, type Random } from "../../math/random.ts";

/** The most rejected steps paired with one prefix. */
export const PRM800K_MAX_REJECTED = 2;

/** The default sampling seed (as in SOURCES.md). */
export const PRM800K_SEED = 800;

interface Step {
  text: string;
  rating: number;
  preferred: boolean;
}

/**
 * Picks at most `k` items of a list uniformly without replacement, keeping their original order.
 *
 * @param items The list.
 * @param k The most to pick.
 * @param random The generator.
 * @returns The picked items.
 *
 * @example
 * ```ts
 * import { createRandom } from "../../math/random.ts";
 * import { sampleInOrder } from "./prm800k.ts";
 * import assert from "node:assert/strict";
 * const picked = sampleInOrder(["a", "b", "c", "d", "e"], 3, createRandom(0));
 * assert.equal(picked.length, 3);
 * assert.deepEqual(picked, [...picked].sort()); // the original order is kept
 * assert.deepEqual(sampleInOrder(["a", "b"], 5, createRandom(0)), ["a", "b"]);
 * ```
 */
export function sampleInOrder<T>(items: readonly T[], k: number, random: Random): T[] {
  if (items.length <= k) return [...items];
  const idx = items.map((_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + random.int(idx.length - i);
    [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
  }
  return idx.slice(0, k).sort((a, b) => a - b).map((i) => items[i] as T);
}

/**
 * Normalizes PRM800K stepwise-critic rows into step pairs.
 *
 * @param rows The raw rows.
 * @param options `file`, `source` (default `"prm800k"`), `category` (default `"reasoning"`), `limit`, `seed`
 * (default {@link PRM800K_SEED}).
 * @returns The pairs and the drop counts (`no_contrast`: groups without both a +1 and a −1 step;
 * `sampled_out`: −1 steps beyond the cap; `unused_step`: rows rated 0/null or written by a human).
 * @throws {DataLineError} On a row without string `instruction`/`next_response`, a non-list `responses`, or a
 * non-numeric `rating`.
 *
 * @example
 * ```ts
 * import { normalizePrm800k } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const base = { instruction: "Compute 2+3.", responses: ["We add."] };
 * const r = normalizePrm800k([
 *   { ...base, next_response: "2+3 = 5.", rating: 1, is_preferred_response: true },
 *   { ...base, next_response: "2+3 = 6.", rating: -1 },
 *   { ...base, next_response: "Hmm.", rating: 0 },
 * ]);
 * assert.deepEqual(r.pairs[0], { prompt: "Compute 2+3.\n\nWe add.", chosen: "2+3 = 5.", rejected: "2+3 = 6.",
 *   source: "prm800k", category: "reasoning" });
 * assert.deepEqual(r.dropped, { unused_step: 1 });
 * ```
 */
export function normalizePrm800k(rows: readonly unknown[], options: NormalizeOptions = {}): NormalizeResult {
  const cleaner = pairCleanerFor(options, { source: "prm800k", category: "reasoning" });
  const random = createRandom(options.seed ?? PRM800K_SEED);
  const groups = new Map<string, { prompt: string; steps: Step[] }>();
  let unused = 0;
  const n = forEachRow(rows, (row, place) => {
    const problem = requireString(row, "instruction", place);
    const previous = arrayField(row, "responses", place);
    if (!previous.every((s) => typeof s === "string")) {
      throw new DataLineError(place.file, place.row, `field "responses" must be a list of strings`);
    }
    const text = requireString(row, "next_response", place);
    const rating = numberField(row, "rating", place, { optional: true });
    if (rating !== 1 && rating !== -1 || row.is_human_response === true) {
      unused++;
      return;
    }
    const key = JSON.stringify([problem, previous]);
    const prev = (previous as string[]).map((s) => s.trim()).filter((s) => s !== "");
    const group = groups.get(key) ??
      { prompt: prev.length === 0 ? problem.trim() : `${problem.trim()}\n\n${prev.join("\n")}`, steps: [] };
    group.steps.push({ text, rating, preferred: row.is_preferred_response === true });
    groups.set(key, group);
  }, { file: options.file });
  if (unused > 0) cleaner.drop("unused_step", unused);
  for (const { prompt, steps } of groups.values()) {
    if (cleaner.full) break;
    const good = steps.filter((s) => s.rating === 1);
    const bad = steps.filter((s) => s.rating === -1);
    if (good.length === 0 || bad.length === 0) {
      cleaner.drop("no_contrast");
      continue;
    }
    const chosen = (good.find((s) => s.preferred) ?? good[0]) as Step;
    const picked = sampleInOrder(bad, PRM800K_MAX_REJECTED, random);
    if (bad.length > picked.length) cleaner.drop("sampled_out", bad.length - picked.length);
    for (const r of picked) cleaner.add({ prompt, chosen: chosen.text, rejected: r.text });
  }
  return cleaner.result(n);
}
