/**
 * Instruction following: format constraints that code can verify ("In uppercase, describe the sea:", "In three
 * words, …", "End with '!'. …", "Start with 'Yes'. …", "JSON with key x: …"). The chosen answer satisfies the
 * constraint, the rejected one has the same words and violates it. The checker verifies the constraint on the
 * generated answer's first line; it does not judge the content.
 *
 * @module
 */
import type { Random } from "../../model/random.ts";
import { answerLine, wordsOf } from "./answer_line.ts";
import { checkRecord, keyField, stringField } from "./check_fields.ts";
import { assertGeneratorArguments, capitalize, fits, pick, sampleUnique, shuffled } from "./sampling.ts";
import type {
  FormatConstraint,
  GeneratorOptions,
  InstructionCheck,
  Judgement,
  SyntheticExample,
} from "./types.ts";

/** A task to answer in a few words, with the words an answer may use. */
export interface Topic {
  /** The task, lower case (`"describe the sea"`). */
  task: string;
  /** At least five short lower-case words that describe it. */
  words: readonly string[];
}

/** The tasks of the instruction-following prompts. */
export const TOPICS: readonly Topic[] = [
  { task: "describe the sea", words: ["blue", "deep", "vast", "calm", "salty", "cold", "wild"] },
  { task: "describe a cat", words: ["soft", "small", "quiet", "lazy", "proud", "sly", "warm"] },
  { task: "describe winter", words: ["cold", "dark", "white", "long", "icy", "still"] },
  { task: "describe the sun", words: ["hot", "bright", "gold", "huge", "warm", "round"] },
  { task: "describe a forest", words: ["green", "dense", "tall", "old", "quiet", "damp"] },
  { task: "describe a city", words: ["busy", "loud", "big", "bright", "fast", "tall"] },
  { task: "describe a storm", words: ["loud", "dark", "wild", "wet", "fierce", "cold"] },
  { task: "describe bread", words: ["warm", "soft", "fresh", "crusty", "brown"] },
  { task: "describe music", words: ["loud", "sweet", "soft", "lively", "slow"] },
  { task: "describe a dog", words: ["loyal", "happy", "loud", "fast", "warm"] },
  { task: "describe the moon", words: ["pale", "round", "cold", "silver", "bright"] },
  { task: "describe a river", words: ["long", "cold", "fast", "clear", "wide"] },
  { task: "describe coffee", words: ["hot", "dark", "bitter", "strong", "rich"] },
  { task: "describe night", words: ["dark", "quiet", "cool", "calm", "long"] },
  { task: "describe summer", words: ["hot", "long", "bright", "lazy", "sunny"] },
  { task: "describe a desert", words: ["dry", "hot", "vast", "empty", "sandy"] },
];

/** A format constraint: how to ask for it, how to answer with and against it, and how to verify it. */
export interface FormatRule {
  /** The arguments it takes (`[""]` when it takes none). */
  arguments: readonly string[];
  /** Prompt templates: `{t}` the task, `{T}` the task capitalized, `{a}` the argument, `{w}` its words. */
  templates: readonly string[];
  /**
   * A chosen (satisfying) and a rejected (violating) answer line, without the newline.
   *
   * @param random The generator.
   * @param words The topic's words, shuffled.
   * @param argument The constraint's argument.
   */
  respond(random: Random, words: readonly string[], argument: string): { chosen: string; rejected: string };
  /**
   * Whether an answer line satisfies the constraint.
   *
   * @param line The answer line.
   * @param argument The constraint's argument.
   */
  holds(line: string, argument: string): boolean;
}

/** "blue", "blue and deep". */
const phrase = (random: Random, words: readonly string[]): string =>
  random.int(2) === 0 ? words[0] as string : `${words[0]} and ${words[1]}`;

/** "Blue and deep." */
const sentence = (random: Random, words: readonly string[]): string =>
  capitalize(phrase(random, words)) + ".";

/** The displayed word counts of the `words` constraint. */
const WORD_COUNTS: Readonly<Record<string, string>> = {
  "1": "one word",
  "2": "two words",
  "3": "three words",
};

/** The format constraints, by name. */
export const FORMAT_CONSTRAINTS: Readonly<Record<FormatConstraint, FormatRule>> = {
  upper: {
    arguments: [""],
    templates: ["In uppercase, {t}: ", "{T} in uppercase: ", "Uppercase only: {t}. "],
    respond: (random, words) => {
      const s = sentence(random, words);
      return { chosen: s.toUpperCase(), rejected: random.int(2) === 0 ? s : s.toLowerCase() };
    },
    holds: (line) => /[A-Z]/.test(line) && !/[a-z]/.test(line),
  },
  lower: {
    arguments: [""],
    templates: ["In lowercase, {t}: ", "{T} in lowercase: ", "Lowercase only: {t}. "],
    respond: (random, words) => {
      const s = sentence(random, words);
      return { chosen: s.toLowerCase(), rejected: random.int(2) === 0 ? s : s.toUpperCase() };
    },
    holds: (line) => /[a-z]/.test(line) && !/[A-Z]/.test(line),
  },
  words: {
    arguments: ["1", "2", "3"],
    templates: ["In {w}, {t}: ", "Use {w}: {t}. ", "{T} in {w}: ", "Exactly {w}: {t}. "],
    respond: (random, words, argument) => {
      const k = Number(argument);
      const wrong = k === 1 || random.int(2) === 0 ? k + 1 : k - 1;
      const list = (m: number): string => capitalize(words.slice(0, m).join(", ")) + ".";
      return { chosen: list(k), rejected: list(wrong) };
    },
    holds: (line, argument) => line.split(/\s+/).filter((w) => w !== "").length === Number(argument),
  },
  end: {
    arguments: ["!", "?"],
    templates: ["End with '{a}'. {T}: ", "{T}, end with {a} ", "Finish with '{a}': {t}. "],
    respond: (random, words, argument) => {
      const p = capitalize(phrase(random, words));
      return {
        chosen: p + argument,
        rejected: p + (random.int(2) === 0 ? "." : argument === "!" ? "?" : "!"),
      };
    },
    holds: (line, argument) => argument !== "" && line.endsWith(argument),
  },
  start: {
    arguments: ["Yes", "Ok", "Well"],
    templates: ["Start with '{a}'. {T}: ", "Begin with {a}: {t}. ", "Open with '{a}', {t}: "],
    respond: (random, words, argument) => {
      const p = phrase(random, words);
      const others = ["Yes", "Ok", "Well"].filter((a) => a !== argument);
      const rejected = random.int(2) === 0 ? capitalize(p) + "." : `${pick(random, others)}, ${p}.`;
      return { chosen: `${argument}, ${p}.`, rejected };
    },
    holds: (line, argument) => wordsOf(line)[0] === argument.toLowerCase(),
  },
  json: {
    arguments: ["x", "a", "ans", "text"],
    templates: ["JSON with key {a}: {t}. ", "Reply as JSON, key {a}: {t} ", "{T} as JSON, key {a}: "],
    respond: (random, words, argument) => {
      const p = phrase(random, words);
      const wrongKey = argument === "x" ? "y" : "x";
      const rejected = pick(random, [
        capitalize(p) + ".",
        JSON.stringify({ [wrongKey]: p }),
        `{${argument}:"${p}"}`,
      ]);
      return { chosen: JSON.stringify({ [argument]: p }), rejected };
    },
    holds: (line, argument) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        return false;
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
      const field = (value as Record<string, unknown>)[argument];
      return typeof field === "string" && field.trim() !== "";
    },
  },
};

/** The constraint names, in table order. */
const CONSTRAINT_NAMES = Object.keys(FORMAT_CONSTRAINTS) as FormatConstraint[];

/**
 * Draws instruction-following pairs: a constraint uniformly from {@link FORMAT_CONSTRAINTS}, one of its
 * arguments and templates, and a topic from {@link TOPICS}, uniformly; the answers come from the constraint's
 * `respond` over the topic's words, shuffled. Pairs longer than the limits are redrawn; prompts are distinct.
 * Label `comply_format`.
 *
 * @param random The generator.
 * @param n How many pairs.
 * @param _options Unused (the generators share one signature).
 * @returns The pairs, in draw order.
 * @throws {TypeError} If random is not a Random.
 * @throws {RangeError} If n is not an integer ≥ 0 or exceeds the distinct prompts available.
 * @example
 * ```ts
 * import { createRandom } from "@dpo-kernels/dpo-kernels/train";
 * import { checkInstructionFollowing, generateInstructionFollowing } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * for (const p of generateInstructionFollowing(createRandom(5), 20)) {
 *   assert.equal(checkInstructionFollowing(p, p.chosen).preferred, true);
 *   assert.equal(checkInstructionFollowing(p, p.rejected).behaviour, "violate_format");
 * }
 * ```
 */
export function generateInstructionFollowing(
  random: Random,
  n: number,
  _options: GeneratorOptions = {},
): SyntheticExample<InstructionCheck>[] {
  assertGeneratorArguments(random, n);
  const capacity = TOPICS.length *
    Object.values(FORMAT_CONSTRAINTS).reduce((s, r) => s + r.arguments.length * r.templates.length, 0);
  return sampleUnique(
    n,
    () => {
      const constraint = pick(random, CONSTRAINT_NAMES);
      const rule = FORMAT_CONSTRAINTS[constraint];
      const argument = pick(random, rule.arguments);
      const topic = pick(random, TOPICS);
      const prompt = pick(random, rule.templates)
        .replace("{t}", topic.task)
        .replace("{T}", capitalize(topic.task))
        .replace("{a}", argument)
        .replace("{w}", WORD_COUNTS[argument] ?? argument);
      const { chosen, rejected } = rule.respond(random, shuffled(random, topic.words), argument);
      if (!fits(prompt, chosen + "\n", rejected + "\n")) return undefined;
      return {
        prompt,
        chosen: chosen + "\n",
        rejected: rejected + "\n",
        category: "instruction_following",
        label: "comply_format",
        check: { constraint, argument },
      };
    },
    "instruction_following",
    capacity,
  );
}

/**
 * Judges a generated answer against the example's format constraint: `comply_format` if its first line
 * satisfies the constraint (the rule's `holds` in {@link FORMAT_CONSTRAINTS}), else `violate_format`.
 *
 * @param example An instruction-following example.
 * @param generated The text generated after the prompt.
 * @returns The behaviour and whether it is preferred.
 * @throws {TypeError} If generated is not a string or example.check is malformed.
 * @throws {RangeError} If the example is of another category.
 * @example
 * ```ts
 * import { checkInstructionFollowing, type SyntheticExample } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const example: SyntheticExample = {
 *   prompt: "JSON with key x: describe the sea. ", chosen: '{"x":"blue"}\n', rejected: "Blue.\n",
 *   category: "instruction_following", label: "comply_format", check: { constraint: "json", argument: "x" },
 * };
 * assert.equal(checkInstructionFollowing(example, '{"x":"deep"}\n{"').preferred, true);
 * assert.equal(checkInstructionFollowing(example, "{x:deep}").behaviour, "violate_format");
 * ```
 */
export function checkInstructionFollowing(example: SyntheticExample, generated: string): Judgement {
  const check = checkRecord(example, "instruction_following");
  const rule = FORMAT_CONSTRAINTS[keyField(check, "constraint", FORMAT_CONSTRAINTS)];
  const behaviour = rule.holds(answerLine(generated), stringField(check, "argument"))
    ? "comply_format"
    : "violate_format";
  return { behaviour, preferred: behaviour === example.label };
}
