/**
 * Prose rendered from computed values (issue 9): a notebook's "What we measured" conclusion is a code cell that
 * ends in `` P.md`…` ``, so every number in it comes from the run and a re-run keeps prose and numbers in step.
 * Numbers, intervals and paired differences are formatted one way everywhere.
 *
 * @module
 */
import type { Interval } from "../analysis/verdict.ts";
import { type Displayable, markdown } from "./notebook.ts";

/** A paired difference with its p-value, as {@link formatValue} prints it. */
export interface Difference extends Interval {
  /** The test's p-value. */
  pValue: number;
}

function isInterval(v: unknown): v is Interval {
  return typeof v === "object" && v !== null && "estimate" in v && "lower" in v && "upper" in v;
}

/**
 * Formats a number: integers as they are (with thousands separators from 10,000), others to `digits` decimals,
 * and very small or very large magnitudes in exponent form; non-finite values as `NaN`, `∞`, `−∞`.
 *
 * @param x The number.
 * @param digits Decimals (default 3).
 * @returns The text.
 * @example
 * ```ts
 * import { formatNumber } from "@dpo-kernels/dpo-kernels/plot";
 * import assert from "node:assert/strict";
 * assert.equal(formatNumber(0.57512), "0.575");
 * assert.equal(formatNumber(1250), "1250");
 * assert.equal(formatNumber(25000), "25,000");
 * assert.equal(formatNumber(-1.2e21), "-1.20e+21");
 * ```
 */
export function formatNumber(x: number, digits = 3): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  if (Number.isInteger(x) && Math.abs(x) < 1e15) {
    return Math.abs(x) >= 10000 ? x.toLocaleString("en-US") : String(x);
  }
  const a = Math.abs(x);
  if (a >= 1e5 || a < 10 ** -digits) return x.toExponential(2);
  return x.toFixed(digits);
}

/**
 * Formats a value for prose: numbers with {@link formatNumber}, an {@link Interval} as `0.575 [0.512, 0.635]`,
 * a {@link Difference} as `+0.012 [−0.010, 0.030], p 0.23`, arrays joined with commas, anything else with
 * `String`.
 *
 * @param v The value.
 * @param digits Decimals of numbers (default 3).
 * @returns The text.
 * @example
 * ```ts
 * import { formatValue } from "@dpo-kernels/dpo-kernels/plot";
 * import assert from "node:assert/strict";
 * assert.equal(formatValue({ estimate: 0.575, lower: 0.512, upper: 0.635 }), "0.575 [0.512, 0.635]");
 * assert.equal(formatValue({ estimate: -0.039, lower: -0.115, upper: 0.037, pValue: 0.2 }), "-0.039 [-0.115, 0.037], p 0.20");
 * ```
 */
export function formatValue(v: unknown, digits = 3): string {
  if (typeof v === "number") return formatNumber(v, digits);
  if (Array.isArray(v)) return v.map((x) => formatValue(x, digits)).join(", ");
  if (isInterval(v)) {
    const f = (x: number) => formatNumber(x, digits);
    const sign = "pValue" in v && v.estimate > 0 ? "+" : "";
    const core = `${sign}${f(v.estimate)} [${f(v.lower)}, ${f(v.upper)}]`;
    const p = (v as Partial<Difference>).pValue;
    return typeof p === "number" ? `${core}, p ${p < 0.001 ? "< 0.001" : p.toPrecision(2)}` : core;
  }
  return String(v);
}

/**
 * The text of {@link md}: the template with each value formatted by {@link formatValue}.
 *
 * @param strings The template's literal parts.
 * @param values The interpolated values.
 * @returns The Markdown text.
 * @example
 * ```ts
 * import { mdText } from "@dpo-kernels/dpo-kernels/plot";
 * import assert from "node:assert/strict";
 * const acc = 0.5751;
 * assert.equal(mdText`accuracy ${acc} on ${250} pairs`, "accuracy 0.575 on 250 pairs");
 * ```
 */
export function mdText(strings: TemplateStringsArray, ...values: unknown[]): string {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? formatValue(values[i]) : ""), "");
}

/**
 * A tagged template that Jupyter shows as Markdown, with every interpolated value formatted by
 * {@link formatValue}: the way a notebook writes its conclusions from computed values.
 *
 * @param strings The template's literal parts.
 * @param values The interpolated values.
 * @returns A value the Deno kernel displays as Markdown.
 * @example
 * ```ts
 * import { md } from "@dpo-kernels/dpo-kernels/plot";
 * import assert from "node:assert/strict";
 * const shown = md`**Measured:** ${{ estimate: 0.6, lower: 0.55, upper: 0.65 }}`;
 * assert.equal(shown[Symbol.for("Jupyter.display")]!()["text/markdown"], "**Measured:** 0.600 [0.550, 0.650]");
 * ```
 */
export function md(strings: TemplateStringsArray, ...values: unknown[]): Displayable {
  return markdown(mdText(strings, ...values));
}
