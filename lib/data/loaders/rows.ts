/**
 * Reading fields of a dataset's raw rows (JSON objects, or parquet rows as hyparquet returns them) with errors
 * that name the file and the 1-based row, and turning parquet's INT64 `BigInt`s into numbers where that is exact.
 *
 * @module
 */
import { describe } from "../../math/validation.ts";
import { DataLineError } from "../preference.ts";

/** Where a row came from, for messages. */
export interface RowPlace {
  /** The file's path or name. */
  file: string;
  /** The 1-based row number. */
  row: number;
}

/**
 * The row as an object, or a {@link DataLineError}.
 *
 * @param value One raw row.
 * @param place Its file and row number.
 * @returns The row's fields.
 * @throws {DataLineError} If the row is not a plain object.
 *
 * @example
 * ```ts
 * import { asRecord } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * assert.deepEqual(asRecord({ a: 1 }, { file: "f.jsonl", row: 1 }), { a: 1 });
 * assert.throws(() => asRecord([1], { file: "f.jsonl", row: 2 }), /f\.jsonl:2/);
 * ```
 */
export function asRecord(value: unknown, place: RowPlace): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new DataLineError(place.file, place.row, `expected an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/**
 * Walks a dataset's raw rows in order: each is numbered from 1, checked to be an object ({@link asRecord}) and
 * handed to `visit` with its place. Before each row `until` is asked whether to stop; the rows already read are
 * counted, so a stop before the first row reads none.
 *
 * @param rows The raw rows.
 * @param visit Called with each row's fields and its file and row number.
 * @param options `file`: the name used in messages (default `"rows"`); `until`: asked before each row, reading
 * stops once it returns true (default: never stop).
 * @returns How many rows were read.
 * @throws {DataLineError} If a row is not a plain object (and whatever `visit` throws).
 *
 * @example
 * ```ts
 * import { forEachRow } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const seen: string[] = [];
 * const n = forEachRow([{ a: 1 }, { a: 2 }, { a: 3 }], (row, place) => {
 *   seen.push(`${place.file}:${place.row}=${row.a}`);
 * }, { file: "f.jsonl", until: () => seen.length === 2 });
 * assert.deepEqual(seen, ["f.jsonl:1=1", "f.jsonl:2=2"]);
 * assert.equal(n, 2);
 * assert.throws(() => forEachRow([null], () => {}), /rows:1/);
 * ```
 */
export function forEachRow(
  rows: readonly unknown[],
  visit: (row: Record<string, unknown>, place: RowPlace) => void,
  options: { file?: string; until?: () => boolean } = {},
): number {
  const file = options.file ?? "rows";
  let n = 0;
  for (const raw of rows) {
    if (options.until?.()) break;
    const place = { file, row: ++n };
    visit(asRecord(raw, place), place);
  }
  return n;
}

/**
 * A string field of a row.
 *
 * @param row The row.
 * @param key The field.
 * @param place The row's file and number, for messages.
 * @param options `optional`: return `undefined` for a missing or null field instead of throwing (default false).
 * @returns The string (not yet stripped).
 * @throws {DataLineError} If the field is missing (unless optional) or not a string.
 *
 * @example
 * ```ts
 * import { stringField } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const place = { file: "f.jsonl", row: 3 };
 * assert.equal(stringField({ prompt: "hi" }, "prompt", place), "hi");
 * assert.equal(stringField({}, "input", place, { optional: true }), undefined);
 * assert.throws(() => stringField({ prompt: 1 }, "prompt", place), /f\.jsonl:3: field "prompt"/);
 * ```
 */
export function stringField(
  row: Readonly<Record<string, unknown>>,
  key: string,
  place: RowPlace,
  options: { optional?: boolean } = {},
): string | undefined {
  const value = row[key];
  if ((value === undefined || value === null) && options.optional) return undefined;
  if (typeof value !== "string") {
    throw new DataLineError(place.file, place.row, `field "${key}" must be a string, got ${describe(value)}`);
  }
  return value;
}

/**
 * A string field that must be present.
 *
 * @param row The row.
 * @param key The field.
 * @param place The row's file and number, for messages.
 * @returns The string.
 * @throws {DataLineError} If the field is missing or not a string.
 *
 * @example
 * ```ts
 * import { requireString } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * assert.equal(requireString({ q: "x" }, "q", { file: "f", row: 1 }), "x");
 * ```
 */
export function requireString(row: Readonly<Record<string, unknown>>, key: string, place: RowPlace): string {
  return stringField(row, key, place) as string;
}

/**
 * A numeric field of a row; a `BigInt` (parquet INT64) is accepted when it converts exactly.
 *
 * @param row The row.
 * @param key The field.
 * @param place The row's file and number, for messages.
 * @param options `optional`: return `undefined` for a missing or null field instead of throwing (default false).
 * @returns The number.
 * @throws {DataLineError} If the field is missing (unless optional), not a finite number, or a BigInt beyond
 * ±(2^53 − 1).
 *
 * @example
 * ```ts
 * import { numberField } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const place = { file: "f.parquet", row: 1 };
 * assert.equal(numberField({ rank: 3n }, "rank", place), 3);
 * assert.equal(numberField({ rank: null }, "rank", place, { optional: true }), undefined);
 * ```
 */
export function numberField(
  row: Readonly<Record<string, unknown>>,
  key: string,
  place: RowPlace,
  options: { optional?: boolean } = {},
): number | undefined {
  const raw = row[key];
  if ((raw === undefined || raw === null) && options.optional) return undefined;
  const value = typeof raw === "bigint" ? safeNumber(raw) : raw;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new DataLineError(
      place.file,
      place.row,
      `field "${key}" must be a finite number, got ${typeof raw === "bigint" ? `${raw}n` : describe(raw)}`,
    );
  }
  return value;
}

/**
 * An array field of a row.
 *
 * @param row The row.
 * @param key The field.
 * @param place The row's file and number, for messages.
 * @returns The array.
 * @throws {DataLineError} If the field is not an array.
 *
 * @example
 * ```ts
 * import { arrayField } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * assert.deepEqual(arrayField({ steps: ["a"] }, "steps", { file: "f", row: 1 }), ["a"]);
 * ```
 */
export function arrayField(
  row: Readonly<Record<string, unknown>>,
  key: string,
  place: RowPlace,
): readonly unknown[] {
  const value = row[key];
  if (!Array.isArray(value)) {
    throw new DataLineError(place.file, place.row, `field "${key}" must be an array, got ${describe(value)}`);
  }
  return value;
}

function safeNumber(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

/**
 * A copy of a value with every `BigInt` inside it (at any depth of arrays and plain objects) turned into a number
 * where that is exact (|x| ≤ 2^53 − 1); larger ones stay `BigInt`. hyparquet returns parquet INT64 columns as
 * `BigInt`.
 *
 * @param value Any value.
 * @returns The value with safe BigInts converted.
 *
 * @example
 * ```ts
 * import { bigIntsToNumbers } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * assert.deepEqual(bigIntsToNumbers({ a: 1n, b: [2n, { c: 2n ** 60n }] }), { a: 1, b: [2, { c: 2n ** 60n }] });
 * ```
 */
export function bigIntsToNumbers(value: unknown): unknown {
  if (typeof value === "bigint") return safeNumber(value);
  if (Array.isArray(value)) return value.map(bigIntsToNumbers);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = bigIntsToNumbers(v);
    return out;
  }
  return value;
}
