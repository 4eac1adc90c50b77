/**
 * AlpacaFarm pairwise preferences (`tatsu-lab/alpaca_farm`: `alpaca_human_preference.json` and
 * `alpaca_gpt4_preference.json`): rows `{instruction, input, output_1, output_2, preference}` where
 * `preference` 1 means output_1 is preferred and 2 means output_2 is. Any other value (0, a tie, or null) is
 * dropped as `"tie"`. The prompt is the instruction, then a blank line and the input when there is one.
 *
 * @module
 */
import { type NormalizeOptions, type NormalizeResult, normalizeRows, type RowHandler } from "./normalize.ts";
import { numberField, requireString, stringField } from "./rows.ts";

/**
 * Normalizes AlpacaFarm preference rows into pairs.
 *
 * @param rows The raw rows.
 * @param options `file`, `source` (default `"alpaca_farm"`), `category` (default null), `limit`.
 * @returns The pairs and the drop counts.
 * @throws {DataLineError} On a row without string `instruction`, `output_1`, `output_2`, or with a
 * non-numeric `preference`.
 *
 * @example
 * ```ts
 * import { normalizeAlpacaFarm } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const r = normalizeAlpacaFarm([
 *   { instruction: "Translate.", input: "bonjour", output_1: "hello", output_2: "goodbye", preference: 1 },
 *   { instruction: "Say hi.", input: "", output_1: "hi", output_2: "hey", preference: 0 },
 * ]);
 * assert.deepEqual(r.pairs.map((p) => [p.prompt, p.chosen]), [["Translate.\n\nbonjour", "hello"]]);
 * assert.deepEqual(r.dropped, { tie: 1 });
 * ```
 */
export function normalizeAlpacaFarm(
  rows: readonly unknown[],
  options: NormalizeOptions = {},
): NormalizeResult {
  return normalizeRows(rows, { source: "alpaca_farm", category: null, each: alpacaFarmRow }, options);
}

/** One AlpacaFarm row: the instruction (and input) as the prompt, `preference` naming the better output. */
const alpacaFarmRow: RowHandler = (row, place, cleaner) => {
  const instruction = requireString(row, "instruction", place).trim();
  const input = (stringField(row, "input", place, { optional: true }) ?? "").trim();
  const out1 = requireString(row, "output_1", place);
  const out2 = requireString(row, "output_2", place);
  const preference = numberField(row, "preference", place, { optional: true });
  const prompt = input === "" ? instruction : `${instruction}\n\n${input}`;
  if (preference === 1) cleaner.add({ prompt, chosen: out1, rejected: out2 });
  else if (preference === 2) cleaner.add({ prompt, chosen: out2, rejected: out1 });
  else cleaner.drop("tie");
};
