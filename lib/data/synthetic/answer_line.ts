/**
 * The part of a generated text that the checkers judge: its first line. Responses in the suite end with a
 * newline, so a byte-level decoder learns to stop there; whatever it produces after the first newline (or the
 * decoding budget) is ignored.
 *
 * @module
 */
import { describe } from "../../math/validation.ts";

/**
 * The first line of a generated text, trimmed of surrounding whitespace.
 *
 * @param generated The text the policy produced after the prompt.
 * @returns The text before the first `"\n"` (all of it if there is none), trimmed.
 * @throws {TypeError} If generated is not a string.
 * @example
 * ```ts
 * import { answerLine } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * assert.equal(answerLine(" Tomra.\nWhere does"), "Tomra.");
 * assert.equal(answerLine("11"), "11");
 * ```
 */
export function answerLine(generated: string): string {
  if (typeof generated !== "string") {
    throw new TypeError(`generated must be a string, got ${describe(generated)}`);
  }
  const end = generated.indexOf("\n");
  return (end < 0 ? generated : generated.slice(0, end)).trim();
}

/**
 * The lower-case words (runs of ASCII letters) of a text.
 *
 * @param text Any text.
 * @returns The words, in order.
 * @example
 * ```ts
 * import { wordsOf } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * assert.deepEqual(wordsOf("Avel lives in Tomra."), ["avel", "lives", "in", "tomra"]);
 * ```
 */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[a-z]+/g) ?? [];
}
