/**
 * UltraFeedback, binarized (`trl-lib/ultrafeedback_binarized`, and `HuggingFaceH4/ultrafeedback_binarized`'s
 * `*_prefs` splits): rows whose `chosen` and `rejected` are message lists (`[{role: "user"}, {role:
 * "assistant"}]`), with GPT-4 scores `score_chosen` and `score_rejected`, and in H4's copy a `prompt` string.
 * Pairs whose two scores are equal are dropped as `"tie"`. The prompt is the `prompt` field when present, else
 * the shared context of the two conversations.
 *
 * @module
 */
import {
  type NormalizeOptions,
  type NormalizeResult,
  normalizeRows,
  type RowNormalizerSpec,
} from "./normalize.ts";
import { messagePairRow } from "./message_pairs.ts";

/**
 * Normalizes binarized UltraFeedback rows into pairs.
 *
 * @param rows The raw rows.
 * @param options `file`, `source` (default `"ultrafeedback_binarized"`), `category` (default null), `limit`.
 * @returns The pairs and the drop counts.
 * @throws {DataLineError} On a row whose `chosen`/`rejected` are not message lists, or whose scores are not
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
  return normalizeRows(rows, ULTRAFEEDBACK, options);
}

/** UltraFeedback rows: message lists scored by `score_chosen` and `score_rejected`, with H4's `prompt`. */
const ULTRAFEEDBACK: RowNormalizerSpec = {
  source: "ultrafeedback_binarized",
  category: null,
  each: messagePairRow({ chosenScore: "score_chosen", rejectedScore: "score_rejected", prompt: "prompt" }),
};
