/**
 * What the kernel rule (Sec. 5.1) and the divergence rule (Sec. 5.2) share: thresholds resolved against
 * their defaults, the first-matching walk over a rule table, and the number formatting of the reasons.
 *
 * @module
 */
import { assertNonNegative } from "../math/validation.ts";

/**
 * Formats `v` with enough significant digits (3 at least) that it does not print equal to the threshold `t`
 * unless it is equal. Internal to the selection area (not re-exported by the package).
 *
 * @param v The metric's value.
 * @param t The threshold it is compared with (NaN: plain 3 digits).
 * @returns The formatted value.
 * @example
 * ```ts
 * import { formatAgainst } from "./rule_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(formatAgainst(0.61234, 0.5), "0.612");
 * assert.equal(formatAgainst(0.50001, 0.5), "0.50001");
 * ```
 */
export function formatAgainst(v: number, t: number): string {
  for (let p = 3; p <= 17; p++) {
    const a = Number(v.toPrecision(p));
    if (v === t || a !== Number(t.toPrecision(p))) return String(a);
  }
  return String(v);
}

/**
 * Formats a threshold with at most 6 significant digits.
 *
 * @param t The threshold.
 * @returns The formatted threshold.
 * @example
 * ```ts
 * import { formatThreshold } from "./rule_table.ts";
 * import assert from "node:assert/strict";
 * assert.equal(formatThreshold(0.1 + 0.2), "0.3");
 * ```
 */
export function formatThreshold(t: number): string {
  return String(Number(t.toPrecision(6)));
}

/**
 * The thresholds with every default filled in; each given one must be finite and ≥ 0.
 *
 * @param defaults The rule's default thresholds (their keys are the valid ones).
 * @param given The caller's thresholds.
 * @returns A fresh, complete threshold object.
 * @throws {RangeError} Naming `thresholds.<key>` for a negative or non-finite threshold.
 * @example
 * ```ts
 * import { resolveThresholds } from "./rule_table.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(resolveThresholds({ a: 1, b: 2 }, { b: 3 }), { a: 1, b: 3 });
 * assert.throws(() => resolveThresholds({ a: 1 }, { a: -1 }), /thresholds\.a/);
 * ```
 */
export function resolveThresholds<T extends Record<string, number>>(
  defaults: Readonly<T>,
  given: Partial<NoInfer<T>>,
): T {
  const t = { ...defaults } as T;
  for (const key of Object.keys(defaults) as (keyof T & string)[]) {
    const v = given[key];
    if (v === undefined) continue;
    assertNonNegative(v, `thresholds.${key}`);
    t[key] = v;
  }
  return t;
}

/**
 * The first case of a rule table that holds, and its 1-based number.
 *
 * @param rules The cases in order; the last one must always hold.
 * @param metrics The metrics.
 * @param thresholds The resolved thresholds.
 * @returns The case and its number.
 * @throws {Error} If no case holds (a table whose last case is not a catch-all).
 * @example
 * ```ts
 * import { firstMatchingRule } from "./rule_table.ts";
 * import assert from "node:assert/strict";
 * const rules = [
 *   { choice: "big", test: (m: number) => m > 1, describe: () => "m > 1" },
 *   { choice: "small", test: () => true, describe: () => "otherwise" },
 * ];
 * assert.equal(firstMatchingRule(rules, 0.5, {}).number, 2);
 * ```
 */
export function firstMatchingRule<R extends { test: (m: M, t: T) => boolean }, M, T>(
  rules: readonly R[],
  metrics: M,
  thresholds: T,
): { rule: R; number: number } {
  const i = rules.findIndex((r) => r.test(metrics, thresholds));
  if (i < 0) throw new Error("unreachable: the last rule of a selection table always holds");
  return { rule: rules[i] as R, number: i + 1 };
}
