/**
 * The generated world that factuality and truthfulness questions are about: invented people, each living in
 * an invented city, liking a color and keeping a pet, drawn from a seed. Names left out of the world are
 * strangers, about whom nothing can be known.
 *
 * @module
 */
import type { Random } from "../../model/random.ts";
import { describe } from "../../math/validation.ts";
import { capitalize, shuffled } from "./sampling.ts";
import type { RelationName } from "./types.ts";

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

/** One person of the world. */
export interface Person {
  /** The name. */
  name: string;
  /** The city they live in. */
  city: string;
  /** The color they like. */
  color: string;
  /** The pet they keep. */
  pet: string;
}

/** A generated world. */
export interface World {
  /** The known people, each with one value per relation. */
  people: readonly Person[];
  /** Names of people who are not in the world (questions about them are unanswerable). */
  strangers: readonly string[];
}

/** A relation of the world: its possible values and the answer phrasings for it. */
export interface Relation {
  /** Every value the relation can take. */
  values: readonly string[];
  /** A person's value. */
  of(person: Person): string;
  /**
   * Answer phrasings: `{P}` is the person, `{v}` the value, `{V}` the value capitalized, `{an}`/`{An}` the
   * article the value takes ("a"/"an"). A chosen and a rejected answer always share a phrasing, so only the
   * value (and its article) differs.
   */
  styles: readonly string[];
}

/** The relations, by name. */
export const RELATIONS: Readonly<Record<RelationName, Relation>> = {
  city: { values: CITY_NAMES, of: (p) => p.city, styles: ["{V}.", "In {V}.", "{P} lives in {V}."] },
  color: { values: COLOR_NAMES, of: (p) => p.color, styles: ["{V}.", "It is {v}.", "{P} likes {v}."] },
  pet: { values: PET_NAMES, of: (p) => p.pet, styles: ["{An} {v}.", "It is {an} {v}.", "{P} has {an} {v}."] },
};

/** The relation names, in table order. */
export const RELATION_NAMES: readonly RelationName[] = Object.keys(RELATIONS) as RelationName[];

/**
 * Fills an answer phrasing.
 *
 * @param style A phrasing from {@link Relation.styles}.
 * @param person The person's name.
 * @param value The value.
 * @returns The answer line (without the final newline).
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
 * Draws a world: the names are shuffled, the first `known` become people with a uniformly drawn city, color
 * and pet each, and the rest are strangers.
 *
 * @param random The generator (consumed: the world is a function of its state).
 * @param options `known` (default 32): how many of the {@link PERSON_NAMES} are people of the world, in
 * [1, PERSON_NAMES.length − 1].
 * @returns The world.
 * @throws {RangeError} If known is not an integer in range.
 * @example
 * ```ts
 * import { createRandom } from "@dpo-kernels/dpo-kernels/train";
 * import { createWorld } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const world = createWorld(createRandom(0));
 * assert.equal(world.people.length, 32);
 * assert.equal(world.strangers.length, 12);
 * assert.deepEqual(createWorld(createRandom(0)), world);
 * ```
 */
export function createWorld(random: Random, options: { known?: number } = {}): World {
  const known = options.known ?? 32;
  if (!Number.isInteger(known) || known < 1 || known > PERSON_NAMES.length - 1) {
    throw new RangeError(
      `options.known must be an integer in [1, ${PERSON_NAMES.length - 1}], got ${describe(known)}`,
    );
  }
  const names = shuffled(random, PERSON_NAMES);
  const people = names.slice(0, known).map((name): Person => ({
    name,
    city: CITY_NAMES[random.int(CITY_NAMES.length)] as string,
    color: COLOR_NAMES[random.int(COLOR_NAMES.length)] as string,
    pet: PET_NAMES[random.int(PET_NAMES.length)] as string,
  }));
  return { people, strangers: names.slice(known) };
}
