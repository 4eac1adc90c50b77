import { assert } from "./_assert.ts";
import {
  checkFactuality,
  checkInstructionFollowing,
  checkReasoning,
  checkSafety,
  checkTruthfulness,
  type SyntheticCheck,
  type SyntheticExample,
} from "../lib/data/mod.ts";

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
