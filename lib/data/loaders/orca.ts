/**
 * Intel Orca DPO pairs (`Intel/orca_dpo_pairs`, `orca_rlhf.jsonl`): rows `{system, question, chosen, rejected}`
 * (GPT-4 chosen, Llama-2-13b-chat rejected). The prompt is the system message, a blank line, then the question
 * (the question alone when the system message is empty).
 *
 * @module
 */
import { type NormalizeOptions, type NormalizeResult, normalizeRows, type RowHandler } from "./normalize.ts";
import { requireString, stringField } from "./rows.ts";

/**
 * Normalizes Orca DPO rows into pairs.
 *
 * @param rows The raw rows.
 * @param options `file`, `source` (default `"orca_dpo_pairs"`), `category` (default null), `limit`.
 * @returns The pairs and the drop counts.
 * @throws {DataLineError} On a row without string `question`, `chosen` and `rejected`.
 *
 * @example
 * ```ts
 * import { normalizeOrca } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const r = normalizeOrca([{ system: "Be brief.", question: "2+2?", chosen: "4", rejected: "Four, I think." }]);
 * assert.equal(r.pairs[0]?.prompt, "Be brief.\n\n2+2?");
 * ```
 */
export function normalizeOrca(rows: readonly unknown[], options: NormalizeOptions = {}): NormalizeResult {
  return normalizeRows(rows, { source: "orca_dpo_pairs", category: null, each: orcaRow }, options);
}

/** One Orca row: the system message and question as the prompt, then the two answers. */
const orcaRow: RowHandler = (row, place, cleaner) => {
  const system = (stringField(row, "system", place, { optional: true }) ?? "").trim();
  const question = requireString(row, "question", place).trim();
  cleaner.add({
    prompt: system === "" ? question : `${system}\n\n${question}`,
    chosen: requireString(row, "chosen", place),
    rejected: requireString(row, "rejected", place),
  });
};
