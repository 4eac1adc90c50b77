/**
 * The paper's five task categories, which a preference pair may carry (factuality, reasoning, truthfulness,
 * safety, instruction following).
 *
 * @module
 */

/** The paper's five task categories. */
export const PREFERENCE_CATEGORIES: readonly PreferenceCategory[] = Object.freeze([
  "factuality",
  "reasoning",
  "truthfulness",
  "safety",
  "instruction_following",
]);

/** One of the paper's five task categories. */
export type PreferenceCategory =
  | "factuality"
  | "reasoning"
  | "truthfulness"
  | "safety"
  | "instruction_following";

/**
 * Whether a value is one of {@link PREFERENCE_CATEGORIES}.
 *
 * @param value Any value.
 * @returns True for a category name.
 *
 * @example
 * ```ts
 * import { isPreferenceCategory } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * assert.ok(isPreferenceCategory("safety") && !isPreferenceCategory("chat"));
 * ```
 */
export function isPreferenceCategory(value: unknown): value is PreferenceCategory {
  return typeof value === "string" && (PREFERENCE_CATEGORIES as readonly string[]).includes(value);
}
