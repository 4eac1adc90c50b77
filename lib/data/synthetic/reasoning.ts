/**
 * Reasoning: multi-step arithmetic on small numbers ("3+4*2=", "(7-2)*3="), two or three operations. The chosen
 * answer is the value, the rejected one a plausible slip: the value read left to right (operator precedence
 * ignored), the value with the parentheses dropped, or an off-by-one; a twin expression whose value is the
 * slip rejects the first value, so each number is chosen once and rejected once. The checker reads the first
 * integer.
 *
 * @module
 */
import type { Random } from "../../math/random.ts";
import { describe } from "../../math/validation.ts";
import { answerLine } from "./answer_line.ts";
import { checkRecord } from "./check_fields.ts";
import { assertGeneratorArguments, fits, pick, sampleTwins, shuffled, splitOption } from "./sampling.ts";
import type { GeneratorOptions, Judgement, ReasoningCheck, Split, SyntheticExample } from "./types.ts";

/** Expression shapes: `a`–`d` stand for digits 1–9. */
export const EXPRESSION_SHAPES: readonly string[] = [
  "a+b*c",
  "a*b+c",
  "a*b-c",
  "a-b*c",
  "(a+b)*c",
  "(a-b)*c",
  "a*(b+c)",
  "a*(b-c)",
  "a+b-c",
  "a-b+c",
  "a+b*c-d",
  "a*b+c*d",
  "a*b-c*d",
  "(a+b)*c-d",
  "a+b*(c-d)",
  "(a+b)*(c-d)",
  "a*b-c+d",
  "a+b+c*d",
];

/** The prompt templates (`{e}` is the expression) per split. */
export const REASONING_TEMPLATES: Readonly<Record<Split, readonly string[]>> = {
  train: ["{e}=", "What is {e}? ", "Compute {e}: ", "Calculate {e}: "],
  test: ["{e} = ", "Evaluate {e}. "],
};

/**
 * The split an expression belongs to: held out when its FNV-1a hash is a multiple of 6, so no expression is
 * asked in both splits.
 *
 * @param expression The expression.
 * @returns Its split.
 * @example
 * ```ts
 * import { expressionSplit } from "@dpo-kernels/dpo-kernels/data";
 * ["train", "test"].includes(expressionSplit("3+4*2")); // true
 * ```
 */
export function expressionSplit(expression: string): Split {
  let h = 0x811c9dc5;
  for (let i = 0; i < expression.length; i++) h = Math.imul(h ^ expression.charCodeAt(i), 0x01000193);
  return (h >>> 0) % 6 === 0 ? "test" : "train";
}

/** The largest value (and the smallest is 0) that a generated expression may have. */
export const MAX_REASONING_VALUE = 99;

/**
 * Evaluates an expression of non-negative integers, `+`, `-`, `*` and parentheses.
 *
 * @param expression The expression, without spaces.
 * @param options `precedence` (default true): `*` binds tighter than `+`/`-`; false evaluates left to right
 * (parentheses still group), the slip a rejected answer may make.
 * @returns The value.
 * @throws {RangeError} If expression is not a well-formed expression.
 * @example
 * ```ts
 * import { evaluateExpression } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * assert.equal(evaluateExpression("3+4*2"), 11);
 * assert.equal(evaluateExpression("3+4*2", { precedence: false }), 14);
 * assert.equal(evaluateExpression("(7-2)*3"), 15);
 * ```
 */
export function evaluateExpression(expression: string, options: { precedence?: boolean } = {}): number {
  const precedence = options.precedence ?? true;
  const tokens = typeof expression === "string" ? expression.match(/\d+|[-+*()]|\S/g) ?? [] : [];
  let at = 0;
  const fail = (): never => {
    throw new RangeError(`expression must be an arithmetic expression, got ${describe(expression)}`);
  };
  const atom = (): number => {
    const t = tokens[at++];
    if (t === "(") {
      const v = sum();
      if (tokens[at++] !== ")") fail();
      return v;
    }
    if (t === undefined || !/^\d+$/.test(t)) fail();
    return Number(t);
  };
  const product = (): number => {
    let v = atom();
    while (tokens[at] === "*") {
      at++;
      v *= atom();
    }
    return v;
  };
  const apply = (v: number, op: string, w: number): number => op === "+" ? v + w : op === "-" ? v - w : v * w;
  const sum = (): number => {
    const operand = precedence ? product : atom;
    let v = operand();
    for (let op = tokens[at]; op === "+" || op === "-" || (!precedence && op === "*"); op = tokens[at]) {
      at++;
      v = apply(v, op, operand());
    }
    return v;
  };
  if (typeof expression !== "string") fail();
  const value = sum();
  if (at !== tokens.length) fail();
  return value;
}

/** The slips a rejected answer makes: each gives a wrong value, or undefined where it does not apply. */
export const ARITHMETIC_SLIPS: Readonly<
  Record<string, (expression: string, value: number, random: Random) => number | undefined>
> = {
  /** Left to right, ignoring that `*` binds tighter. */
  precedence: (e, v) => {
    const w = evaluateExpression(e, { precedence: false });
    return w === v ? undefined : w;
  },
  /** The parentheses dropped. */
  parentheses: (e, v) => {
    if (!e.includes("(")) return undefined;
    const w = evaluateExpression(e.replaceAll(/[()]/g, ""));
    return w === v ? undefined : w;
  },
  /** One more or one less. */
  offByOne: (_e, v, random) => (v === 0 || random.int(2) === 0 ? v + 1 : v - 1),
};

/** Draws an expression of the split with a value in [0, MAX_REASONING_VALUE], or undefined. */
function drawExpression(random: Random, split: Split): { expression: string; value: number } | undefined {
  const expression = pick(random, EXPRESSION_SHAPES).replaceAll(/[a-d]/g, () => String(1 + random.int(9)));
  if (expressionSplit(expression) !== split) return undefined;
  const value = evaluateExpression(expression);
  return value < 0 || value > MAX_REASONING_VALUE ? undefined : { expression, value };
}

/** Draws a twin expression tried this many times before a pair is dropped. */
const TWIN_TRIES = 4000;

/**
 * Draws reasoning pairs in twins. The first pair: an expression of the split (a shape from
 * {@link EXPRESSION_SHAPES} with digits 1–9, value in [0, {@link MAX_REASONING_VALUE}]); chosen = the value,
 * rejected = the first slip of {@link ARITHMETIC_SLIPS}, in a shuffled order, that applies and gives a number
 * ≥ 0. Its twin: another expression of the split whose value is that slip, with the first value rejected, so
 * both numbers are chosen once and rejected once. Expressions split by {@link expressionSplit}, templates by
 * {@link REASONING_TEMPLATES}. Label `answer`.
 *
 * @param random The generator.
 * @param n How many pairs (distinct prompts).
 * @param options `split` (default `"train"`); `world` is unused.
 * @returns The pairs, twins adjacent.
 * @throws {TypeError} If random is not a Random.
 * @throws {RangeError} If n is not an integer ≥ 0, or the split is unknown.
 * @example
 * ```ts
 * import { createRandom } from "@dpo-kernels/dpo-kernels";
 * import { checkReasoning, generateReasoning } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const pairs = generateReasoning(createRandom(3), 4);
 * assert.equal(pairs.length, 4);
 * for (const p of pairs) assert.equal(checkReasoning(p, p.chosen).preferred, true);
 * assert.equal(pairs[1]?.chosen, pairs[0]?.rejected);
 * ```
 */
export function generateReasoning(
  random: Random,
  n: number,
  options: GeneratorOptions = {},
): SyntheticExample<ReasoningCheck>[] {
  assertGeneratorArguments(random, n);
  const split = splitOption(options);
  const slips = Object.values(ARITHMETIC_SLIPS);
  const templates = REASONING_TEMPLATES[split];
  const example = (expression: string, value: number, wrong: number): SyntheticExample<ReasoningCheck> => ({
    prompt: pick(random, templates).replace("{e}", expression),
    chosen: `${value}\n`,
    rejected: `${wrong}\n`,
    category: "reasoning",
    label: "answer",
    check: { expression, answer: value },
  });
  return sampleTwins(
    n,
    () => {
      const first = drawExpression(random, split);
      if (first === undefined) return undefined;
      let wrong: number | undefined;
      for (const slip of shuffled(random, slips)) {
        wrong = slip(first.expression, first.value, random);
        if (wrong !== undefined && wrong >= 0) break;
      }
      if (wrong === undefined || wrong < 0 || wrong > MAX_REASONING_VALUE) return undefined;
      for (let t = 0; t < TWIN_TRIES; t++) {
        const second = drawExpression(random, split);
        if (second === undefined || second.value !== wrong || second.expression === first.expression) {
          continue;
        }
        const pair = [
          example(first.expression, first.value, wrong),
          example(second.expression, wrong, first.value),
        ] as const;
        return pair.every((e) => fits(e.prompt, e.chosen, e.rejected)) ? pair : undefined;
      }
      return undefined;
    },
    "reasoning",
    templates.length * EXPRESSION_SHAPES.reduce((s, e) => s + 9 ** (e.match(/[a-d]/g) ?? []).length, 0),
  );
}

/**
 * Judges a generated answer to an arithmetic prompt: `answer` if the first integer of its first line (an
 * optional minus sign, then digits) equals the value, else `wrong` (also when there is no integer).
 *
 * @param example A reasoning example.
 * @param generated The text generated after the prompt.
 * @returns The behaviour and whether it is preferred.
 * @throws {TypeError} If generated is not a string or example.check.answer is not a number.
 * @throws {RangeError} If the example is of another category.
 * @example
 * ```ts
 * import { checkReasoning, type SyntheticExample } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const example: SyntheticExample = {
 *   prompt: "3+4*2=", chosen: "11\n", rejected: "14\n", category: "reasoning", label: "answer",
 *   check: { expression: "3+4*2", answer: 11 },
 * };
 * assert.equal(checkReasoning(example, "11\n3+").preferred, true);
 * assert.equal(checkReasoning(example, "It is 14.").behaviour, "wrong");
 * assert.equal(checkReasoning(example, "eleven").behaviour, "wrong");
 * ```
 */
export function checkReasoning(example: SyntheticExample, generated: string): Judgement {
  const check = checkRecord(example, "reasoning");
  const answer = check.answer;
  if (typeof answer !== "number" || !Number.isInteger(answer)) {
    throw new TypeError(`example.check.answer must be an integer, got ${describe(answer)}`);
  }
  const first = answerLine(generated).match(/-?\d+/);
  const behaviour = first !== null && Number(first[0]) === answer ? "answer" : "wrong";
  return { behaviour, preferred: behaviour === example.label };
}
