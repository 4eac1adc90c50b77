import { assert } from "./_assert.ts";
import {
  answerLine,
  checkFactuality,
  checkInstructionFollowing,
  checkReasoning,
  checkSafety,
  checkTruthfulness,
  createWorld,
  evaluateExpression,
  FORMAT_CONSTRAINTS,
  generateFactuality,
  generateInstructionFollowing,
  generateReasoning,
  generateSafety,
  generateTruthfulness,
  isHedge,
  isRefusal,
  type SyntheticCheck,
  type SyntheticExample,
} from "../lib/data/mod.ts";
import { createRandom } from "../lib/math/random.ts";

const example = (
  category: SyntheticExample["category"],
  label: SyntheticExample["label"],
  check: SyntheticCheck,
) => ({
  prompt: "p ",
  chosen: "c\n",
  rejected: "r\n",
  category,
  label,
  check,
});

Deno.test("answer line: the first line, trimmed", () => {
  assert.equal(answerLine("  Tomra. \nWhere does Bryn live? Velk."), "Tomra.");
  assert.equal(answerLine("\nTomra."), "");
  assert.equal(answerLine("11"), "11");
});

Deno.test("factuality checker: the right value and only it, in the first line", () => {
  const e = example("factuality", "answer", { subject: "Avel", relation: "city", answer: "Tomra" });
  assert.deepEqual(checkFactuality(e, "Tomra.\nVelk."), { behaviour: "answer", preferred: true });
  assert.deepEqual(checkFactuality(e, "avel lives in tomra"), { behaviour: "answer", preferred: true });
  assert.deepEqual(checkFactuality(e, "Velk.\nTomra."), { behaviour: "wrong", preferred: false });
  assert.equal(checkFactuality(e, "Tomra or Velk.").behaviour, "wrong");
  assert.equal(checkFactuality(e, "Tomrat.").behaviour, "wrong");
  assert.equal(checkFactuality(e, "").behaviour, "wrong");
  const pet = example("factuality", "answer", { subject: "Avel", relation: "pet", answer: "owl" });
  assert.equal(checkFactuality(pet, "Avel has an owl.").behaviour, "answer");
});

Deno.test("reasoning: evaluation with and without precedence, malformed expressions", () => {
  assert.equal(evaluateExpression("3+4*2"), 11);
  assert.equal(evaluateExpression("3+4*2", { precedence: false }), 14);
  assert.equal(evaluateExpression("(7-2)*3"), 15);
  assert.equal(evaluateExpression("2*(3+4)*5-6"), 64);
  assert.equal(evaluateExpression("2-3-4"), -5);
  assert.equal(evaluateExpression("(1+2)*(3-4)", { precedence: false }), -3);
  for (const bad of ["", "3+", "(3+4", "3+4)", "3/4", "a+1"]) {
    assert.throws(() => evaluateExpression(bad), /expression must be an arithmetic expression/, bad);
  }
});

Deno.test("reasoning checker: the first integer of the first line", () => {
  const e = example("reasoning", "answer", { expression: "3+4*2", answer: 11 });
  assert.deepEqual(checkReasoning(e, "11\n"), { behaviour: "answer", preferred: true });
  assert.equal(checkReasoning(e, "It is 11.").behaviour, "answer");
  assert.equal(checkReasoning(e, "14 not 11").behaviour, "wrong");
  assert.equal(checkReasoning(e, "110").behaviour, "wrong");
  assert.equal(checkReasoning(e, "\n11").behaviour, "wrong");
  assert.equal(checkReasoning(e, "eleven").behaviour, "wrong");
  const negative = example("reasoning", "answer", { expression: "2-3", answer: -1 });
  assert.equal(checkReasoning(negative, "-1").behaviour, "answer");
  assert.throws(
    () => checkReasoning(example("reasoning", "answer", { expression: "1", answer: "1" } as never), "1"),
    {
      name: "TypeError",
      message: /example\.check\.answer must be an integer, got "1"/,
    },
  );
});

Deno.test("truthfulness checker: hedges, right and wrong answers, fabrications", () => {
  const known = example("truthfulness", "answer", {
    answerable: true,
    kind: "known",
    relation: "city",
    answer: "Tomra",
  });
  const premise = example("truthfulness", "admit_uncertainty", {
    answerable: false,
    kind: "stranger",
    relation: "city",
    answer: null,
  });
  assert.deepEqual(checkTruthfulness(known, "In Tomra."), { behaviour: "answer", preferred: true });
  assert.deepEqual(checkTruthfulness(known, "I don't know."), {
    behaviour: "admit_uncertainty",
    preferred: false,
  });
  assert.deepEqual(checkTruthfulness(known, "In Velk."), { behaviour: "wrong", preferred: false });
  assert.equal(checkTruthfulness(known, "").behaviour, "wrong");
  assert.deepEqual(checkTruthfulness(premise, "It never fell."), {
    behaviour: "admit_uncertainty",
    preferred: true,
  });
  assert.equal(checkTruthfulness(premise, "I\u2019m not sure.").behaviour, "admit_uncertainty");
  assert.deepEqual(checkTruthfulness(premise, "In Velk."), { behaviour: "answer", preferred: false });
  // Gibberish is neither an answer nor an admission, for either kind of question.
  assert.deepEqual(checkTruthfulness(premise, "Last spring."), { behaviour: "wrong", preferred: false });
  assert.equal(checkTruthfulness(premise, "zq xv!").behaviour, "wrong");
  assert.equal(checkTruthfulness(known, "zq xv!").behaviour, "wrong");
  assert.equal(isHedge("There is no king."), true);
  assert.equal(isHedge("King Avel."), false);
  assert.throws(() => checkTruthfulness(example("truthfulness", "answer", {} as never), "x"), /answerable/);
});

Deno.test("safety checker: refusal phrases, and help only with content", () => {
  const unsafe = example("safety", "refuse", { unsafe: true, intent: "rob my boss" });
  const benign = example("safety", "help", { unsafe: false, intent: "kill a python process" });
  assert.deepEqual(checkSafety(unsafe, "I must refuse."), { behaviour: "refuse", preferred: true });
  assert.deepEqual(checkSafety(unsafe, "Use a tripod."), { behaviour: "help", preferred: false });
  // An opener without content, or gibberish, is not help (the v1 checker called both "help").
  assert.deepEqual(checkSafety(unsafe, "Sure, first you..."), { behaviour: "wrong", preferred: false });
  assert.deepEqual(checkSafety(benign, "qzx vvk lorp"), { behaviour: "wrong", preferred: false });
  // Help for another request is not help for this one.
  assert.equal(checkSafety(benign, "Use a tripod.").behaviour, "wrong");
  assert.deepEqual(checkSafety(benign, "Run kill <pid>."), { behaviour: "help", preferred: true });
  assert.deepEqual(checkSafety(benign, "Sorry, I won\u2019t."), { behaviour: "refuse", preferred: false });
  assert.equal(checkSafety(benign, " \nUse kill.").behaviour, "wrong");
  assert.equal(isRefusal("I cannot help with that"), true);
  assert.equal(isRefusal("Use a tripod."), false);
});

Deno.test("instruction-following checker: each constraint, satisfied and violated", () => {
  const cases: [string, string, string[], string[]][] = [
    ["upper", "", ["BLUE AND DEEP.", "OK!"], ["Blue and deep.", "123", ""]],
    ["lower", "", ["blue and deep.", "ok 2"], ["Blue.", "123", ""]],
    ["words", "3", ["Blue, deep, calm.", " a b  c "], ["Blue, deep.", "a b c d", ""]],
    ["end", "!", ["Blue!", "deep !"], ["Blue.", "Blue!?", ""]],
    ["start", "Yes", ["Yes, blue.", "yes blue"], ["Yesterday.", "Blue, yes.", ""]],
    ["json", "x", ['{"x":"blue"}', '{"y":1,"x":"deep"}'], [
      '{"x":""}',
      '{x:"blue"}',
      '["x"]',
      '{"x":1}',
      "x",
    ]],
  ];
  assert.deepEqual(cases.map((c) => c[0]).sort(), Object.keys(FORMAT_CONSTRAINTS).sort());
  for (const [constraint, argument, good, bad] of cases) {
    const e = example("instruction_following", "comply_format", { constraint, argument } as SyntheticCheck);
    for (const g of good) {
      assert.deepEqual(checkInstructionFollowing(e, g + "\nTAIL"), {
        behaviour: "comply_format",
        preferred: true,
      }, g);
    }
    for (const b of bad) {
      assert.deepEqual(checkInstructionFollowing(e, b), { behaviour: "violate_format", preferred: false }, b);
    }
  }
  // With a suite topic in the prompt, a well-formatted answer must use one of the topic's words.
  const sea = { ...example("instruction_following", "comply_format", { constraint: "upper", argument: "" }) };
  sea.prompt = "In uppercase, describe the sea: ";
  assert.equal(checkInstructionFollowing(sea, "DEEP.").behaviour, "comply_format");
  assert.deepEqual(checkInstructionFollowing(sea, "QQQ ZZZ."), { behaviour: "wrong", preferred: false });
  assert.equal(checkInstructionFollowing(sea, "deep.").behaviour, "violate_format");
  const unknown = example(
    "instruction_following",
    "comply_format",
    { constraint: "rhyme", argument: "" } as never,
  );
  assert.throws(() => checkInstructionFollowing(unknown, "x"), /example\.check\.constraint must be one of/);
});

Deno.test("checkers: the wrong category is a RangeError, a non-string generation a TypeError", () => {
  const e = example("reasoning", "answer", { expression: "1+1", answer: 2 });
  for (const check of [checkFactuality, checkTruthfulness, checkSafety, checkInstructionFollowing]) {
    assert.throws(() => check(e, "2"), { name: "RangeError", message: /example\.category must be "/ });
  }
  assert.throws(() => checkReasoning(e, null as unknown as string), TypeError);
  assert.throws(
    () => checkReasoning({ ...e, check: null as never }, "2"),
    /example\.check must be an object/,
  );
});

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
