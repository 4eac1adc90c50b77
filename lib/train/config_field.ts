/**
 * One field of a configuration table ({@link ConfigField}), the {@link field} constructor that keeps an entry on
 * one line, and the checks the entries are built from. Every check throws a `RangeError` naming the field and
 * its value.
 *
 * @module
 */
import { describe } from "../math/validation.ts";
import { lookup } from "../math/lookup.ts";

/** How a flag's text becomes a value: the name of one of the flag parsers (`FLAG_PARSERS` in `config_flags.ts`). */
export type FlagKind = "string" | "number" | "integer" | "boolean" | "clip" | "json" | "embedder";

/** Throws a RangeError naming the field and its value unless the value is acceptable. */
export type FieldCheck = (value: unknown, name: string) => void;

/** The check of a field that names an entry of a table, and the names `--help` lists. */
export interface NamesCheck {
  /** Looks the value up by own property (a RangeError listing the names otherwise). */
  readonly check: FieldCheck;
  /** The valid names. */
  readonly choices: () => readonly string[];
}

/** One field of the configuration. `V` is the field's type in {@link TrainConfig}. */
export interface ConfigField<V> {
  /** One line of `--help`. */
  readonly help: string;
  /** The command-line flag, without `--`. */
  readonly flag: string;
  /** The flag's argument as `--help` names it (`N`, `FILE`); absent for a switch. */
  readonly arg?: string;
  /** How the flag's text is parsed. */
  readonly kind: FlagKind;
  /** The default, or a function of the fields resolved before this one (γ from the loss). Absent: none. */
  readonly default?: V | ((resolved: Readonly<Record<string, unknown>>) => V);
  /** How `--help` shows the default when it is not a plain value. */
  readonly defaultHelp?: string;
  /** The valid names, for `--help` (fields that pick an entry of a table). */
  readonly choices?: () => readonly string[];
  /** The check of the resolved value. */
  readonly check: FieldCheck;
  /** Sub-fields of an object-valued field (`sft`, `wasserstein`), each with its own flag. */
  readonly fields?: [V] extends [Record<string, unknown>] ? { readonly [S in keyof V]-?: ConfigField<V[S]> }
    : never;
  /** Part of the loss options handed to the loss untouched: as a field, or its entries spread (kernels). */
  readonly loss?: "field" | "spread";
}

/**
 * A check from a predicate and what the value must be.
 *
 * @param ok The predicate.
 * @param what What a good value is, for the message.
 * @returns The check.
 * @example
 * ```ts
 * import { must } from "./config_field.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => must((v) => v === 1, "1")(2, "config.x"), /config.x must be 1, got 2/);
 * ```
 */
export const must = (ok: (v: unknown) => boolean, what: string): FieldCheck => (value, name) => {
  if (!ok(value)) throw new RangeError(`${name} must be ${what}, got ${describe(value)}`);
};
/**
 * A check that lets `undefined` through and applies `check` to anything else.
 *
 * @example
 * ```ts
 * import { must, optional } from "./config_field.ts";
 * import assert from "node:assert/strict";
 * const check = optional(must((v) => v === 1, "1"));
 * check(undefined, "config.x");
 * assert.throws(() => check(2, "config.x"), /config.x must be 1, got 2/);
 * ```
 */
export const optional = (check: FieldCheck): FieldCheck => (value, name) => {
  if (value !== undefined) check(value, name);
};
/**
 * A predicate: a safe integer in [lo, hi].
 *
 * @example
 * ```ts
 * import { isInteger } from "./config_field.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual([1, 2.5, 9, "3"].map(isInteger(1, 8)), [true, false, false, false]);
 * ```
 */
export const isInteger = (lo: number, hi = Number.MAX_SAFE_INTEGER): (v: unknown) => boolean => (v) =>
  Number.isSafeInteger(v) && (v as number) >= lo && (v as number) <= hi;
/**
 * A predicate: a finite number for which `ok` holds.
 *
 * @example
 * ```ts
 * import { isFinite } from "./config_field.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual([0.5, -1, Infinity, "1"].map(isFinite((x) => x > 0)), [true, false, false, false]);
 * ```
 */
export const isFinite = (ok: (x: number) => boolean): (v: unknown) => boolean => (v) =>
  typeof v === "number" && Number.isFinite(v) && ok(v);
/**
 * A check: an integer ≥ `lo` (an interval in steps).
 *
 * @example
 * ```ts
 * import { everyN } from "./config_field.ts";
 * import assert from "node:assert/strict";
 * everyN(1)(10, "config.evalEvery");
 * assert.throws(() => everyN(1)(0, "config.evalEvery"), /config.evalEvery must be an integer >= 1, got 0/);
 * ```
 */
export const everyN = (lo: number): FieldCheck => must(isInteger(lo), `an integer >= ${lo}`);
/** A check: `true` or `false`. */
export const boolean = must((v) => typeof v === "boolean", "true or false");
/**
 * A check: a non-empty string (a path, a name); `what` names it in the message.
 *
 * @example
 * ```ts
 * import { path } from "./config_field.ts";
 * import assert from "node:assert/strict";
 * path("a folder")("out", "config.out");
 * assert.throws(() => path("a folder")("", "config.out"), /config.out must be a folder, got ""/);
 * ```
 */
export const path = (what: string): FieldCheck => must((v) => typeof v === "string" && v.length > 0, what);
/**
 * A field that names an entry of a table: looked up by own property, listing the names in `--help`.
 *
 * @example
 * ```ts
 * import { oneOf } from "./config_field.ts";
 * import assert from "node:assert/strict";
 * const kinds = oneOf({ implicit: 1, explicit: 2 });
 * assert.deepEqual(kinds.choices(), ["implicit", "explicit"]);
 * kinds.check("explicit", "config.regularizer");
 * assert.throws(() => kinds.check("toString", "config.regularizer"), RangeError);
 * ```
 */
export const oneOf = (table: Readonly<Record<string, unknown>>): NamesCheck => ({
  check: (value: unknown, name: string) => void lookup(table, value, name),
  choices: () => Object.keys(table),
});
/**
 * A table whose keys are `list` (for {@link oneOf} over a list of names).
 *
 * @example
 * ```ts
 * import { names } from "./config_field.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(names(["cpu", "wasm"]), { cpu: "cpu", wasm: "wasm" });
 * ```
 */
export const names = (list: readonly string[]): Record<string, string> =>
  Object.fromEntries(list.map((n) => [n, n]));

/**
 * One entry: `usage` is the flag and its argument as `--help` shows them (`"steps N"`, `"overwrite"`), then how
 * the flag parses, the default (`undefined`: none), the check, the help line, and any extra property.
 *
 * @param usage The flag and its argument's name, separated by a space.
 * @param kind How the flag's text is parsed.
 * @param fallback The default.
 * @param check The check of the resolved value, or a table's names ({@link oneOf}: checked and listed in help).
 * @param help The help line.
 * @param extra Further properties (sub-fields, choices, loss membership, how `--help` shows the default).
 * @returns The entry.
 * @example
 * ```ts
 * import { field, must } from "./config_field.ts";
 * import assert from "node:assert/strict";
 * const steps = field("steps N", "integer", 200, must(Number.isSafeInteger, "an integer"), "preference steps");
 * assert.deepEqual([steps.flag, steps.arg, steps.default], ["steps", "N", 200]);
 * ```
 */
export function field<V>(
  usage: string,
  kind: FlagKind,
  fallback: NoInfer<ConfigField<V>["default"]>,
  check: FieldCheck | NamesCheck,
  help: string,
  extra: NoInfer<Partial<ConfigField<V>>> = {},
): ConfigField<V> {
  const [flag, arg] = usage.split(" ") as [string, string | undefined];
  const checks = typeof check === "function" ? { check } : check;
  return { flag, arg, kind, default: fallback, help, ...checks, ...extra };
}
/**
 * A predicate: a plain object (not null, not an array).
 *
 * @example
 * ```ts
 * import { isObject } from "./config_field.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual([{}, null, [], "x"].map(isObject), [true, false, false, false]);
 * ```
 */
export const isObject = (v: unknown): boolean => typeof v === "object" && v !== null && !Array.isArray(v);
