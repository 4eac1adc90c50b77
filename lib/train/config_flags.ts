/**
 * The command-line face of {@link TRAIN_CONFIG_FIELDS}: the flags `node:util`'s `parseArgs` reads, the
 * `--help` lines, and the setter that turns parsed flags into a {@link TrainConfig}, all derived from the table,
 * so a field added there is a flag here with nothing else to write.
 *
 * @module
 */
import type { TrainConfig } from "./config.ts";
import type { ConfigField, FlagKind } from "./config_field.ts";
import { TRAIN_CONFIG_FIELDS } from "./config_fields.ts";

/** A flag of the configuration: the field's path in {@link TrainConfig} (`["sft", "steps"]`) and its entry. */
export interface ConfigFlag {
  /** The field's path: one key, or an object field's key and a sub-field's key. */
  readonly path: readonly [string] | readonly [string, string];
  /** The field's entry in the table. */
  readonly field: ConfigField<unknown>;
}

/**
 * Every flag of the configuration, in the table's order (an object field's own flag, then its sub-fields').
 *
 * @returns The flags.
 * @example
 * ```ts
 * import { configFlags } from "./config_flags.ts";
 * import assert from "node:assert/strict";
 * const sftSteps = configFlags().find((f) => f.field.flag === "sft-steps");
 * assert.deepEqual(sftSteps?.path, ["sft", "steps"]);
 * ```
 */
export function configFlags(): ConfigFlag[] {
  const out: ConfigFlag[] = [];
  for (const [key, field] of Object.entries(TRAIN_CONFIG_FIELDS) as [string, ConfigField<unknown>][]) {
    out.push({ path: [key], field });
    const sub = (field.fields ?? {}) as Readonly<Record<string, ConfigField<unknown>>>;
    for (const [subKey, subField] of Object.entries(sub)) out.push({ path: [key, subKey], field: subField });
  }
  return out;
}

/**
 * A numeric flag: a finite number (an integer where `integer`), or a RangeError naming the flag.
 *
 * @param flag The flag, without `--`.
 * @param text What the user wrote.
 * @param integer Whether only integers are accepted.
 * @returns The number.
 * @example
 * ```ts
 * import { parseNumberFlag } from "./config_flags.ts";
 * import assert from "node:assert/strict";
 * assert.equal(parseNumberFlag("lr", "5e-4"), 5e-4);
 * assert.throws(() => parseNumberFlag("steps", "many", true), /--steps must be a finite number, got "many"/);
 * ```
 */
export function parseNumberFlag(flag: string, text: string, integer = false): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n)) {
    throw new RangeError(`--${flag} must be a finite number, got "${text}"`);
  }
  if (integer && !Number.isSafeInteger(n)) {
    throw new RangeError(`--${flag} must be an integer, got "${text}"`);
  }
  return n;
}

/** How each kind of flag turns its text into the field's value (a RangeError naming the flag otherwise). */
export const FLAG_PARSERS: Readonly<Record<FlagKind, (text: string, flag: string) => unknown>> = {
  string: (text) => text,
  number: (text, flag) => parseNumberFlag(flag, text),
  integer: (text, flag) => parseNumberFlag(flag, text, true),
  boolean: (text) => text,
  // A clip of Infinity disables clipping: the one numeric flag where Infinity is a meaningful setting.
  clip: (text, flag) => text === "Infinity" ? Infinity : parseNumberFlag(flag, text),
  json: (text, flag) => {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw new RangeError(`--${flag} must be JSON, got "${text}" (${(e as Error).message})`);
    }
  },
  embedder: (text) => text === "policy" || text === "reference" ? text : { model: text },
};

/**
 * The options `node:util`'s `parseArgs` takes for the configuration's flags.
 *
 * @returns One option per flag: a boolean switch or a string to parse.
 * @example
 * ```ts
 * import { configParseOptions } from "./config_flags.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(configParseOptions()["overwrite"], { type: "boolean" });
 * assert.deepEqual(configParseOptions()["lr"], { type: "string" });
 * ```
 */
export function configParseOptions(): Record<string, { type: "string" | "boolean" }> {
  return Object.fromEntries(
    configFlags().map(({ field }) => [field.flag, { type: field.kind === "boolean" ? "boolean" : "string" }]),
  );
}

/**
 * Sets the fields whose flags were given onto `base` (flags override `--config`'s fields; an object field's
 * sub-field flags merge into it).
 *
 * @param base The configuration so far (from `--config`, or empty); changed in place.
 * @param values `parseArgs`'s values.
 * @returns `base`.
 * @throws {RangeError} On a value its flag cannot parse, naming the flag.
 * @example
 * ```ts
 * import { setConfigFlags } from "./config_flags.ts";
 * import assert from "node:assert/strict";
 * const config = setConfigFlags({ beta: 0.3 }, { "sft-steps": "3", beta: "0.2", overwrite: true });
 * assert.deepEqual(config, { beta: 0.2, sft: { steps: 3 }, overwrite: true });
 * ```
 */
export function setConfigFlags(
  base: Partial<TrainConfig>,
  values: Readonly<Record<string, string | boolean | undefined>>,
): Partial<TrainConfig> {
  const target = base as Record<string, unknown>;
  for (const { path, field } of configFlags()) {
    const text = values[field.flag];
    if (text === undefined) continue;
    const value = typeof text === "boolean" ? text : FLAG_PARSERS[field.kind](text, field.flag);
    const [key, subKey] = path;
    if (subKey === undefined) target[key] = value;
    else target[key] = { ...(target[key] as Record<string, unknown> | undefined), [subKey]: value };
  }
  return base;
}

/** The help column where descriptions start. */
const HELP_COLUMN = 31;

/**
 * One `--help` line for a flag: the flag and its argument, the help text, the choices and the default.
 *
 * @param flag The flag, without `--`.
 * @param arg Its argument's name (none for a switch).
 * @param help The description.
 * @returns The line, indented by two spaces.
 * @example
 * ```ts
 * import { helpLine } from "./config_flags.ts";
 * import assert from "node:assert/strict";
 * assert.match(helpLine("steps", "N", "preference steps (default 200)"), /^ {2}--steps N +preference steps/);
 * ```
 */
export function helpLine(flag: string, arg: string | undefined, help: string): string {
  const usage = `  --${flag}${arg === undefined ? "" : ` ${arg}`}`;
  return `${usage.padEnd(HELP_COLUMN - 1)} ${help}`;
}

function describeDefault(field: ConfigField<unknown>): string {
  if (field.defaultHelp !== undefined) return ` (default ${field.defaultHelp})`;
  const d = field.default;
  if (d === undefined || d === false || typeof d === "object") return "";
  return ` (default ${String(d)})`;
}

/**
 * The `--help` lines of every configuration flag, in the table's order.
 *
 * @returns One line per flag.
 * @example
 * ```ts
 * import { configHelpLines } from "./config_flags.ts";
 * import assert from "node:assert/strict";
 * assert.ok(configHelpLines().some((line) => /--loss NAME .*dpo.*\(default dpo\)/.test(line)));
 * ```
 */
export function configHelpLines(): string[] {
  return configFlags().map(({ field }) => {
    const choices = field.choices === undefined ? "" : `: ${field.choices().join(" ")}`;
    return helpLine(field.flag, field.arg, `${field.help}${choices}${describeDefault(field)}`);
  });
}
