/**
 * Stanford Human Preferences, SHP and SHP-2 (`stanfordnlp/SHP-2`, `reddit/<subreddit>/<split>.json` and
 * `stackexchange/<site>/<split>.json`, JSON Lines): rows `{history, human_ref_A, human_ref_B, labels, …}` where
 * `labels` 1 means comment A is preferred and 0 means B is. The prompt is the post (`history`).
 *
 * @module
 */
import { type NormalizeOptions, type NormalizeResult, normalizeRows, type RowHandler } from "./normalize.ts";
import { numberField, requireString } from "./rows.ts";
import { DataLineError } from "../preference.ts";

/**
 * Normalizes SHP/SHP-2 rows into pairs.
 *
 * @param rows The raw rows.
 * @param options `file`, `source` (default `"shp-2"`), `category` (default null), `limit`.
 * @returns The pairs and the drop counts.
 * @throws {DataLineError} On a row without string `history`, `human_ref_A`, `human_ref_B`, or whose `labels` is
 * not 0 or 1.
 *
 * @example
 * ```ts
 * import { normalizeShp } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const r = normalizeShp([{ history: "Why is the sky blue?", human_ref_A: "Rayleigh scattering.",
 *   human_ref_B: "It reflects the sea.", labels: 1 }]);
 * assert.equal(r.pairs[0]?.chosen, "Rayleigh scattering.");
 * ```
 */
export function normalizeShp(rows: readonly unknown[], options: NormalizeOptions = {}): NormalizeResult {
  return normalizeRows(rows, { source: "shp-2", category: null, each: shpRow }, options);
}

/** One SHP row: the post and two comments, `labels` naming the preferred one. */
const shpRow: RowHandler = (row, place, cleaner) => {
  const prompt = requireString(row, "history", place);
  const a = requireString(row, "human_ref_A", place);
  const b = requireString(row, "human_ref_B", place);
  const label = numberField(row, "labels", place);
  if (label !== 0 && label !== 1) {
    throw new DataLineError(place.file, place.row, `field "labels" must be 0 or 1, got ${label}`);
  }
  cleaner.add(label === 1 ? { prompt, chosen: a, rejected: b } : { prompt, chosen: b, rejected: a });
};
