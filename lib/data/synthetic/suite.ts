/**
 * The synthetic preference suite: the five categories' generators and checkers in one table, a seeded
 * train/test split with no prompt in common, and `judge`, which dispatches a generated answer to its category's
 * checker.
 *
 * @module
 */
import { createRandom } from "../../math/random.ts";
import { describe } from "../../math/validation.ts";
import { checkFactuality, generateFactuality } from "./factuality.ts";
import { checkInstructionFollowing, generateInstructionFollowing } from "./instruction_following.ts";
import { checkReasoning, generateReasoning } from "./reasoning.ts";
import { checkSafety, generateSafety } from "./safety.ts";
import { shuffled } from "./sampling.ts";
import { checkTruthfulness, generateTruthfulness } from "./truthfulness.ts";
import type {
  Category,
  Judgement,
  Label,
  SyntheticChecker,
  SyntheticExample,
  SyntheticGenerator,
} from "./types.ts";
import { createWorld, type World } from "./world.ts";

/** A category's entry in {@link CATEGORIES}. */
export interface CategoryEntry {
  /** Draws pairs with distinct prompts. */
  generate: SyntheticGenerator;
  /** Judges a generated answer. */
  check: SyntheticChecker;
  /** The labels (F1 classes) its examples take: one, or two for truthfulness and safety. */
  labels: readonly Label[];
}

/** The categories, in the paper's order, with their generators, checkers and labels. */
export const CATEGORIES: Readonly<Record<Category, CategoryEntry>> = {
  factuality: { generate: generateFactuality, check: checkFactuality, labels: ["answer"] },
  reasoning: { generate: generateReasoning, check: checkReasoning, labels: ["answer"] },
  truthfulness: {
    generate: generateTruthfulness,
    check: checkTruthfulness,
    labels: ["answer", "admit_uncertainty"],
  },
  safety: { generate: generateSafety, check: checkSafety, labels: ["refuse", "help"] },
  instruction_following: {
    generate: generateInstructionFollowing,
    check: checkInstructionFollowing,
    labels: ["comply_format"],
  },
};

/** The category names, in table order. */
export const CATEGORY_NAMES: readonly Category[] = Object.keys(CATEGORIES) as Category[];

/** Options of {@link generateSuite}. */
export interface SuiteOptions {
  /** The seed (any integer; default 0). */
  seed?: number;
  /** Pairs per category, train and test together (default 300). */
  perCategory?: number;
  /** The share of each category held out for test, in [0, 1) (default 1/6: 250 train + 50 test). */
  testFraction?: number;
}

/** A generated suite. */
export interface SyntheticSuite {
  /** Training pairs, categories mixed in a seeded order. */
  train: SyntheticExample[];
  /** Test pairs (no prompt in common with train), categories mixed in a seeded order. */
  test: SyntheticExample[];
  /** The names that factuality and truthfulness prompts use, per split. */
  world: World;
}

/**
 * An independent seed for a numbered stream of a suite seed (an integer hash of both).
 *
 * @param seed The suite seed.
 * @param stream The stream number.
 * @returns A 32-bit integer seed.
 */
function streamSeed(seed: number, stream: number): number {
  let h = Math.imul((seed | 0) ^ 0x5bd1e995, 0x27d4eb2d) ^ Math.imul(stream + 1, 0x165667b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/**
 * Generates the suite: a world (the names, split) from the seed's stream 0, then for each category (stream
 * 1…5) round(perCategory · testFraction) held-out pairs drawn with `split: "test"` and the rest with
 * `split: "train"`, so the two splits share no name, intent, topic, expression or prompt template. Pairs come
 * in twins with swapped responses (the generators alternate two-class labels, so an even count is balanced);
 * each split is then shuffled (stream 6). Prompts are distinct across the whole suite.
 *
 * @param options `seed` (default 0), `perCategory` (default 300), `testFraction` (default 1/6).
 * @returns The train and test pairs and the world.
 * @throws {RangeError} If seed is not an integer, perCategory not an integer ≥ 1 (or more than a category's
 * templates allow), or testFraction not in [0, 1).
 * @example
 * ```ts
 * import { generateSuite, judge } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const { train, test } = generateSuite({ seed: 1, perCategory: 12, testFraction: 1 / 6 });
 * assert.equal(train.length, 50);
 * assert.equal(test.length, 10);
 * const seen = new Set(train.map((e) => e.prompt));
 * assert.ok(test.every((e) => !seen.has(e.prompt)));
 * assert.ok(test.every((e) => judge(e, e.chosen).preferred && !judge(e, e.rejected).preferred));
 * ```
 */
export function generateSuite(options: SuiteOptions = {}): SyntheticSuite {
  const { seed = 0, perCategory = 300, testFraction = 1 / 6 } = options;
  if (typeof seed !== "number" || !Number.isInteger(seed)) {
    throw new RangeError(`options.seed must be an integer, got ${describe(seed)}`);
  }
  if (typeof perCategory !== "number" || !Number.isInteger(perCategory) || perCategory < 1) {
    throw new RangeError(`options.perCategory must be an integer >= 1, got ${describe(perCategory)}`);
  }
  if (typeof testFraction !== "number" || !(testFraction >= 0 && testFraction < 1)) {
    throw new RangeError(`options.testFraction must lie in [0, 1), got ${describe(testFraction)}`);
  }
  const nTest = Math.round(perCategory * testFraction);
  const world = createWorld(createRandom(streamSeed(seed, 0)));
  const train: SyntheticExample[] = [];
  const test: SyntheticExample[] = [];
  CATEGORY_NAMES.forEach((category, i) => {
    const random = createRandom(streamSeed(seed, i + 1));
    const generate = CATEGORIES[category].generate;
    test.push(...generate(random, nTest, { world, split: "test" }));
    train.push(...generate(random, perCategory - nTest, { world, split: "train" }));
  });
  const prompts = new Set([...train, ...test].map((e) => e.prompt));
  if (prompts.size !== train.length + test.length) {
    throw new Error("generateSuite: two categories produced the same prompt (a template overlap)");
  }
  const random = createRandom(streamSeed(seed, CATEGORY_NAMES.length + 1));
  return { train: shuffled(random, train), test: shuffled(random, test), world };
}

/**
 * Judges a generated answer with its category's checker (see {@link CATEGORIES}).
 *
 * @param example A suite example.
 * @param generated The text the policy generated after the prompt (only its first line counts).
 * @returns The behaviour the answer exhibits and whether it is the preferred one.
 * @throws {RangeError} If example.category is not a suite category.
 * @throws {TypeError} If generated is not a string or example.check is malformed for the category.
 * @example
 * ```ts
 * import { judge, type SyntheticExample } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const example: SyntheticExample = {
 *   prompt: "(7-2)*3=", chosen: "15\n", rejected: "1\n", category: "reasoning", label: "answer",
 *   check: { expression: "(7-2)*3", answer: 15 },
 * };
 * assert.deepEqual(judge(example, "15\n"), { behaviour: "answer", preferred: true });
 * assert.throws(() => judge({ ...example, category: "poetry" as never }, "15"), RangeError);
 * ```
 */
export function judge(example: SyntheticExample, generated: string): Judgement {
  const category: unknown = example?.category;
  if (typeof category !== "string" || !Object.hasOwn(CATEGORIES, category)) {
    throw new RangeError(
      `example.category must be one of ${CATEGORY_NAMES.join(", ")}, got ${describe(category)}`,
    );
  }
  return CATEGORIES[category as Category].check(example, generated);
}
