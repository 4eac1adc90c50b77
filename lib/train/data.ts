/**
 * Preference data: JSONL files of `{prompt, chosen, rejected}` objects (extra keys ignored). A malformed line
 * is an error naming the file and the line, unless the caller asks to skip bad lines, in which case the count
 * of skipped lines is reported.
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
  /** The first skipped lines' messages (at most 10). */
  skippedMessages: string[];
}

/** A malformed data line: names the file and the 1-based line. */
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
 * Parses one JSONL line into a pair, or throws a {@link DataLineError}.
 *
 * @param text The line.
 * @param file The file's path (for the message).
 * @param line The 1-based line number.
 * @returns The pair.
 * @throws {DataLineError} On invalid JSON, a non-object, or a missing, non-string or empty field.
 */
export function parsePreferenceLine(text: string, file: string, line: number): PreferenceExample {
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
  const o = value as Record<string, unknown>;
  for (const key of ["prompt", "chosen", "rejected"] as const) {
    if (typeof o[key] !== "string") {
      throw new DataLineError(file, line, `field "${key}" must be a string, got ${describe(o[key])}`);
    }
  }
  if ((o.chosen as string).length === 0 || (o.rejected as string).length === 0) {
    throw new DataLineError(file, line, `fields "chosen" and "rejected" must not be empty`);
  }
  const category = typeof o.category === "string" ? o.category : null;
  return { prompt: o.prompt as string, chosen: o.chosen as string, rejected: o.rejected as string, category };
}

/**
 * Parses JSONL text (blank lines ignored).
 *
 * @param text The file's content.
 * @param file The file's path, for messages.
 * @param options `skipBadLines` (default false): count and skip malformed lines instead of throwing.
 * @returns The pairs and the skipped count.
 * @throws {DataLineError} On the first malformed line, unless skipping.
 * @example
 * ```ts
 * import { parsePreferenceJsonl } from "@dpo-kernels/dpo-kernels/train";
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
  const examples: PreferenceExample[] = [];
  const skippedMessages: string[] = [];
  let skipped = 0;
  const lines = text.split("\n");
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    try {
      examples.push(parsePreferenceLine(line, file, i + 1));
    } catch (e) {
      if (!options.skipBadLines || !(e instanceof DataLineError)) throw e;
      skipped++;
      if (skippedMessages.length < 10) skippedMessages.push(e.message);
    }
  });
  return { examples, skipped, skippedMessages };
}

/**
 * Reads a JSONL preference file.
 *
 * @param path The file.
 * @param options `skipBadLines` (default false).
 * @returns The pairs and the skipped count.
 * @throws {DataLineError} On a malformed line (unless skipping); an error naming the path if it cannot be read
 * or holds no pair.
 */
export async function readPreferenceJsonl(
  path: string,
  options: { skipBadLines?: boolean } = {},
): Promise<PreferenceDataset> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new Error(`cannot read data file ${path}: ${(e as Error).message}`);
  }
  const data = parsePreferenceJsonl(text, path, options);
  if (data.examples.length === 0) throw new Error(`data file ${path} holds no preference pair`);
  return data;
}
