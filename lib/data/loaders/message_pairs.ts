/**
 * Rows that hold a preference pair as two full message lists, `chosen` and `rejected`, that share every turn
 * but the last (Capybara DPO, binarized UltraFeedback), each side optionally scored in a numeric field of its
 * own. Equal scores are dropped as `"tie"`; otherwise the pair is the two final assistant turns under the shared
 * context ({@link pairFromConversations}), with that context's prompt unless the row has a prompt field of its
 * own.
 *
 * @module
 */
import type { RowHandler } from "./normalize.ts";
import { pairFromConversations, parseMessages } from "./conversation.ts";
import { numberField, stringField } from "./rows.ts";

/** Where a message-list pair row keeps its scores and, optionally, its prompt. */
export interface MessagePairFields {
  /** The numeric field scoring the `chosen` conversation (the row's tie check skips a missing or null score). */
  chosenScore: string;
  /** The numeric field scoring the `rejected` conversation. */
  rejectedScore: string;
  /**
   * A string field that, when present and not null, is the prompt instead of the conversations' shared context
   * (default: none, the context is always the prompt).
   */
  prompt?: string;
}

/**
 * The row step ({@link RowHandler}, for `normalizeRows`) of rows `{chosen, rejected}` holding two message
 * lists: the row is dropped as `"tie"` when both scores are present and equal, as `"no_assistant_turn"` or
 * `"prefix_mismatch"` when the conversations give no pair, and otherwise its pair is added.
 *
 * @param fields The names of the two score fields and of the optional prompt field.
 * @returns The row step.
 * @throws {DataLineError} (from the step) On a row whose `chosen`/`rejected` are not message lists, whose scores
 * are not numbers, or whose prompt field is not a string.
 *
 * @example
 * ```ts
 * import { messagePairRow, normalizeRows } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const q = { role: "user", content: "2+2?" };
 * const each = messagePairRow({ chosenScore: "good", rejectedScore: "bad" });
 * const r = normalizeRows([
 *   { chosen: [q, { role: "assistant", content: "4" }], rejected: [q, { role: "assistant", content: "5" }],
 *     good: 9, bad: 2 },
 *   { chosen: [q, { role: "assistant", content: "4" }], rejected: [q, { role: "assistant", content: "22" }],
 *     good: 5, bad: 5 },
 * ], { source: "demo", category: null, each });
 * assert.deepEqual(r.pairs.map((p) => [p.prompt, p.chosen, p.rejected]), [["2+2?", "4", "5"]]);
 * assert.deepEqual(r.dropped, { tie: 1 });
 * ```
 */
export function messagePairRow(fields: MessagePairFields): RowHandler {
  return (row, place, cleaner) => {
    const chosen = parseMessages(row.chosen, "chosen", place);
    const rejected = parseMessages(row.rejected, "rejected", place);
    const sc = numberField(row, fields.chosenScore, place, { optional: true });
    const sr = numberField(row, fields.rejectedScore, place, { optional: true });
    if (sc !== undefined && sr !== undefined && sc === sr) {
      cleaner.drop("tie");
      return;
    }
    const pair = pairFromConversations(chosen, rejected);
    if ("dropped" in pair) {
      cleaner.drop(pair.dropped);
      return;
    }
    const own = fields.prompt === undefined
      ? undefined
      : stringField(row, fields.prompt, place, { optional: true });
    cleaner.add({ ...pair, prompt: own ?? pair.prompt });
  };
}
