/**
 * Nectar (`berkeley-nest/Nectar`, `data/rlaif.parquet`): GPT-4 7-wise rankings. Each row is `{prompt, answers:
 * [{answer, model, rank}], …}` with an HH-style prompt (`"\n\nHuman: …\n\nAssistant:"`) and rank 1 the best.
 * As in `$DPO_KERNELS_DATA_DIR/SOURCES.md`, each prompt gives {@link NECTAR_TOP_RANKS} pairs: the answers ranked
 * 1, 2 and 3 are each paired with one answer drawn uniformly from the strictly lower ranks with a seeded
 * generator (this project's mulberry32, seed 7 by default, so not the same draws as Python's
 * `random.Random(7)`). The prompt is the stripped transcript.
 *
 * @module
 */
import { type NormalizeOptions, type NormalizeResult, normalizeRows, type PairCleaner } from "./normalize.ts";
import { arrayField, asRecord, numberField, requireString, type RowPlace } from "./rows.ts";
import { createRandom, type Random } from "../../math/random.ts";

/** How many top-ranked answers are paired per prompt. */
export const NECTAR_TOP_RANKS = 3;

/** The default sampling seed (as in SOURCES.md). */
export const NECTAR_SEED = 7;

/**
 * Normalizes Nectar rows into pairs.
 *
 * @param rows The raw rows.
 * @param options `file`, `source` (default `"nectar"`), `category` (default null), `limit`, `seed` (default
 * {@link NECTAR_SEED}).
 * @returns The pairs and the drop counts (`no_lower_rank`: a top answer with no answer ranked below it).
 * @throws {DataLineError} On a row without a string `prompt`, or whose `answers` are not `{answer, rank}`
 * objects.
 *
 * @example
 * ```ts
 * import { normalizeNectar } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const r = normalizeNectar([{ prompt: "\n\nHuman: Say hi.\n\nAssistant:", answers: [
 *   { answer: "Hi!", model: "gpt-4", rank: 1 }, { answer: "Hello.", model: "x", rank: 2 },
 *   { answer: "No.", model: "y", rank: 3 },
 * ] }]);
 * assert.equal(r.pairs.length, 2); // ranks 1 and 2 each get a lower-ranked partner; rank 3 has none
 * assert.equal(r.pairs[0]?.chosen, "Hi!");
 * assert.deepEqual([r.pairs[1]?.chosen, r.pairs[1]?.rejected], ["Hello.", "No."]);
 * assert.equal(r.pairs[0]?.prompt, "Human: Say hi.\n\nAssistant:");
 * assert.deepEqual(r.dropped, { no_lower_rank: 1 });
 * ```
 */
export function normalizeNectar(rows: readonly unknown[], options: NormalizeOptions = {}): NormalizeResult {
  const random = createRandom(options.seed ?? NECTAR_SEED);
  const each = (row: Record<string, unknown>, place: RowPlace, cleaner: PairCleaner): void =>
    addNectarRow(row, place, cleaner, random);
  return normalizeRows(rows, { source: "nectar", category: null, each }, options);
}

/** One Nectar row: each of the top answers paired with a lower-ranked one drawn from `random`. */
function addNectarRow(
  row: Record<string, unknown>,
  place: RowPlace,
  cleaner: PairCleaner,
  random: Random,
): void {
  const prompt = requireString(row, "prompt", place);
  const answers = arrayField(row, "answers", place).map((a, i) => {
    const o = asRecord(a, place);
    return {
      text: requireString(o, "answer", place),
      rank: numberField(o, "rank", place) as number,
      index: i,
    };
  }).sort((a, b) => a.rank - b.rank || a.index - b.index);
  for (let i = 0; i < Math.min(NECTAR_TOP_RANKS, answers.length); i++) {
    const top = answers[i] as { text: string; rank: number };
    const lower = answers.filter((a) => a.rank > top.rank);
    if (lower.length === 0) {
      cleaner.drop("no_lower_rank");
      continue;
    }
    const pick = lower[random.int(lower.length)] as { text: string };
    cleaner.add({ prompt, chosen: top.text, rejected: pick.text });
  }
}
