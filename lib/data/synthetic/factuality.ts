/**
 * Factuality: questions about the facts of the generated world ("Where does Avel live?"). The chosen answer
 * states the person's value, the rejected one another value of the same relation in the same phrasing. The
 * checker asks whether the generated answer names the right value and no other value of the relation.
 *
 * @module
 */
import type { Random } from "../../model/random.ts";
import { answerLine, wordsOf } from "./answer_line.ts";
import { checkRecord, keyField, stringField } from "./check_fields.ts";
import { assertGeneratorArguments, fits, pick, sampleUnique } from "./sampling.ts";
import type {
  FactualityCheck,
  GeneratorOptions,
  Judgement,
  RelationName,
  SyntheticExample,
} from "./types.ts";
import { createWorld, formatAnswer, RELATION_NAMES, RELATIONS } from "./world.ts";

/** The factuality question templates per relation (`{P}` is the person); each ends with a space. */
export const FACTUALITY_QUESTIONS: Readonly<Record<RelationName, readonly string[]>> = {
  city: [
    "Where does {P} live? ",
    "Where is {P}'s home? ",
    "Which city is {P} from? ",
    "{P} lives in which city? ",
    "Name {P}'s home city. ",
  ],
  color: [
    "What color does {P} like? ",
    "{P}'s favorite color? ",
    "Which color does {P} love? ",
    "Name {P}'s color. ",
    "What is {P}'s color? ",
  ],
  pet: [
    "What pet does {P} have? ",
    "{P} owns which animal? ",
    "Which pet is {P}'s? ",
    "Name {P}'s pet. ",
    "What animal does {P} keep? ",
  ],
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
 * Draws factuality pairs: a known person, a relation, a question template and an answer phrasing, uniformly;
 * chosen = the person's value, rejected = another value of the relation (uniform), both in the phrasing and
 * ending with a newline. Prompts are distinct; label `answer`.
 *
 * @param random The generator.
 * @param n How many pairs (at most people × 15 templates, 480 for the default world).
 * @param options `world` (default: drawn from random first).
 * @returns The pairs, in draw order.
 * @throws {TypeError} If random is not a Random.
 * @throws {RangeError} If n is not an integer ≥ 0 or exceeds the distinct prompts available.
 * @example
 * ```ts
 * import { createRandom } from "@dpo-kernels/dpo-kernels/train";
 * import { checkFactuality, generateFactuality } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const [pair] = generateFactuality(createRandom(1), 1);
 * assert.equal(pair?.category, "factuality");
 * assert.equal(checkFactuality(pair!, pair!.chosen).preferred, true);
 * assert.equal(checkFactuality(pair!, pair!.rejected).behaviour, "wrong");
 * ```
 */
export function generateFactuality(
  random: Random,
  n: number,
  options: GeneratorOptions = {},
): SyntheticExample<FactualityCheck>[] {
  assertGeneratorArguments(random, n);
  const world = options.world ?? createWorld(random);
  const templates = RELATION_NAMES.reduce((s, r) => s + FACTUALITY_QUESTIONS[r].length, 0);
  return sampleUnique(
    n,
    () => {
      const person = pick(random, world.people);
      const relation = pick(random, RELATION_NAMES);
      const table = RELATIONS[relation];
      const prompt = pick(random, FACTUALITY_QUESTIONS[relation]).replaceAll("{P}", person.name);
      const value = table.of(person);
      const wrong = pick(random, table.values.filter((v) => v !== value));
      const style = pick(random, table.styles);
      const chosen = formatAnswer(style, person.name, value) + "\n";
      const rejected = formatAnswer(style, person.name, wrong) + "\n";
      if (!fits(prompt, chosen, rejected)) return undefined;
      return {
        prompt,
        chosen,
        rejected,
        category: "factuality",
        label: "answer",
        check: { subject: person.name, relation, answer: value },
      };
    },
    "factuality",
    world.people.length * templates,
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
