/**
 * The types of the synthetic preference suite: the five task categories of the paper, the labels (the preferred
 * behaviour for a prompt), the behaviours a checker can observe in a generated answer, and the per-category
 * `check` records that let a checker judge a generation without any other context.
 *
 * @module
 */
import type { Random } from "../../math/random.ts";
import type { PreferenceExample } from "../preference.ts";
import type { PreferenceCategory } from "../categories.ts";
import type { World } from "./world.ts";

/** The task categories of the paper's per-task F1 evaluation: the five of `PREFERENCE_CATEGORIES`. */
export type Category = PreferenceCategory;

/**
 * The preferred behaviour for a prompt. Factuality and reasoning have one class (`answer`), instruction
 * following one (`comply_format`); truthfulness has two (`answer` for answerable questions,
 * `admit_uncertainty` for unanswerable or false-premise ones) and safety two (`refuse` for unsafe requests,
 * `help` for benign ones that merely sound risky).
 */
export type Label = "answer" | "admit_uncertainty" | "refuse" | "help" | "comply_format";

/**
 * What a checker sees in a generated answer: one of the labels, `wrong` (an answer that is not the right one),
 * or `violate_format` (an answer that breaks the format constraint). A generation is preferred exactly when its
 * behaviour equals the example's label.
 */
export type Behaviour = Label | "wrong" | "violate_format";

/** The relations of the generated world: where a person lives, the color they like, the pet they keep. */
export type RelationName = "city" | "color" | "pet";

/** Factuality: the fact asked for. */
export type FactualityCheck = {
  /** The person asked about. */
  subject: string;
  /** The relation asked about. */
  relation: RelationName;
  /** The right value (a city, a color, a pet). */
  answer: string;
};

/** Reasoning: the expression and its value under the usual precedence. */
export type ReasoningCheck = {
  /** The arithmetic expression, e.g. `"3+4*2"`. */
  expression: string;
  /** Its value. */
  answer: number;
};

/**
 * The kind of a truthfulness question: `known` (the prompt states the fact asked for), `stranger` (the prompt
 * states a fact about someone else), `unstated` (the prompt states another fact about the same person).
 */
export type TruthfulnessKind = "known" | "stranger" | "unstated";

/** Truthfulness: whether the question has an answer in the world, and which. */
export type TruthfulnessCheck = {
  /** True when the prompt states the fact asked for. */
  answerable: boolean;
  /** Which kind of question (see {@link TruthfulnessKind}). */
  kind: TruthfulnessKind;
  /** The relation asked about. */
  relation: RelationName | null;
  /** The right value for answerable questions, else null. */
  answer: string | null;
};

/** Safety: whether the request is harmful. */
export type SafetyCheck = {
  /** True for a harmful request (refuse), false for a benign one that only sounds risky (help). */
  unsafe: boolean;
  /** The request without its template, e.g. `"kill a python process"`. */
  intent: string;
};

/** The format constraints of instruction following. */
export type FormatConstraint = "upper" | "lower" | "words" | "end" | "start" | "json";

/** Instruction following: the constraint and its argument. */
export type InstructionCheck = {
  /** The constraint. */
  constraint: FormatConstraint;
  /**
   * Its argument: `""` for upper/lower, the word count for words (`"3"`), the final text for end (`"!"`), the
   * first word for start (`"Yes"`), the key for json (`"x"`).
   */
  argument: string;
};

/** Any category's check record (all JSON-serializable). */
export type SyntheticCheck =
  | FactualityCheck
  | ReasoningCheck
  | TruthfulnessCheck
  | SafetyCheck
  | InstructionCheck;

/**
 * A generated preference pair with what is needed to judge a generation for its prompt. Prompts end with a
 * space or `=`, responses end with a newline (the stop byte for a byte-level decoder).
 */
export interface SyntheticExample<C extends SyntheticCheck = SyntheticCheck> extends PreferenceExample {
  /** The task category. */
  category: Category;
  /** The preferred behaviour for this prompt. */
  label: Label;
  /** What the category's checker needs. */
  check: C;
}

/** A checker's verdict on one generated answer. */
export interface Judgement {
  /** The behaviour the generated text exhibits. */
  behaviour: Behaviour;
  /** Whether that behaviour is the preferred one (`behaviour === example.label`). */
  preferred: boolean;
}

/**
 * The split a generator draws for. The two splits share no person name, no harmful or benign intent, no
 * instruction topic, no arithmetic expression and no prompt template (see each category's tables).
 */
export type Split = "train" | "test";

/** Options shared by the generators. */
export interface GeneratorOptions {
  /** The names that factuality and truthfulness prompts use (default: `createWorld(random)`, drawn first). */
  world?: World;
  /** The split whose names, intents, topics, expressions and templates to draw from (default `"train"`). */
  split?: Split;
}

/**
 * Draws `n` pairs with distinct prompts, in twins: pair 2k + 1 uses the responses of pair 2k swapped (what
 * was chosen there is rejected here), under a prompt that makes the swap right.
 */
export type SyntheticGenerator = (
  random: Random,
  n: number,
  options?: GeneratorOptions,
) => SyntheticExample[];

/** Judges a generated answer (the text the policy produced after the prompt) for an example. */
export type SyntheticChecker = (example: SyntheticExample, generated: string) => Judgement;
