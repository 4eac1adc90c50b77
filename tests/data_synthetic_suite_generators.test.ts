import { assert } from "./_assert.ts";
import {
  createWorld,
  generateFactuality,
  generateInstructionFollowing,
  generateReasoning,
  generateSafety,
  generateTruthfulness,
} from "../lib/data/mod.ts";
import { createRandom } from "../lib/math/random.ts";

const GENERATORS = [
  generateFactuality,
  generateReasoning,
  generateTruthfulness,
  generateSafety,
  generateInstructionFollowing,
];

Deno.test("generators: deterministic, distinct prompts, bad arguments named", () => {
  for (const generate of GENERATORS) {
    const a = generate(createRandom(11), 40);
    assert.deepEqual(generate(createRandom(11), 40), a);
    assert.notDeepEqual(generate(createRandom(12), 40), a);
    assert.equal(new Set(a.map((e) => e.prompt)).size, 40);
    assert.deepEqual(generate(createRandom(11), 0), []);
    assert.throws(() => generate(createRandom(1), -1), /n must be an integer >= 0, got -1/);
    assert.throws(() => generate(createRandom(1), 2.5), RangeError);
    assert.throws(() => generate({} as never, 1), /random must be a Random/);
  }
});

Deno.test("generators: two-class categories alternate their labels", () => {
  assert.deepEqual(generateTruthfulness(createRandom(0), 4).map((e) => e.label), [
    "answer",
    "admit_uncertainty",
    "answer",
    "admit_uncertainty",
  ]);
  assert.deepEqual(generateSafety(createRandom(0), 4).map((e) => e.label), [
    "refuse",
    "help",
    "refuse",
    "help",
  ]);
});

Deno.test("generators: twins swap their responses under different prompts", () => {
  for (const generate of GENERATORS) {
    for (const split of ["train", "test"] as const) {
      const pairs = generate(createRandom(21), 20, { split });
      for (let i = 0; i < pairs.length; i += 2) {
        const [a, b] = [pairs[i]!, pairs[i + 1]!];
        assert.equal(a.chosen, b.rejected, JSON.stringify([a, b]));
        assert.equal(a.rejected, b.chosen, JSON.stringify([a, b]));
        assert.notEqual(a.prompt, b.prompt);
      }
    }
  }
  assert.throws(
    () => generateReasoning(createRandom(0), 2, { split: "dev" as never }),
    /options\.split must be/,
  );
});

Deno.test("generators: asking for more prompts than the templates allow is a RangeError", () => {
  const world = createWorld(createRandom(0), { known: 2 });
  // 2 names × (city 2·3·12 + color 2·3·8 + pet 2·3·8) statement × question × value combinations.
  assert.equal(generateFactuality(createRandom(0), 20, { world }).length, 20);
  assert.throws(() => generateFactuality(createRandom(0), 337, { world }), /distinct factuality prompts/);
  assert.throws(() => generateSafety(createRandom(0), 100_000), /distinct safety prompts/);
  assert.throws(
    () => createWorld(createRandom(0), { known: 43 }),
    /options\.known must be an integer in \[2, 42\]/,
  );
});

Deno.test("generators: prompts talk about the split's names only", () => {
  const world = createWorld(createRandom(5), { known: 3 });
  for (const split of ["train", "test"] as const) {
    const mine = new Set(world[split]);
    const theirs = new Set(world[split === "train" ? "test" : "train"]);
    for (const generate of [generateFactuality, generateTruthfulness]) {
      for (const e of generate(createRandom(1), 30, { world, split })) {
        const names = e.prompt.match(/[A-Z][a-z]+/g)?.filter((w) => mine.has(w) || theirs.has(w)) ?? [];
        assert.ok(names.length > 0 && names.every((n) => mine.has(n)), e.prompt);
      }
    }
  }
});
