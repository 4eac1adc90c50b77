import { syntheticExample } from "./_fixtures.ts";
import { assert } from "./_assert.ts";
import { checkInstructionFollowing, FORMAT_CONSTRAINTS, type SyntheticCheck } from "../lib/data/mod.ts";

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
    const e = syntheticExample(
      "instruction_following",
      "comply_format",
      { constraint, argument } as SyntheticCheck,
    );
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
  const sea = {
    ...syntheticExample("instruction_following", "comply_format", { constraint: "upper", argument: "" }),
  };
  sea.prompt = "In uppercase, describe the sea: ";
  assert.equal(checkInstructionFollowing(sea, "DEEP.").behaviour, "comply_format");
  assert.deepEqual(checkInstructionFollowing(sea, "QQQ ZZZ."), { behaviour: "wrong", preferred: false });
  assert.equal(checkInstructionFollowing(sea, "deep.").behaviour, "violate_format");
  const unknown = syntheticExample(
    "instruction_following",
    "comply_format",
    { constraint: "rhyme", argument: "" } as never,
  );
  assert.throws(() => checkInstructionFollowing(unknown, "x"), /example\.check\.constraint must be one of/);
});
