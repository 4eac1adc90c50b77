/**
 * Preference data: JSONL files of `{prompt, chosen, rejected}` objects (extra keys ignored). A malformed line
 * is an error naming the file and the line, unless the caller asks to skip bad lines, in which case the count
 * of skipped lines and the first line numbers are reported.
 *
 * The data policy: a line is malformed (an error, or skipped with `skipBadLines`) when it is not valid UTF-8
 * (never replaced silently), not a JSON object, lacks a string `prompt`, `chosen` or `rejected`, has a
 * `chosen` or `rejected` that is empty after trimming whitespace, or has `chosen` identical to `rejected`
 * (such a pair carries no preference: its loss stays ln 2 and its gradient is zero). A file holding a JSON
 * array is always an error ("expected JSON Lines: one object per line").
 *
 * @module
 */
import { describe } from "../math/validation.ts";

/** One preference pair as text. */
export interface PreferenceExample {
  /** The prompt x. */
  prompt: string;
  /** The preferred response y_w. */
  chosen: string;
  /** The dispreferred response y_l. */
  rejected: string;
  /** Optional task category (factuality, reasoning, truthfulness, safety, instruction_following). */
  category?: string | null;
}

/** The result of reading a dataset. */
export interface PreferenceDataset {
  /** The pairs, in file order. */
  examples: PreferenceExample[];
  /** Lines skipped as malformed (only with `skipBadLines`). */
  skipped: number;
  /** The first skipped lines' 1-based numbers (at most 10). */
  skippedLines: number[];
  /** The first skipped lines' messages (at most 10). */
  skippedMessages: string[];
}

/**
 * A malformed data line or row: names the file and the 1-based line (the row, for parquet and JSON-array
 * files). The one error class of the data layer: the trainer's reader, the suite's reader and every dataset
 * normalizer throw it.
 *
 * @example
 * ```ts
 * import { DataLineError } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const e = new DataLineError("pairs.jsonl", 3, 'field "chosen" must be a string');
 * assert.equal(e.message, 'pairs.jsonl:3: field "chosen" must be a string');
 * assert.equal(e.line, 3);
 * ```
 */
export class DataLineError extends Error {
  /**
   * Builds the error; its message is `file:line: reason`.
   *
   * @param file The file's path.
   * @param line The 1-based line number.
   * @param reason What is wrong.
   */
  constructor(readonly file: string, readonly line: number, reason: string) {
    super(`${file}:${line}: ${reason}`);
    this.name = "DataLineError";
  }
}

/**
 * Parses one JSON-Lines line into an object: the one line reader behind {@link parsePreferenceLine}, the suite's
 * `parseSyntheticJsonl` and `loadLocalDataset`.
 *
 * @param text The line.
 * @param file The file's path (for the message).
 * @param line The 1-based line number.
 * @returns The line's fields.
 * @throws {DataLineError} On invalid JSON or a value that is not a plain object.
 * @example
 * ```ts
 * import { parseJsonObjectLine } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseJsonObjectLine('{"a":1}', "f.jsonl", 3), { a: 1 });
 * assert.throws(() => parseJsonObjectLine("[1]", "f.jsonl", 3), /^DataLineError: f\.jsonl:3: expected an object/);
 * ```
 */
export function parseJsonObjectLine(text: string, file: string, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new DataLineError(file, line, `invalid JSON (${(e as Error).message})`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new DataLineError(
      file,
      line,
      `expected an object with prompt, chosen, rejected, got ${describe(value)}`,
    );
  }
  return value as Record<string, unknown>;
}

/**
 * Checks a parsed line's pair fields against the data policy and returns the pair.
 *
 * @param o The line's fields ({@link parseJsonObjectLine}).
 * @param file The file's path (for the message).
 * @param line The 1-based line number.
 * @returns The pair (its `category` the line's string category, or null).
 * @throws {DataLineError} On a missing or non-string field, an empty (after trim) `chosen` or `rejected`, or
 * `chosen` identical to `rejected`.
 * @example
 * ```ts
 * import { preferenceFromRecord } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const pair = preferenceFromRecord({ prompt: "2+2=", chosen: "4", rejected: "5" }, "f.jsonl", 1);
 * assert.equal(pair.category, null);
 * assert.throws(() => preferenceFromRecord({ prompt: "x", chosen: "a", rejected: "a" }, "f.jsonl", 2), /f\.jsonl:2/);
 * ```
 */
export function preferenceFromRecord(
  o: Readonly<Record<string, unknown>>,
  file: string,
  line: number,
): PreferenceExample {
  for (const key of ["prompt", "chosen", "rejected"] as const) {
    if (typeof o[key] !== "string") {
      throw new DataLineError(file, line, `field "${key}" must be a string, got ${describe(o[key])}`);
    }
  }
  for (const key of ["chosen", "rejected"] as const) {
    if ((o[key] as string).trim().length === 0) {
      throw new DataLineError(file, line, `field "${key}" must not be empty or whitespace only`);
    }
  }
  if (o.chosen === o.rejected) {
    throw new DataLineError(
      file,
      line,
      `"chosen" and "rejected" are identical: the pair carries no preference`,
    );
  }
  const category = typeof o.category === "string" ? o.category : null;
  return { prompt: o.prompt as string, chosen: o.chosen as string, rejected: o.rejected as string, category };
}

/**
 * Parses one JSONL line into a pair, or throws a {@link DataLineError}.
 *
 * @param text The line.
 * @param file The file's path (for the message).
 * @param line The 1-based line number.
 * @returns The pair.
 * @throws {DataLineError} On invalid JSON, a non-object, a missing or non-string field, an empty (after trim)
 * `chosen` or `rejected`, or `chosen` identical to `rejected`.
 * @example
 * ```ts
 * import { parsePreferenceLine } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * assert.equal(parsePreferenceLine('{"prompt":"Q","chosen":"A","rejected":"B"}', "f.jsonl", 1).chosen, "A");
 * ```
 */
export function parsePreferenceLine(text: string, file: string, line: number): PreferenceExample {
  return preferenceFromRecord(parseJsonObjectLine(text, file, line), file, line);
}

/**
 * Parses JSONL text (blank lines ignored).
 *
 * @param text The file's content.
 * @param file The file's path, for messages.
 * @param options `skipBadLines` (default false): count and skip malformed lines instead of throwing.
 * @returns The pairs, the skipped count and the first skipped line numbers.
 * @throws {DataLineError} On the first malformed line, unless skipping; on a JSON array, always.
 * @example
 * ```ts
 * import { parsePreferenceJsonl } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const { examples } = parsePreferenceJsonl('{"prompt":"2+2=","chosen":"4","rejected":"5"}\n', "mem.jsonl");
 * assert.equal(examples[0]?.chosen, "4");
 * assert.throws(() => parsePreferenceJsonl('{"prompt":"x"}', "bad.jsonl"), /bad.jsonl:1/);
 * ```
 */
export function parsePreferenceJsonl(
  text: string,
  file: string,
  options: { skipBadLines?: boolean } = {},
): PreferenceDataset {
  return parseLines(text.split("\n"), file, options.skipBadLines ?? false);
}

/** Parses lines (`undefined` for a line that is not valid UTF-8) into pairs, skipping or throwing. */
function parseLines(
  lines: readonly (string | undefined)[],
  file: string,
  skipBadLines: boolean,
): PreferenceDataset {
  const first = lines.findIndex((l) => l === undefined || l.trim() !== "");
  if (first >= 0 && lines[first]?.trimStart().startsWith("[")) {
    throw new DataLineError(
      file,
      first + 1,
      "expected JSON Lines: one object per line, got a JSON array (convert it, e.g. jq -c '.[]')",
    );
  }
  const examples: PreferenceExample[] = [];
  const skippedMessages: string[] = [];
  const skippedLines: number[] = [];
  let skipped = 0;
  lines.forEach((raw, i) => {
    try {
      if (raw === undefined) throw new DataLineError(file, i + 1, "not valid UTF-8");
      const line = raw.trim();
      if (line === "") return;
      examples.push(parsePreferenceLine(line, file, i + 1));
    } catch (e) {
      if (!skipBadLines || !(e instanceof DataLineError)) throw e;
      skipped++;
      if (skippedMessages.length < 10) skippedMessages.push(e.message);
      if (skippedLines.length < 10) skippedLines.push(i + 1);
    }
  });
  return { examples, skipped, skippedLines, skippedMessages };
}

/** Splits bytes into lines, decoding each as UTF-8; a line that is not valid UTF-8 becomes `undefined`. */
function decodeLines(bytes: Uint8Array): (string | undefined)[] {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  try {
    return decoder.decode(bytes).split("\n");
  } catch {
    // Rare: find the bad lines one by one.
  }
  const lines: (string | undefined)[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        lines.push(decoder.decode(bytes.subarray(start, i)));
      } catch {
        lines.push(undefined);
      }
      start = i + 1;
    }
  }
  return lines;
}

/**
 * Reads a JSONL preference file.
 *
 * @param path The file.
 * @param options `skipBadLines` (default false).
 * @returns The pairs, the skipped count and the first skipped line numbers.
 * @throws {DataLineError} On a malformed line (unless skipping) or a JSON array; an error naming the path if it
 * cannot be read, is empty or holds no pair.
 *
 * @example
 * ```ts
 * import { DataLineError, readPreferenceJsonl } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const good = JSON.stringify({ prompt: "2+2=", chosen: "4", rejected: "5" });
 * await Deno.writeTextFile(`${dir}/pairs.jsonl`, `${good}\n{"prompt": 1}\n`);
 * await assert.rejects(() => readPreferenceJsonl(`${dir}/pairs.jsonl`), DataLineError);
 * const read = await readPreferenceJsonl(`${dir}/pairs.jsonl`, { skipBadLines: true });
 * assert.equal(read.examples[0]!.chosen, "4");
 * assert.deepEqual([read.skipped, read.skippedLines], [1, [2]]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readPreferenceJsonl(
  path: string,
  options: { skipBadLines?: boolean } = {},
): Promise<PreferenceDataset> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message;
    throw new Error(`cannot read data file ${path}: ${why}`);
  }
  const lines = decodeLines(bytes);
  if (lines.every((l) => l !== undefined && l.trim() === "")) {
    throw new Error(`data file ${path} is empty; expected JSON Lines of {"prompt", "chosen", "rejected"}`);
  }
  const data = parseLines(lines, path, options.skipBadLines ?? false);
  if (data.examples.length === 0) {
    throw new Error(
      `data file ${path} holds no valid preference pair (${data.skipped} malformed lines skipped)`,
    );
  }
  return data;
}
