/**
 * Reading the file formats the preference datasets are published in, as lists of raw rows: JSON Lines (plain
 * or gzipped), JSON (an array, or JSON Lines under a `.json` name as SHP does), CSV with a header row, and
 * parquet (through the pure-JS `hyparquet`; INT64 values that fit exactly become numbers).
 *
 * @module
 */
import { parquetReadObjects } from "hyparquet";
import { bigIntsToNumbers } from "./rows.ts";
import { DataLineError } from "../preference.ts";
import { describe } from "../../math/validation.ts";

/** A file format a dataset is published in. */
export type DataFormat = "jsonl" | "jsonl.gz" | "json" | "csv" | "parquet";

/** Reads one file's bytes into raw rows; `file` names it in messages. */
export type RowReader = (bytes: Uint8Array, file: string) => Promise<unknown[]>;

/**
 * Parses JSON Lines text: one JSON value per non-blank line.
 *
 * @param text The text.
 * @param file The file's name, for messages.
 * @returns The values, in order.
 * @throws {DataLineError} On a line that is not valid JSON, naming the file and the line.
 *
 * @example
 * ```ts
 * import { parseJsonLines } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseJsonLines('{"a":1}\n\n{"a":2}\n', "f.jsonl"), [{ a: 1 }, { a: 2 }]);
 * assert.throws(() => parseJsonLines('{"a":1}\n{oops\n', "f.jsonl"), /f\.jsonl:2: invalid JSON/);
 * ```
 */
export function parseJsonLines(text: string, file: string): unknown[] {
  const rows: unknown[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === "") continue;
    try {
      rows.push(JSON.parse(line));
    } catch (e) {
      throw new DataLineError(file, i + 1, `invalid JSON (${(e as Error).message})`);
    }
  }
  return rows;
}

/**
 * Parses a JSON file that holds an array of rows, or JSON Lines (SHP's `.json` files are JSON Lines).
 *
 * @param text The text.
 * @param file The file's name, for messages.
 * @returns The rows.
 * @throws {DataLineError} On invalid JSON (naming the line for JSON Lines), or a single value that is not an
 * array.
 *
 * @example
 * ```ts
 * import { parseJsonRows } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseJsonRows('[{"a":1},{"a":2}]', "f.json"), [{ a: 1 }, { a: 2 }]);
 * assert.deepEqual(parseJsonRows('{"a":1}\n{"a":2}', "f.json"), [{ a: 1 }, { a: 2 }]);
 * ```
 */
export function parseJsonRows(text: string, file: string): unknown[] {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith("[")) return parseJsonLines(text, file);
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (e) {
    throw new DataLineError(file, 1, `invalid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(value)) {
    throw new DataLineError(file, 1, `expected an array of rows, got ${describe(value)}`);
  }
  return value;
}

/**
 * Parses CSV (RFC 4180: comma-separated, fields in double quotes may hold commas, newlines and `""` for a
 * quote) whose first record names the columns.
 *
 * @param text The text.
 * @param file The file's name, for messages.
 * @returns One object per record, keyed by the header's names, every value a string.
 * @throws {DataLineError} On an unterminated quoted field or a record with the wrong number of fields, naming
 * the 1-based data record (the header is not counted).
 *
 * @example
 * ```ts
 * import { parseCsv } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseCsv('id,text\n1,"a, ""b""\nc"\n', "f.csv"), [{ id: "1", text: 'a, "b"\nc' }]);
 * ```
 */
export function parseCsv(text: string, file: string): Record<string, string>[] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let i = 0;
  const n = text.length;
  let quoted = false;
  let recordStart = true;
  while (i < n) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === "") {
      quoted = true;
      recordStart = false;
      i++;
    } else if (ch === ",") {
      record.push(field);
      field = "";
      recordStart = false;
      i++;
    } else if (ch === "\n" || ch === "\r") {
      if (!(recordStart && field === "" && record.length === 0)) {
        record.push(field);
        records.push(record);
      }
      field = "";
      record = [];
      recordStart = true;
      i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
    } else {
      field += ch;
      recordStart = false;
      i++;
    }
  }
  if (quoted) throw new DataLineError(file, records.length, "unterminated quoted field");
  if (!recordStart || field !== "" || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  const header = records[0];
  if (header === undefined) return [];
  return records.slice(1).map((values, r) => {
    if (values.length !== header.length) {
      throw new DataLineError(file, r + 1, `has ${values.length} fields, the header has ${header.length}`);
    }
    return Object.fromEntries(header.map((name, c) => [name, values[c] as string]));
  });
}

async function gunzip(bytes: Uint8Array, file: string): Promise<string> {
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
      new DecompressionStream("gzip"),
    );
    return await new Response(stream).text();
  } catch (e) {
    throw new Error(`${file}: not a valid gzip file (${(e as Error).message})`, { cause: e });
  }
}

/**
 * Reads parquet bytes into row objects with hyparquet, INT64 values turned into numbers where exact.
 *
 * @param bytes The file's bytes.
 * @param file The file's name, for messages.
 * @returns The rows.
 * @throws {Error} If the bytes are not a parquet file (or use a codec hyparquet lacks), naming the file.
 *
 * @example
 * ```ts ignore
 * import { readParquetRows } from "@dpo-kernels/dpo-kernels/data";
 * const rows = await readParquetRows(await Deno.readFile("train.parquet"), "train.parquet");
 * console.log(rows.length, rows[0]);
 * ```
 */
export async function readParquetRows(bytes: Uint8Array, file: string): Promise<unknown[]> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let rows: Record<string, unknown>[];
  try {
    rows = await parquetReadObjects({ file: buffer });
  } catch (e) {
    throw new Error(`${file}: cannot read as parquet (${(e as Error).message})`, { cause: e });
  }
  return rows.map(bigIntsToNumbers);
}

const decoder = new TextDecoder();

/** How each format is read. */
export const ROW_READERS: Readonly<Record<DataFormat, RowReader>> = Object.freeze({
  "jsonl": (bytes, file) => Promise.resolve(parseJsonLines(decoder.decode(bytes), file)),
  "jsonl.gz": async (bytes, file) => parseJsonLines(await gunzip(bytes, file), file),
  "json": (bytes, file) => Promise.resolve(parseJsonRows(decoder.decode(bytes), file)),
  "csv": (bytes, file) => Promise.resolve(parseCsv(decoder.decode(bytes), file)),
  "parquet": readParquetRows,
});

/**
 * Reads a file in a given format into raw rows.
 *
 * @param path The file's path.
 * @param format Its format.
 * @returns The rows.
 * @throws {TypeError} On an unknown format.
 * @throws {Error} If the file cannot be read or parsed, naming it (and the row, where one is at fault).
 *
 * @example
 * ```ts ignore
 * import { readRows } from "@dpo-kernels/dpo-kernels/data";
 * const rows = await readRows("harmless-base/test.jsonl.gz", "jsonl.gz");
 * ```
 */
export async function readRows(path: string, format: DataFormat): Promise<unknown[]> {
  const reader = Object.hasOwn(ROW_READERS, format) ? ROW_READERS[format] : undefined;
  if (reader === undefined) {
    throw new TypeError(
      `format must be one of ${Object.keys(ROW_READERS).join(", ")}, got ${describe(format)}`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new Error(`${path}: no such file`, { cause: e });
    throw new Error(`${path}: cannot read (${(e as Error).message})`, { cause: e });
  }
  return await reader(bytes, path);
}
