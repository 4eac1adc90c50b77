/**
 * NVIDIA HelpSteer (`nvidia/HelpSteer`): one row per response, `{prompt, response, helpfulness, correctness,
 * coherence, complexity, verbosity}` with 0–4 Likert scores. Responses to the same prompt are paired: for every
 * two responses whose helpfulness differs, the more helpful one is chosen. Equal helpfulness is a `"tie"`, and
 * a prompt with a single response gives no pair (`"single_response"`).
 *
 * @module
 */
import { type NormalizeOptions, type NormalizeResult, pairCleanerFor } from "./normalize.ts";
import { forEachRow, numberField, requireString } from "./rows.ts";

/** The attribute that orders HelpSteer responses. */
export const HELPSTEER_ATTRIBUTE = "helpfulness";

/**
 * Normalizes HelpSteer rows into pairs of responses to the same prompt, ordered by helpfulness. Prompts keep
 * the order of their first row; within a prompt, pairs follow the response order (i < j).
 *
 * @param rows The raw rows.
 * @param options `file`, `source` (default `"helpsteer"`), `category` (default null), `limit`.
 * @returns The pairs and the drop counts.
 * @throws {DataLineError} On a row without string `prompt`/`response` or numeric `helpfulness`.
 *
 * @example
 * ```ts
 * import { normalizeHelpSteer } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const r = normalizeHelpSteer([
 *   { prompt: "Name a prime.", response: "9", helpfulness: 0 },
 *   { prompt: "Name a prime.", response: "7", helpfulness: 4 },
 * ]);
 * assert.deepEqual(r.pairs.map((p) => [p.chosen, p.rejected]), [["7", "9"]]);
 * ```
 */
export function normalizeHelpSteer(
  rows: readonly unknown[],
  options: NormalizeOptions = {},
): NormalizeResult {
  const cleaner = pairCleanerFor(options, { source: "helpsteer", category: null });
  const byPrompt = new Map<string, { response: string; score: number }[]>();
  const n = forEachRow(rows, (row, place) => {
    const prompt = requireString(row, "prompt", place);
    const response = requireString(row, "response", place);
    const score = numberField(row, HELPSTEER_ATTRIBUTE, place) as number;
    const list = byPrompt.get(prompt) ?? [];
    list.push({ response, score });
    byPrompt.set(prompt, list);
  }, { file: options.file });
  for (const [prompt, responses] of byPrompt) {
    if (cleaner.full) break;
    if (responses.length < 2) cleaner.drop("single_response");
    for (let i = 0; i < responses.length; i++) {
      for (let j = i + 1; j < responses.length; j++) {
        const a = responses[i] as { response: string; score: number };
        const b = responses[j] as { response: string; score: number };
        if (a.score === b.score) cleaner.drop("tie");
        else if (a.score > b.score) cleaner.add({ prompt, chosen: a.response, rejected: b.response });
        else cleaner.add({ prompt, chosen: b.response, rejected: a.response });
      }
    }
  }
  return cleaner.result(n);
}
