/**
 * Chatbot Arena human preferences, 2024 (`lmarena-ai/arena-human-preference-55k`, formerly
 * `lmsys/lmsys-arena-human-preference-55k`, `train.csv`; the Kaggle "LMSYS – Chatbot Arena Human Preference
 * Predictions" format): rows `{id, model_a, model_b, prompt, response_a, response_b, winner_model_a,
 * winner_model_b, winner_tie}` where `prompt` and `response_*` are JSON-encoded lists of strings (one per turn;
 * a response may be `null`) and the three `winner_*` columns are 0/1. Ties are dropped (`"tie"`); multi-turn
 * battles whose earlier answers differ have no shared prompt (`"prefix_mismatch"`).
 *
 * @module
 */
import {
  type NormalizeOptions,
  type NormalizeResult,
  normalizeRows,
  type RowHandler,
  type RowNormalizerSpec,
} from "./normalize.ts";
import type { ChatMessage } from "./conversation.ts";
import { addBattle } from "./chatbot_arena_2023.ts";
import { numberField, type RowPlace } from "./rows.ts";
import { DataLineError } from "../preference.ts";
import { describe } from "../../math/validation.ts";

function turns(row: Readonly<Record<string, unknown>>, key: string, place: RowPlace): (string | null)[] {
  let value = row[key];
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch (e) {
      throw new DataLineError(
        place.file,
        place.row,
        `field "${key}" is not a JSON list (${(e as Error).message})`,
      );
    }
  }
  if (!Array.isArray(value) || !value.every((t) => t === null || typeof t === "string")) {
    throw new DataLineError(
      place.file,
      place.row,
      `field "${key}" must be a list of strings, got ${describe(value)}`,
    );
  }
  return value;
}

function conversation(
  prompts: readonly (string | null)[],
  replies: readonly (string | null)[],
): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (let i = 0; i < prompts.length; i++) {
    out.push({ role: "user", content: prompts[i] ?? "" });
    out.push({ role: "assistant", content: replies[i] ?? "" });
  }
  return out;
}

/**
 * Normalizes Chatbot Arena 2024 (arena-human-preference) rows into pairs.
 *
 * @param rows The raw rows (CSV records as strings, or parsed values).
 * @param options `file`, `source` (default `"arena-human-preference-55k"`), `category` (default null), `limit`.
 * @returns The pairs and the drop counts.
 * @throws {DataLineError} On a row whose prompt/response fields are not JSON lists of strings of equal length,
 * or whose winner columns are not exactly one 1.
 *
 * @example
 * ```ts
 * import { normalizeChatbotArena2024 } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const r = normalizeChatbotArena2024([{
 *   prompt: '["Is water wet?"]', response_a: '["Yes."]', response_b: '["It makes things wet."]',
 *   winner_model_a: "0", winner_model_b: "1", winner_tie: "0",
 * }]);
 * assert.deepEqual([r.pairs[0]?.prompt, r.pairs[0]?.chosen], ["Is water wet?", "It makes things wet."]);
 * ```
 */
export function normalizeChatbotArena2024(
  rows: readonly unknown[],
  options: NormalizeOptions = {},
): NormalizeResult {
  return normalizeRows(rows, ARENA_2024, options);
}

/** One 2024 battle: the three 0/1 winner columns and the JSON-encoded turns of the prompt and both responses. */
const arena2024Row: RowHandler = (row, place, cleaner) => {
  const flag = (key: string): number => {
    const v = typeof row[key] === "string" ? Number(row[key]) : row[key];
    return numberField({ [key]: v }, key, place) as number;
  };
  const wins = [flag("winner_model_a"), flag("winner_model_b"), flag("winner_tie")];
  if (wins.filter((w) => w === 1).length !== 1 || wins.some((w) => w !== 0 && w !== 1)) {
    throw new DataLineError(
      place.file,
      place.row,
      `winner_model_a, winner_model_b, winner_tie must hold exactly one 1, got ${wins.join(", ")}`,
    );
  }
  const prompts = turns(row, "prompt", place);
  const ra = turns(row, "response_a", place);
  const rb = turns(row, "response_b", place);
  if (ra.length !== prompts.length || rb.length !== prompts.length) {
    throw new DataLineError(
      place.file,
      place.row,
      `prompt has ${prompts.length} turns but response_a has ${ra.length} and response_b ${rb.length}`,
    );
  }
  const side = wins[0] === 1 ? "a" : wins[1] === 1 ? "b" : undefined;
  addBattle(cleaner, side, conversation(prompts, ra), conversation(prompts, rb));
};

/** Chatbot Arena 2024 as a row-by-row normalizer: its default source and its row step. */
const ARENA_2024: RowNormalizerSpec = {
  source: "arena-human-preference-55k",
  category: null,
  each: arena2024Row,
};
