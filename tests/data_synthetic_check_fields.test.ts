import { syntheticExample } from "./_fixtures.ts";
import { assert } from "./_assert.ts";
import {
  checkFactuality,
  checkInstructionFollowing,
  checkReasoning,
  checkSafety,
  checkTruthfulness,
} from "../lib/data/mod.ts";

Deno.test("checkers: the wrong category is a RangeError, a non-string generation a TypeError", () => {
  const e = syntheticExample("reasoning", "answer", { expression: "1+1", answer: 2 });
  for (const check of [checkFactuality, checkTruthfulness, checkSafety, checkInstructionFollowing]) {
    assert.throws(() => check(e, "2"), { name: "RangeError", message: /example\.category must be "/ });
  }
  assert.throws(() => checkReasoning(e, null as unknown as string), TypeError);
  assert.throws(
    () => checkReasoning({ ...e, check: null as never }, "2"),
    /example\.check must be an object/,
  );
});
