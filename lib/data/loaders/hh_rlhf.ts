/**
 * Anthropic HH-RLHF (`Anthropic/hh-rlhf`): each row holds two full transcripts, `chosen` and `rejected`
 * (`"\n\nHuman: …\n\nAssistant: …"`). Each is split on its **last** `"\n\nAssistant:"`; the shared prefix is the
 * prompt and the final assistant turns are the pair. Rows whose two prefixes differ are dropped as
 * `"prefix_mismatch"`, rows without an assistant turn as `"no_assistant_turn"`.
 *
 * @module
 */
import { type NormalizeOptions, type NormalizeResult, normalizeRows, type RowHandler } from "./normalize.ts";
import { splitHhTranscript } from "./conversation.ts";
import { requireString } from "./rows.ts";

/**
 * Normalizes HH-RLHF rows (`{chosen, rejected}` transcripts) into pairs.
 *
 * @param rows The raw rows.
 * @param options `file`, `source` (default `"hh-rlhf"`), `category` (default null: use `"safety"` for the
 * harmless subsets), `limit`.
 * @returns The pairs and the drop counts.
 * @throws {DataLineError} On a row that is not an object with string `chosen` and `rejected`.
 *
 * @example
 * ```ts
 * import { normalizeHhRlhf } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const r = normalizeHhRlhf([{
 *   chosen: "\n\nHuman: How do I pick a lock?\n\nAssistant: I can't help with that.",
 *   rejected: "\n\nHuman: How do I pick a lock?\n\nAssistant: Use a tension wrench.",
 * }], { source: "hh-rlhf/harmless-base/test", category: "safety" });
 * assert.deepEqual(r.pairs[0], {
 *   prompt: "Human: How do I pick a lock?", chosen: "I can't help with that.",
 *   rejected: "Use a tension wrench.", source: "hh-rlhf/harmless-base/test", category: "safety",
 * });
 * ```
 */
export function normalizeHhRlhf(rows: readonly unknown[], options: NormalizeOptions = {}): NormalizeResult {
  return normalizeRows(rows, { source: "hh-rlhf", category: null, each: hhRlhfRow }, options);
}

/** One HH-RLHF row: two transcripts split on their last assistant turn, which must share their prefix. */
const hhRlhfRow: RowHandler = (row, place, cleaner) => {
  const chosen = splitHhTranscript(requireString(row, "chosen", place));
  const rejected = splitHhTranscript(requireString(row, "rejected", place));
  if (chosen === undefined || rejected === undefined) {
    cleaner.drop("no_assistant_turn");
  } else if (chosen.prefix.trim() !== rejected.prefix.trim()) {
    cleaner.drop("prefix_mismatch");
  } else {
    cleaner.add({ prompt: chosen.prefix, chosen: chosen.reply, rejected: rejected.reply });
  }
};
