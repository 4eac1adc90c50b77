/**
 * Capybara DPO (`argilla/distilabel-capybara-dpo-7k-binarized`): multi-turn rows whose `chosen` and `rejected`
 * are full message lists that share every turn but the last, with `rating_chosen` and `rating_rejected`.
 * Equal ratings are dropped as `"tie"`; the prompt is the shared context (one user turn as it is, longer
 * contexts as an HH-style transcript).
 *
 * @module
 */
import { type NormalizeOptions, type NormalizeResult, normalizeRows } from "./normalize.ts";
import { messagePairRow } from "./message_pairs.ts";

/**
 * Normalizes Capybara DPO rows into pairs.
 *
 * @param rows The raw rows.
 * @param options `file`, `source` (default `"capybara-dpo-7k"`), `category` (default null), `limit`.
 * @returns The pairs and the drop counts.
 * @throws {DataLineError} On a row whose `chosen`/`rejected` are not message lists, or whose ratings are not
 * numbers.
 *
 * @example
 * ```ts
 * import { normalizeCapybara } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const ctx = [{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello!" },
 *   { role: "user", content: "Name a color." }];
 * const r = normalizeCapybara([{
 *   chosen: [...ctx, { role: "assistant", content: "Blue." }],
 *   rejected: [...ctx, { role: "assistant", content: "Seven." }],
 *   rating_chosen: 5, rating_rejected: 1,
 * }]);
 * assert.equal(r.pairs[0]?.prompt, "Human: Hi\n\nAssistant: Hello!\n\nHuman: Name a color.");
 * ```
 */
export function normalizeCapybara(rows: readonly unknown[], options: NormalizeOptions = {}): NormalizeResult {
  return normalizeRows(rows, { source: "capybara-dpo-7k", category: null, each: capybaraRow }, options);
}

/** One Capybara row: message lists scored by `rating_chosen` and `rating_rejected`. */
const capybaraRow = messagePairRow({ chosenScore: "rating_chosen", rejectedScore: "rating_rejected" });
