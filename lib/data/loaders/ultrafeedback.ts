/**
 * UltraFeedback, binarized (`trl-lib/ultrafeedback_binarized`, and `HuggingFaceH4/ultrafeedback_binarized`'s
 * `*_prefs` splits): rows whose `chosen` and `rejected` are message lists (`[{role: "user"}, {role:
 * "assistant"}]`), with GPT-4 scores `score_chosen` and `score_rejected`, and in H4's copy a `prompt` string.
 * Pairs whose two scores are equal are dropped as `"tie"`. The prompt is the `prompt` field when present, else
 * the shared context of the two conversations.
 *
 * @module
 */
import { type NormalizeOptions, type NormalizeResult, PairCleaner } from "./normalize.ts";
import { pairFromConversations, parseMessages } from "./conversation.ts";
import { asRecord, numberField, stringField } from "./rows.ts";

/**
 * Normalizes binarized UltraFeedback rows into pairs.
 *
 * @param rows The raw rows.
 * @param options `file`, `source` (default `"ultrafeedback_binarized"`), `category` (default null), `limit`.
 * @returns The pairs and the drop counts.
 * @throws {DataRowError} On a row whose `chosen`/`rejected` are not message lists, or whose scores are not
 * numbers.
 *
 * @example
 * ```ts
 * import { normalizeUltraFeedback } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const u = { role: "user", content: "Capital of France?" };
 * const r = normalizeUltraFeedback([{
 *   chosen: [u, { role: "assistant", content: "Paris." }],
 *   rejected: [u, { role: "assistant", content: "Lyon." }],
 *   score_chosen: 9, score_rejected: 3,
 * }]);
 * assert.deepEqual([r.pairs[0]?.prompt, r.pairs[0]?.chosen], ["Capital of France?", "Paris."]);
 * ```
 */
export function normalizeUltraFeedback(
  rows: readonly unknown[],
  options: NormalizeOptions = {},
): NormalizeResult {
  const file = options.file ?? "rows";
  const cleaner = new PairCleaner({
    source: options.source ?? "ultrafeedback_binarized",
    category: options.category ?? null,
    limit: options.limit,
  });
  let n = 0;
  for (const raw of rows) {
    if (cleaner.full) break;
    const place = { file, row: ++n };
    const row = asRecord(raw, place);
    const chosen = parseMessages(row.chosen, "chosen", place);
    const rejected = parseMessages(row.rejected, "rejected", place);
    const sc = numberField(row, "score_chosen", place, { optional: true });
    const sr = numberField(row, "score_rejected", place, { optional: true });
    if (sc !== undefined && sr !== undefined && sc === sr) {
      cleaner.drop("tie");
      continue;
    }
    const pair = pairFromConversations(chosen, rejected);
    if ("dropped" in pair) {
      cleaner.drop(pair.dropped);
      continue;
    }
    const prompt = stringField(row, "prompt", place, { optional: true }) ?? pair.prompt;
    cleaner.add({ ...pair, prompt });
  }
  return cleaner.result(n);
}
