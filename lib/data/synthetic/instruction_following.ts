/**
 * Instruction following: format constraints that code can verify ("In uppercase, describe the sea:", "In three
 * words, …", "End with '!'. …", "Start with 'Yes'. …", "JSON with key x: …"). The chosen answer satisfies the
 * constraint, the rejected one has the same words and satisfies a sibling constraint instead (lowercase, two
 * words, '?', 'Ok', key y), which its twin prompt asks for. The checker verifies the constraint on the
 * generated answer's first line and that the answer uses a word about the task.
 *
 * @module
 */
import type { Random } from "../../math/random.ts";
import { answerLine, wordsOf } from "./answer_line.ts";
import { checkRecord, keyField, stringField } from "./check_fields.ts";
import {
  assertGeneratorArguments,
  capitalize,
  fits,
  pick,
  sampleTwins,
  shuffled,
  splitOption,
} from "./sampling.ts";
import type {
  FormatConstraint,
  GeneratorOptions,
  InstructionCheck,
  Judgement,
  Split,
  SyntheticExample,
} from "./types.ts";

/** A task to answer in a few words, with the words an answer may use. */
export interface Topic {
  /** The task, lower case (`"describe the sea"`). */
  task: string;
  /** At least five short lower-case words that describe it. */
  words: readonly string[];
}

/** The tasks of the instruction-following prompts, per split (no topic in both). */
export const TOPICS: Readonly<Record<Split, readonly Topic[]>> = {
  train: [
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
  ],
  test: [
    { task: "describe a river", words: ["long", "cold", "fast", "clear", "wide"] },
    { task: "describe coffee", words: ["hot", "dark", "bitter", "strong", "rich"] },
    { task: "describe night", words: ["dark", "quiet", "cool", "calm", "long"] },
    { task: "describe summer", words: ["hot", "long", "bright", "lazy", "sunny"] },
    { task: "describe a desert", words: ["dry", "hot", "vast", "empty", "sandy"] },
  ],
};

/** A format constraint: its arguments, how to ask for it (per split), and how to verify it. */
export interface FormatRule {
  /** The arguments it takes (`[""]` when it takes none). */
  arguments: readonly string[];
  /** Prompt templates per split: `{t}` the task, `{T}` the task capitalized, `{a}` the argument, `{w}` its words. */
  templates: Readonly<Record<Split, readonly string[]>>;
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
    templates: { train: ["In uppercase, {t}: ", "{T} in uppercase: "], test: ["Uppercase only: {t}. "] },
    holds: (line) => /[A-Z]/.test(line) && !/[a-z]/.test(line),
  },
  lower: {
    arguments: [""],
    templates: { train: ["In lowercase, {t}: ", "{T} in lowercase: "], test: ["Lowercase only: {t}. "] },
    holds: (line) => /[a-z]/.test(line) && !/[A-Z]/.test(line),
  },
  words: {
    arguments: ["1", "2", "3"],
    templates: { train: ["In {w}, {t}: ", "{T} in {w}: "], test: ["Exactly {w}: {t}. ", "Use {w}: {t}. "] },
    holds: (line, argument) => line.split(/\s+/).filter((w) => w !== "").length === Number(argument),
  },
  end: {
    arguments: ["!", "?"],
    templates: { train: ["End with '{a}'. {T}: ", "{T}, end with {a} "], test: ["Finish with '{a}': {t}. "] },
    holds: (line, argument) => argument !== "" && line.endsWith(argument),
  },
  start: {
    arguments: ["Yes", "Ok", "Well"],
    templates: {
      train: ["Start with '{a}'. {T}: ", "Begin with {a}: {t}. "],
      test: ["Open with '{a}', {t}: "],
    },
    holds: (line, argument) => wordsOf(line)[0] === argument.toLowerCase(),
  },
  json: {
    arguments: ["x", "a", "ans", "text"],
    templates: {
      train: ["JSON with key {a}: {t}. ", "Reply as JSON, key {a}: {t} "],
      test: ["{T} as JSON, key {a}: "],
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

/** One side of a twin: a constraint, its argument, and the answer line that satisfies it. */
interface Side {
  constraint: FormatConstraint;
  argument: string;
  line: string;
}

/** Twin families: two (constraint, argument) settings and, for each, an answer that breaks the other. */
const FAMILIES: readonly ((random: Random, words: readonly string[]) => [Side, Side])[] = [
  (random, words) => {
    const s = capitalize(phrase(random, words)) + ".";
    return [
      { constraint: "upper", argument: "", line: s.toUpperCase() },
      { constraint: "lower", argument: "", line: s.toLowerCase() },
    ];
  },
  (random, words) => {
    const [k, m] = shuffled(random, ["1", "2", "3"]) as [string, string];
    const list = (c: string): string => capitalize(words.slice(0, Number(c)).join(", ")) + ".";
    return [
      { constraint: "words", argument: k, line: list(k) },
      { constraint: "words", argument: m, line: list(m) },
    ];
  },
  (random, words) => {
    const p = capitalize(phrase(random, words));
    return [
      { constraint: "end", argument: "!", line: p + "!" },
      { constraint: "end", argument: "?", line: p + "?" },
    ];
  },
  (random, words) => {
    const p = phrase(random, words);
    const [a, b] = shuffled(random, FORMAT_CONSTRAINTS.start.arguments) as [string, string];
    return [
      { constraint: "start", argument: a, line: `${a}, ${p}.` },
      { constraint: "start", argument: b, line: `${b}, ${p}.` },
    ];
  },
  (random, words) => {
    const p = phrase(random, words);
    const [a, b] = shuffled(random, FORMAT_CONSTRAINTS.json.arguments) as [string, string];
    return [
      { constraint: "json", argument: a, line: JSON.stringify({ [a]: p }) },
      { constraint: "json", argument: b, line: JSON.stringify({ [b]: p }) },
    ];
  },
];

/**
 * Draws instruction-following pairs in twins: a family of two settings of one kind of constraint (upper vs
 * lower case, k vs m words, ending with `!` vs `?`, starting with one word vs another, JSON with one key vs
 * another), uniformly, and a topic of the split; each setting's answer over the topic's shuffled words
 * satisfies it and breaks the other. The first pair asks for the first setting (chosen its answer, rejected
 * the other's), the twin for the second (the same answers swapped). Topics and templates come from the split.
 * Label `comply_format`.
 *
 * @param random The generator.
 * @param n How many pairs.
 * @param options `split` (default `"train"`); `world` is unused.
 * @returns The pairs, twins adjacent.
 * @throws {TypeError} If random is not a Random.
 * @throws {RangeError} If n is not an integer ≥ 0 or exceeds the distinct prompts available, or the split is
 * unknown.
 * @example
 * ```ts
 * import { createRandom } from "@dpo-kernels/dpo-kernels";
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
  options: GeneratorOptions = {},
): SyntheticExample<InstructionCheck>[] {
  assertGeneratorArguments(random, n);
  const split = splitOption(options);
  const topics = TOPICS[split];
  const capacity = topics.length *
    Object.values(FORMAT_CONSTRAINTS).reduce((s, r) => s + r.arguments.length * r.templates[split].length, 0);
  const ask = (side: Side, topic: Topic): string =>
    pick(random, FORMAT_CONSTRAINTS[side.constraint].templates[split])
      .replace("{t}", topic.task)
      .replace("{T}", capitalize(topic.task))
      .replace("{a}", side.argument)
      .replace("{w}", WORD_COUNTS[side.argument] ?? side.argument);
  return sampleTwins(
    n,
    () => {
      const topic = pick(random, topics);
      const sides = pick(random, FAMILIES)(random, shuffled(random, topic.words));
      const [first, second] = random.int(2) === 0 ? sides : [sides[1], sides[0]];
      const pair = [first, second].map((side, i): SyntheticExample<InstructionCheck> => {
        const other = i === 0 ? second : first;
        return {
          prompt: ask(side, topic),
          chosen: side.line + "\n",
          rejected: other.line + "\n",
          category: "instruction_following",
          label: "comply_format",
          check: { constraint: side.constraint, argument: side.argument },
        };
      }) as [SyntheticExample<InstructionCheck>, SyntheticExample<InstructionCheck>];
      return pair.every((e) => fits(e.prompt, e.chosen, e.rejected)) ? pair : undefined;
    },
    "instruction_following",
    capacity,
  );
}

/**
 * The topic an instruction-following prompt asks about (the first of {@link TOPICS}, either split, whose task
 * the prompt contains, ignoring case), if any.
 *
 * @param prompt The prompt.
 * @returns The topic, or undefined.
 * @example
 * ```ts
 * import { topicOf } from "@dpo-kernels/dpo-kernels/data";
 * topicOf("Describe the sea in uppercase: ")?.words[0]; // "blue"
 * ```
 */
export function topicOf(prompt: string): Topic | undefined {
  const text = String(prompt).toLowerCase();
  return [...TOPICS.train, ...TOPICS.test].find((t) => text.includes(t.task));
}

/**
 * Judges a generated answer against the example's format constraint: `violate_format` if its first line breaks
 * the constraint (the rule's `holds` in {@link FORMAT_CONSTRAINTS}); otherwise `comply_format` if it says
 * something about the task — one of the topic's words ({@link topicOf}; any letter for a prompt outside the
 * suite's topics) — and `wrong` if not, so well-formatted gibberish never complies.
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
 * assert.equal(checkInstructionFollowing(example, '{"x":"qqq"}').behaviour, "wrong");
 * ```
 */
export function checkInstructionFollowing(example: SyntheticExample, generated: string): Judgement {
  const check = checkRecord(example, "instruction_following");
  const rule = FORMAT_CONSTRAINTS[keyField(check, "constraint", FORMAT_CONSTRAINTS)];
  const line = answerLine(generated);
  const topic = topicOf(example.prompt);
  const words = wordsOf(line);
  const onTopic = topic === undefined ? words.length > 0 : words.some((w) => topic.words.includes(w));
  const behaviour = !rule.holds(line, stringField(check, "argument"))
    ? "violate_format"
    : onTopic
    ? "comply_format"
    : "wrong";
  return { behaviour, preferred: behaviour === example.label };
}
