/**
 * Run-time checks of a {@link SyntheticExample}'s fields, for checkers that may be handed examples read back from
 * JSONL (internal: not re-exported by the barrel).
 *
 * @module
 */
import { describe } from "../../math/validation.ts";
import type { Category, SyntheticExample } from "./types.ts";

/**
 * The example's `check` record, after checking that the example is an object of the expected category.
 *
 * @param example The example argument.
 * @param category The category the checker handles.
 * @returns `example.check` as a plain record.
 * @throws {TypeError} If example or example.check is not an object.
 * @throws {RangeError} If example.category is another category.
 *
 * @example
 * ```ts
 * import { checkRecord } from "./check_fields.ts";
 * import type { SyntheticExample } from "./types.ts";
 * import assert from "node:assert/strict";
 * const example = { prompt: "2+2=", chosen: "4\n", rejected: "5\n", category: "reasoning", label: "answer", check: { answer: "4" } };
 * assert.deepEqual(checkRecord(example as unknown as SyntheticExample, "reasoning"), { answer: "4" });
 * assert.throws(() => checkRecord(example as unknown as SyntheticExample, "safety"), /example.category must be "safety"/);
 * ```
 */
export function checkRecord(example: SyntheticExample, category: Category): Record<string, unknown> {
  if (example === null || typeof example !== "object") {
    throw new TypeError(`example must be a SyntheticExample, got ${describe(example)}`);
  }
  if (example.category !== category) {
    throw new RangeError(`example.category must be "${category}", got ${describe(example.category)}`);
  }
  const check: unknown = example.check;
  if (check === null || typeof check !== "object" || Array.isArray(check)) {
    throw new TypeError(`example.check must be an object, got ${describe(check)}`);
  }
  return check as Record<string, unknown>;
}

/**
 * A string field of a check record.
 *
 * @param check The record.
 * @param key The field.
 * @returns Its value.
 * @throws {TypeError} If the field is not a string.
 *
 * @example
 * ```ts
 * import { stringField } from "./check_fields.ts";
 * import assert from "node:assert/strict";
 * assert.equal(stringField({ answer: "4" }, "answer"), "4");
 * assert.throws(() => stringField({ answer: 4 }, "answer"), /example.check.answer must be a string, got 4/);
 * ```
 */
export function stringField(check: Record<string, unknown>, key: string): string {
  const value = check[key];
  if (typeof value !== "string") {
    throw new TypeError(`example.check.${key} must be a string, got ${describe(value)}`);
  }
  return value;
}

/**
 * A field that must be one of the keys of a table.
 *
 * @param check The record.
 * @param key The field.
 * @param table The table whose keys are allowed.
 * @returns The value, typed as a key.
 * @throws {TypeError} If the value is not one of the keys.
 *
 * @example
 * ```ts
 * import { keyField } from "./check_fields.ts";
 * import assert from "node:assert/strict";
 * const RELATIONS = { city: 1, pet: 2 };
 * assert.equal(keyField({ relation: "pet" }, "relation", RELATIONS), "pet");
 * assert.throws(() => keyField({ relation: "job" }, "relation", RELATIONS), /must be one of city, pet, got "job"/);
 * ```
 */
export function keyField<K extends string>(
  check: Record<string, unknown>,
  key: string,
  table: Readonly<Record<K, unknown>>,
): K {
  const value = check[key];
  if (typeof value !== "string" || !Object.hasOwn(table, value)) {
    throw new TypeError(
      `example.check.${key} must be one of ${Object.keys(table).join(", ")}, got ${describe(value)}`,
    );
  }
  return value as K;
}
