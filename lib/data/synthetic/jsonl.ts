/**
 * The suite on disk: one {@link SyntheticExample} per JSONL line, keys in the order prompt, chosen, rejected,
 * category, label, check. `readPreferenceJsonl` reads the same files (it ignores label and
 * check); these functions keep them, for generation-based evaluation.
 *
 * @module
 */
import { describe } from "../../math/validation.ts";
import { DataLineError, parseJsonObjectLine, preferenceFromRecord } from "../preference.ts";
import { CATEGORIES, CATEGORY_NAMES } from "./suite.ts";
import type { Category, Label, SyntheticCheck, SyntheticExample } from "./types.ts";

/**
 * Serializes examples as JSONL (one line each, each ending with a newline; keys in a fixed order, so the same
 * examples always give the same bytes).
 *
 * @param examples The examples.
 * @returns The JSONL text.
 * @example
 * ```ts
 * import { generateSuite, parseSyntheticJsonl, toSyntheticJsonl } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const { test } = generateSuite({ perCategory: 6, testFraction: 0.5 });
 * const text = toSyntheticJsonl(test);
 * assert.equal(text.split("\n").length, test.length + 1);
 * assert.deepEqual(parseSyntheticJsonl(text, "mem.jsonl"), test);
 * ```
 */
export function toSyntheticJsonl(examples: readonly SyntheticExample[]): string {
  return examples.map((e) =>
    JSON.stringify({
      prompt: e.prompt,
      chosen: e.chosen,
      rejected: e.rejected,
      category: e.category,
      label: e.label,
      check: e.check,
    }) + "\n"
  ).join("");
}

/**
 * Parses suite JSONL (blank lines ignored), checking each line's pair fields, its category (one of
 * {@link CATEGORIES}), its label (one of the category's labels) and that check is an object.
 *
 * @param text The file's content.
 * @param file The file's path, for messages.
 * @returns The examples, in file order.
 * @throws {DataLineError} On the first malformed line, naming the file and the line.
 *
 * @example
 * ```ts
 * import { parseSyntheticJsonl } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const line = JSON.stringify({ prompt: "2+2=", chosen: "4\n", rejected: "5\n", category: "reasoning", label: "answer", check: { answer: "4" } });
 * assert.equal(parseSyntheticJsonl(`${line}\n\n`, "mem.jsonl")[0]!.category, "reasoning");
 * assert.throws(() => parseSyntheticJsonl(line.replace("reasoning", "poetry"), "mem.jsonl"), /mem.jsonl.*category/);
 * ```
 */
export function parseSyntheticJsonl(text: string, file: string): SyntheticExample[] {
  const out: SyntheticExample[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    const o = parseJsonObjectLine(line, file, i + 1);
    const pair = preferenceFromRecord(o, file, i + 1);
    const category = o.category;
    if (typeof category !== "string" || !Object.hasOwn(CATEGORIES, category)) {
      throw new DataLineError(
        file,
        i + 1,
        `field "category" must be one of ${CATEGORY_NAMES.join(", ")}, got ${describe(category)}`,
      );
    }
    const labels = CATEGORIES[category as Category].labels;
    if (!labels.includes(o.label as Label)) {
      throw new DataLineError(
        file,
        i + 1,
        `field "label" must be one of ${labels.join(", ")}, got ${describe(o.label)}`,
      );
    }
    if (o.check === null || typeof o.check !== "object" || Array.isArray(o.check)) {
      throw new DataLineError(file, i + 1, `field "check" must be an object, got ${describe(o.check)}`);
    }
    out.push({
      prompt: pair.prompt,
      chosen: pair.chosen,
      rejected: pair.rejected,
      category: category as Category,
      label: o.label as Label,
      check: o.check as SyntheticCheck,
    });
  });
  return out;
}

/**
 * Reads a suite JSONL file (see {@link parseSyntheticJsonl}).
 *
 * @param path The file.
 * @returns The examples, in file order.
 * @throws {DataLineError} On a malformed line; an error naming the path if it cannot be read.
 *
 * @example
 * ```ts
 * import { generateSuite, readSyntheticJsonl, toSyntheticJsonl } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const { test } = generateSuite({ perCategory: 4, testFraction: 0.5 });
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/test.jsonl`, toSyntheticJsonl(test));
 * assert.deepEqual(await readSyntheticJsonl(`${dir}/test.jsonl`), test);
 * await assert.rejects(() => readSyntheticJsonl(`${dir}/missing.jsonl`), /cannot read data file/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readSyntheticJsonl(path: string): Promise<SyntheticExample[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new Error(`cannot read data file ${path}: ${(e as Error).message}`);
  }
  return parseSyntheticJsonl(text, path);
}
