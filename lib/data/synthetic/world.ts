/**
 * The invented world that factuality and truthfulness prompts talk about: invented names split into training
 * and held-out names (drawn from a seed), invented cities, colors and pets, and the statements that put a fact
 * into a prompt ("Avel lives in Tomra.").
 *
 * @module
 */
import type { Random } from "../../math/random.ts";
import { describe } from "../../math/validation.ts";
import { capitalize, shuffled } from "./sampling.ts";
import type { RelationName, Split } from "./types.ts";

/** Invented first names (ASCII, none of them a city, color, pet or English word used in answers). */
export const PERSON_NAMES: readonly string[] = [
  "Avel",
  "Bryn",
  "Cade",
  "Dova",
  "Elin",
  "Fenn",
  "Gila",
  "Hask",
  "Iska",
  "Jory",
  "Kael",
  "Lune",
  "Mira",
  "Nole",
  "Orla",
  "Pell",
  "Quin",
  "Rhea",
  "Sorn",
  "Tova",
  "Ulla",
  "Veyl",
  "Wren",
  "Xara",
  "Yoss",
  "Zeda",
  "Arlo",
  "Bexa",
  "Cira",
  "Doma",
  "Esko",
  "Faro",
  "Gwen",
  "Holt",
  "Ivor",
  "Jael",
  "Kiro",
  "Lisk",
  "Mott",
  "Nima",
  "Oren",
  "Pim",
  "Ruse",
  "Sila",
];

/** Invented city names. */
export const CITY_NAMES: readonly string[] = [
  "Tomra",
  "Velk",
  "Ostra",
  "Brell",
  "Kaldo",
  "Mirn",
  "Zeph",
  "Pyra",
  "Quell",
  "Dorn",
  "Sabe",
  "Lumo",
];

/** The colors people like. */
export const COLOR_NAMES: readonly string[] = [
  "red",
  "blue",
  "green",
  "amber",
  "violet",
  "gray",
  "teal",
  "pink",
];

/** The pets people keep. */
export const PET_NAMES: readonly string[] = ["cat", "owl", "fox", "goat", "crow", "frog", "hare", "newt"];

/**
 * The names prompts use, split: training prompts talk about `train` names only and held-out prompts about
 * `test` names only, so no held-out fact (person, relation, value) appears in training.
 */
export interface World {
  /** Names of training prompts. */
  train: readonly string[];
  /** Names of held-out prompts. */
  test: readonly string[];
}

/** A relation: its possible values, the answer phrasings, and the statements that put a fact in a prompt. */
export interface Relation {
  /** Every value the relation can take. */
  values: readonly string[];
  /**
   * Answer phrasings: `{V}` is the value capitalized, `{v}` the value, `{an}`/`{An}` the article the value
   * takes ("a"/"an"). A chosen and a rejected answer always share a phrasing, so only the value differs.
   */
  styles: readonly string[];
  /** Statements of a fact (`{P}` the person), per split: the two splits share none. */
  statements: Readonly<Record<Split, readonly string[]>>;
}

/** The relations, by name. */
export const RELATIONS: Readonly<Record<RelationName, Relation>> = {
  city: {
    values: CITY_NAMES,
    styles: ["{V}.", "In {V}."],
    statements: { train: ["{P} lives in {V}.", "{P} is in {V}."], test: ["{P} is from {V}."] },
  },
  color: {
    values: COLOR_NAMES,
    styles: ["{V}.", "It is {v}."],
    statements: { train: ["{P} likes {v}.", "{P}'s color is {v}."], test: ["{P} loves {v}."] },
  },
  pet: {
    values: PET_NAMES,
    styles: ["{An} {v}.", "It is {an} {v}."],
    statements: { train: ["{P} has {an} {v}.", "{P} owns {an} {v}."], test: ["{P} keeps {an} {v}."] },
  },
};

/** The relation names, in table order. */
export const RELATION_NAMES: readonly RelationName[] = Object.keys(RELATIONS) as RelationName[];

/**
 * Fills an answer phrasing or a statement.
 *
 * @param style A phrasing from {@link Relation.styles} or a statement.
 * @param person The person's name.
 * @param value The value.
 * @returns The filled text (without a final newline).
 * @example
 * ```ts
 * import { formatAnswer } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * assert.equal(formatAnswer("{P} likes {v}.", "Avel", "teal"), "Avel likes teal.");
 * assert.equal(formatAnswer("{V}.", "Avel", "teal"), "Teal.");
 * assert.equal(formatAnswer("{P} has {an} {v}.", "Avel", "owl"), "Avel has an owl.");
 * ```
 */
export function formatAnswer(style: string, person: string, value: string): string {
  const article = /^[aeiou]/i.test(value) ? "an" : "a";
  return style.replaceAll("{P}", person).replaceAll("{V}", capitalize(value)).replaceAll("{v}", value)
    .replaceAll("{An}", capitalize(article)).replaceAll("{an}", article);
}

/**
 * Draws a world: the names are shuffled, the first `known` are the training names and the rest the held-out
 * names.
 *
 * @param random The generator (consumed: the world is a function of its state).
 * @param options `known` (default 32): how many of the {@link PERSON_NAMES} are training names, in
 * [2, PERSON_NAMES.length − 2] (each split needs two names for stranger questions).
 * @returns The world.
 * @throws {RangeError} If known is not an integer in range.
 * @example
 * ```ts
 * import { createRandom } from "@dpo-kernels/dpo-kernels";
 * import { createWorld } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const world = createWorld(createRandom(0));
 * assert.equal(world.train.length, 32);
 * assert.equal(world.test.length, 12);
 * assert.deepEqual(createWorld(createRandom(0)), world);
 * ```
 */
export function createWorld(random: Random, options: { known?: number } = {}): World {
  const known = options.known ?? 32;
  if (!Number.isInteger(known) || known < 2 || known > PERSON_NAMES.length - 2) {
    throw new RangeError(
      `options.known must be an integer in [2, ${PERSON_NAMES.length - 2}], got ${describe(known)}`,
    );
  }
  const names = shuffled(random, PERSON_NAMES);
  return { train: names.slice(0, known), test: names.slice(known) };
}
