/**
 * Seeded sampling helpers shared by the generators (internal: not re-exported by the barrel).
 *
 * @module
 */
import type { Random } from "../../math/random.ts";
import { describe } from "../../math/validation.ts";
import type { Split, SyntheticExample } from "./types.ts";

/**
 * One item drawn uniformly.
 *
 * @param random The generator.
 * @param items A non-empty list.
 * @returns One of the items.
 *
 * @example
 * ```ts
 * import { createRandom } from "../../math/random.ts";
 * import { pick } from "./sampling.ts";
 * import assert from "node:assert/strict";
 * const items = ["a", "b", "c"];
 * assert.ok(items.includes(pick(createRandom(0), items)));
 * assert.equal(pick(createRandom(3), items), pick(createRandom(3), items)); // seeded
 * ```
 */
export function pick<T>(random: Random, items: readonly T[]): T {
  return items[random.int(items.length)] as T;
}

/**
 * A Fisher–Yates shuffle into a new array (the input is left as it is).
 *
 * @param random The generator.
 * @param items Any list.
 * @returns The items in a random order.
 *
 * @example
 * ```ts
 * import { createRandom } from "../../math/random.ts";
 * import { shuffled } from "./sampling.ts";
 * import assert from "node:assert/strict";
 * const items = [1, 2, 3, 4, 5];
 * const out = shuffled(createRandom(1), items);
 * assert.deepEqual([...out].sort(), items);
 * assert.deepEqual(items, [1, 2, 3, 4, 5]); // the input is left as it is
 * ```
 */
export function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * Throws unless `random` looks like a {@link Random} and `n` is an integer ≥ 0.
 *
 * @param random The generator argument.
 * @param n The count argument.
 * @throws {TypeError} If random has no `uniform`/`int` methods.
 * @throws {RangeError} If n is not an integer ≥ 0.
 *
 * @example
 * ```ts
 * import { createRandom } from "../../math/random.ts";
 * import { assertGeneratorArguments } from "./sampling.ts";
 * import assert from "node:assert/strict";
 * assertGeneratorArguments(createRandom(0), 4);
 * assert.throws(() => assertGeneratorArguments(createRandom(0), 1.5), RangeError);
 * ```
 */
export function assertGeneratorArguments(random: Random, n: number): void {
  if (
    random === null || typeof random !== "object" || typeof random.int !== "function" ||
    typeof random.uniform !== "function"
  ) {
    throw new TypeError(`random must be a Random (see createRandom), got ${describe(random)}`);
  }
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    throw new RangeError(`n must be an integer >= 0, got ${describe(n)}`);
  }
}

/** Consecutive draws without a new prompt after which {@link sampleUnique} gives up. */
const MAX_FRUITLESS_DRAWS = 20000;

/**
 * Draws twins until `n` examples with distinct prompts are found: each draw gives two pairs whose responses
 * are swapped (chosen ⇄ rejected) under different prompts; a draw that repeats a prompt is dropped. If `n` is
 * odd, the last twin contributes its first pair only.
 *
 * @param n How many pairs.
 * @param draw Draws a twin; `undefined` rejects the draw.
 * @param what The category, for the error message.
 * @param capacity An upper bound on the distinct prompts the templates allow.
 * @returns `n` examples, twins adjacent, in draw order.
 * @throws {RangeError} If `n` exceeds the capacity, or 20000 draws in a row bring no new twin.
 *
 * @example
 * ```ts
 * import { sampleTwins } from "./sampling.ts";
 * import type { SyntheticExample } from "./types.ts";
 * import assert from "node:assert/strict";
 * let i = 0;
 * const pair = (prompt: string, chosen: string, rejected: string) =>
 *   ({ prompt, chosen, rejected, category: "factuality", label: "answer", check: {} }) as unknown as SyntheticExample;
 * const draw = () => {
 *   i++;
 *   return [pair(`p${i}a`, "yes", "no"), pair(`p${i}b`, "no", "yes")] as const;
 * };
 * const out = sampleTwins(3, draw, "toy", 10);
 * assert.deepEqual(out.map((e) => e.prompt), ["p1a", "p1b", "p2a"]);
 * assert.throws(() => sampleTwins(11, draw, "toy", 10), /at most the number of distinct toy prompts/);
 * ```
 */
export function sampleTwins<E extends SyntheticExample>(
  n: number,
  draw: () => readonly [E, E] | undefined,
  what: string,
  capacity: number,
): E[] {
  const fail = (): never => {
    throw new RangeError(
      `n must be at most the number of distinct ${what} prompts (about ${capacity}), got ${n}`,
    );
  };
  if (n > capacity) fail();
  const out: E[] = [];
  const seen = new Set<string>();
  for (let fruitless = 0; out.length < n; fruitless++) {
    if (fruitless >= MAX_FRUITLESS_DRAWS) fail();
    const twin = draw();
    if (twin === undefined) continue;
    const [a, b] = twin;
    if (seen.has(a.prompt) || seen.has(b.prompt) || a.prompt === b.prompt) continue;
    if (a.chosen !== b.rejected || a.rejected !== b.chosen) {
      throw new Error(`${what}: a twin must swap its responses, got ${JSON.stringify(twin)}`);
    }
    seen.add(a.prompt);
    seen.add(b.prompt);
    out.push(a);
    if (out.length < n) out.push(b);
    fruitless = -1;
  }
  return out;
}

/**
 * The split a generator is asked for.
 *
 * @param options The generator options.
 * @returns `options.split`, `"train"` by default.
 * @throws {RangeError} If it is neither `"train"` nor `"test"`.
 *
 * @example
 * ```ts
 * import { splitOption } from "./sampling.ts";
 * import assert from "node:assert/strict";
 * assert.equal(splitOption({}), "train");
 * assert.equal(splitOption({ split: "test" }), "test");
 * assert.throws(() => splitOption({ split: "dev" as "test" }), /options.split/);
 * ```
 */
export function splitOption(options: { split?: Split }): Split {
  const split: unknown = options?.split ?? "train";
  if (split !== "train" && split !== "test") {
    throw new RangeError(`options.split must be "train" or "test", got ${describe(split)}`);
  }
  return split;
}

/**
 * Upper-cases the first character.
 *
 * @param text Any text.
 * @returns The text with a capital first letter.
 *
 * @example
 * ```ts
 * import { capitalize } from "./sampling.ts";
 * import assert from "node:assert/strict";
 * assert.equal(capitalize("tomra"), "Tomra");
 * ```
 */
export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The longest prompt, in UTF-8 bytes (all the suite's text is ASCII, so bytes = characters). Prompt + response
 * fit the default context of 64 bytes, so the deciding start of a prompt is never cut.
 */
export const MAX_PROMPT_BYTES = 44;

/** The longest response, newline included. */
export const MAX_RESPONSE_BYTES = 20;

/**
 * Whether a pair fits the length limits ({@link MAX_PROMPT_BYTES}, {@link MAX_RESPONSE_BYTES}).
 *
 * @param prompt The prompt.
 * @param chosen The chosen response.
 * @param rejected The rejected response.
 * @returns True if all three fit.
 *
 * @example
 * ```ts
 * import { fits, MAX_RESPONSE_BYTES } from "./sampling.ts";
 * import assert from "node:assert/strict";
 * assert.equal(fits("Where is Avel? ", "In Tomra.\n", "In Vell.\n"), true);
 * assert.equal(fits("Q? ", "x".repeat(MAX_RESPONSE_BYTES + 1), "no\n"), false);
 * ```
 */
export function fits(prompt: string, chosen: string, rejected: string): boolean {
  return prompt.length <= MAX_PROMPT_BYTES && chosen.length <= MAX_RESPONSE_BYTES &&
    rejected.length <= MAX_RESPONSE_BYTES;
}
