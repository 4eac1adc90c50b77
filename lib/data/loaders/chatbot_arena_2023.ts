/**
 * Chatbot Arena conversations, 2023 (`lmsys/chatbot_arena_conversations`, gated; also the layout of
 * `lmarena-ai/arena-human-preference-100k`): rows `{model_a, model_b, winner, conversation_a, conversation_b,
 * …}` with `winner` one of `"model_a"`, `"model_b"`, `"tie"`, `"tie (bothbad)"`. Ties are dropped (`"tie"`);
 * multi-turn battles whose earlier turns differ have no shared prompt (`"prefix_mismatch"`).
 *
 * @module
 */
import {
  type NormalizeOptions,
  type NormalizeResult,
  normalizeRows,
  type PairCleaner,
  type RowHandler,
  type RowNormalizerSpec,
} from "./normalize.ts";
import { type ChatMessage, pairFromConversations, parseMessages } from "./conversation.ts";
import { requireString } from "./rows.ts";
import { DataLineError } from "../preference.ts";

/** Which side each `winner` value prefers (undefined: a tie). */
export const ARENA_WINNERS: Readonly<Record<string, "a" | "b" | undefined>> = Object.freeze({
  model_a: "a",
  model_b: "b",
  tie: undefined,
  "tie (bothbad)": undefined,
});

/**
 * Normalizes Chatbot Arena 2023 rows into pairs.
 *
 * @param rows The raw rows.
 * @param options `file`, `source` (default `"chatbot_arena_conversations"`), `category` (default null),
 * `limit`.
 * @returns The pairs and the drop counts.
 * @throws {DataLineError} On a row whose conversations are not message lists or whose `winner` is unknown.
 *
 * @example
 * ```ts
 * import { normalizeChatbotArena2023 } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const q = { role: "user", content: "Write a haiku." };
 * const r = normalizeChatbotArena2023([
 *   { winner: "model_b", conversation_a: [q, { role: "assistant", content: "No." }],
 *     conversation_b: [q, { role: "assistant", content: "Old pond, frog jumps in." }] },
 *   { winner: "tie", conversation_a: [q, { role: "assistant", content: "A" }],
 *     conversation_b: [q, { role: "assistant", content: "B" }] },
 * ]);
 * assert.equal(r.pairs[0]?.chosen, "Old pond, frog jumps in.");
 * assert.deepEqual(r.dropped, { tie: 1 });
 * ```
 */
export function normalizeChatbotArena2023(
  rows: readonly unknown[],
  options: NormalizeOptions = {},
): NormalizeResult {
  return normalizeRows(rows, ARENA_2023, options);
}

/** One 2023 battle: the `winner` and the two conversations. */
const arena2023Row: RowHandler = (row, place, cleaner) => {
  const winner = requireString(row, "winner", place);
  if (!Object.hasOwn(ARENA_WINNERS, winner)) {
    throw new DataLineError(
      place.file,
      place.row,
      `field "winner" must be one of ${Object.keys(ARENA_WINNERS).join(", ")}, got ${JSON.stringify(winner)}`,
    );
  }
  const a = parseMessages(row.conversation_a, "conversation_a", place);
  const b = parseMessages(row.conversation_b, "conversation_b", place);
  addBattle(cleaner, ARENA_WINNERS[winner], a, b);
};

/** Chatbot Arena 2023 as a row-by-row normalizer: its default source and its row step. */
const ARENA_2023: RowNormalizerSpec = {
  source: "chatbot_arena_conversations",
  category: null,
  each: arena2023Row,
};

/**
 * Adds one arena battle to a cleaner: drops ties, otherwise pairs the winner's conversation with the loser's.
 *
 * @param cleaner The cleaner.
 * @param side The preferred side, or undefined for a tie.
 * @param a Model A's conversation.
 * @param b Model B's conversation.
 *
 * @example
 * ```ts
 * import { PairCleaner } from "@dpo-kernels/dpo-kernels/data";
 * import { addBattle } from "./chatbot_arena_2023.ts";
 * import assert from "node:assert/strict";
 * const q = { role: "user", content: "2+2?" } as const;
 * const cleaner = new PairCleaner({ source: "arena", category: null });
 * addBattle(cleaner, "b", [q, { role: "assistant", content: "5" }], [q, { role: "assistant", content: "4" }]);
 * addBattle(cleaner, undefined, [q], [q]); // a tie is dropped
 * const r = cleaner.result(2);
 * assert.deepEqual(r.pairs.map((p) => [p.chosen, p.rejected]), [["4", "5"]]);
 * assert.deepEqual(r.dropped, { tie: 1 });
 * ```
 */
export function addBattle(
  cleaner: PairCleaner,
  side: "a" | "b" | undefined,
  a: readonly ChatMessage[],
  b: readonly ChatMessage[],
): void {
  if (side === undefined) {
    cleaner.drop("tie");
    return;
  }
  const pair = side === "a" ? pairFromConversations(a, b) : pairFromConversations(b, a);
  if ("dropped" in pair) cleaner.drop(pair.dropped);
  else cleaner.add(pair);
}
