/**
 * Factuality: the prompt states a fact and asks for it ("Avel lives in Tomra. Where is Avel? "). The chosen
 * answer states the value, the rejected one another value of the same relation in the same phrasing, and a
 * twin prompt makes the rejected value right, so no response is better on its own. The checker asks whether
 * the generated answer names the right value and no other value of the relation.
 *
 * @module
 */
import type { Random } from "../../math/random.ts";
import { answerLine, wordsOf } from "./answer_line.ts";
import { checkRecord, keyField, stringField } from "./check_fields.ts";
import { assertGeneratorArguments, fits, pick, sampleTwins, shuffled, splitOption } from "./sampling.ts";
import type {
  FactualityCheck,
  GeneratorOptions,
  Judgement,
  RelationName,
  Split,
  SyntheticExample,
} from "./types.ts";
import { createWorld, formatAnswer, RELATION_NAMES, RELATIONS } from "./world.ts";

/**
 * The factuality question templates per relation (`{P}` is the person), per split; each ends with a space.
 * The prompt is a statement of the fact (see `RELATIONS`) followed by one of these.
 */
export const FACTUALITY_QUESTIONS: Readonly<
  Record<RelationName, Readonly<Record<Split, readonly string[]>>>
> = {
  city: {
    train: ["Where is {P}? ", "Where does {P} live? ", "{P}'s city? "],
    test: ["Which city is {P} in? "],
  },
  color: {
    train: ["What does {P} like? ", "{P}'s color? ", "Which color for {P}? "],
    test: ["Name {P}'s color. "],
  },
  pet: {
    train: ["{P}'s pet? ", "What pet has {P}? ", "Which animal is {P}'s? "],
    test: ["Name {P}'s pet. "],
  },
};

/**
 * Whether an answer line states a relation's value: its words include the value and no other value of the
 * relation (so "Tomra or Velk" does not count as stating Tomra).
 *
 * @param line The answer line.
 * @param relation The relation.
 * @param value The value to look for.
 * @returns True if the line states the value and only it.
 * @example
 * ```ts
 * import { statesValue } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * assert.equal(statesValue("Avel lives in Tomra.", "city", "Tomra"), true);
 * assert.equal(statesValue("Tomra or Velk.", "city", "Tomra"), false);
 * assert.equal(statesValue("Velk.", "city", "Tomra"), false);
 * ```
 */
export function statesValue(line: string, relation: RelationName, value: string): boolean {
  const words = new Set(wordsOf(line));
  const target = value.toLowerCase();
  if (!words.has(target)) return false;
  return RELATIONS[relation].values.every((v) => v.toLowerCase() === target || !words.has(v.toLowerCase()));
}

/**
 * A factuality prompt: a statement of the fact, then a question about it.
 *
 * @param random The generator.
 * @param split The split whose templates to use.
 * @param relation The relation.
 * @param person The person.
 * @param value The value stated.
 * @param questions The question templates per relation and split.
 * @returns The prompt.
 *
 * @example
 * ```ts
 * import { createRandom } from "../../math/random.ts";
 * import { FACTUALITY_QUESTIONS, factPrompt } from "./factuality.ts";
 * import assert from "node:assert/strict";
 * const prompt = factPrompt(createRandom(0), "train", "city", "Avel", "Tomra", FACTUALITY_QUESTIONS);
 * assert.ok(prompt.includes("Avel") && prompt.includes("Tomra"), prompt);
 * ```
 */
export function factPrompt(
  random: Random,
  split: Split,
  relation: RelationName,
  person: string,
  value: string,
  questions: Readonly<Record<RelationName, Readonly<Record<Split, readonly string[]>>>>,
): string {
  const statement = formatAnswer(pick(random, RELATIONS[relation].statements[split]), person, value);
  return `${statement} ${pick(random, questions[relation][split]).replaceAll("{P}", person)}`;
}

/**
 * Draws factuality pairs in twins. The prompt states a fact and asks for it ("Avel lives in Tomra. Where is
 * Avel? "): chosen = the stated value, rejected = another value of the relation, in the same phrasing. The
 * twin states the rejected value about another person of the split, so the same two responses swap roles;
 * only the prompt tells them apart. Names, statements and questions come from the split (`options.split`).
 * Label `answer`.
 *
 * @param random The generator.
 * @param n How many pairs.
 * @param options `world` (default: drawn from random first), `split` (default `"train"`).
 * @returns The pairs, twins adjacent.
 * @throws {TypeError} If random is not a Random.
 * @throws {RangeError} If n is not an integer ≥ 0 or exceeds the distinct prompts available, or the split is
 * unknown.
 * @example
 * ```ts
 * import { createRandom } from "@dpo-kernels/dpo-kernels";
 * import { checkFactuality, generateFactuality } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const [pair, twin] = generateFactuality(createRandom(1), 2);
 * assert.equal(pair?.category, "factuality");
 * assert.equal(checkFactuality(pair!, pair!.chosen).preferred, true);
 * assert.equal(checkFactuality(pair!, pair!.rejected).behaviour, "wrong");
 * assert.equal(twin?.chosen, pair?.rejected);
 * ```
 */
export function generateFactuality(
  random: Random,
  n: number,
  options: GeneratorOptions = {},
): SyntheticExample<FactualityCheck>[] {
  assertGeneratorArguments(random, n);
  const split = splitOption(options);
  const world = options.world ?? createWorld(random);
  const names = world[split];
  const prompts = RELATION_NAMES.reduce(
    (s, r) =>
      s +
      FACTUALITY_QUESTIONS[r][split].length * RELATIONS[r].statements[split].length *
        RELATIONS[r].values.length,
    0,
  );
  const one = (relation: RelationName, person: string, value: string, wrong: string, style: string) => {
    const prompt = factPrompt(random, split, relation, person, value, FACTUALITY_QUESTIONS);
    const example: SyntheticExample<FactualityCheck> = {
      prompt,
      chosen: formatAnswer(style, person, value) + "\n",
      rejected: formatAnswer(style, person, wrong) + "\n",
      category: "factuality",
      label: "answer",
      check: { subject: person, relation, answer: value },
    };
    return fits(example.prompt, example.chosen, example.rejected) ? example : undefined;
  };
  return sampleTwins(
    n,
    () => {
      const relation = pick(random, RELATION_NAMES);
      const table = RELATIONS[relation];
      const [p, q] = shuffled(random, names);
      const value = pick(random, table.values);
      const wrong = pick(random, table.values.filter((v) => v !== value));
      const style = pick(random, table.styles);
      const a = one(relation, p as string, value, wrong, style);
      const b = one(relation, q as string, wrong, value, style);
      return a === undefined || b === undefined ? undefined : [a, b];
    },
    "factuality",
    names.length * prompts,
  );
}

/**
 * Judges a generated answer to a factuality question: `answer` if its first line states the right value and
 * no other value of the relation ({@link statesValue}), else `wrong`.
 *
 * @param example A factuality example.
 * @param generated The text generated after the prompt.
 * @returns The behaviour and whether it is preferred.
 * @throws {TypeError} If generated is not a string or example.check is malformed.
 * @throws {RangeError} If the example is of another category.
 * @example
 * ```ts
 * import { checkFactuality, type SyntheticExample } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const example: SyntheticExample = {
 *   prompt: "Where does Avel live? ", chosen: "Tomra.\n", rejected: "Velk.\n", category: "factuality",
 *   label: "answer", check: { subject: "Avel", relation: "city", answer: "Tomra" },
 * };
 * assert.deepEqual(checkFactuality(example, "In Tomra.\nWhere"), { behaviour: "answer", preferred: true });
 * assert.deepEqual(checkFactuality(example, "Velk."), { behaviour: "wrong", preferred: false });
 * ```
 */
export function checkFactuality(example: SyntheticExample, generated: string): Judgement {
  const check = checkRecord(example, "factuality");
  const relation = keyField(check, "relation", RELATIONS);
  const answer = stringField(check, "answer");
  const ok = statesValue(answerLine(generated), relation, answer);
  const behaviour = ok ? "answer" : "wrong";
  return { behaviour, preferred: behaviour === example.label };
}
