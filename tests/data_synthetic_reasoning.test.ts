import { syntheticExample } from "./_fixtures.ts";
import { assert } from "./_assert.ts";
import { checkReasoning, evaluateExpression } from "../lib/data/mod.ts";

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
  const e = syntheticExample("reasoning", "answer", { expression: "3+4*2", answer: 11 });
  assert.deepEqual(checkReasoning(e, "11\n"), { behaviour: "answer", preferred: true });
  assert.equal(checkReasoning(e, "It is 11.").behaviour, "answer");
  assert.equal(checkReasoning(e, "14 not 11").behaviour, "wrong");
  assert.equal(checkReasoning(e, "110").behaviour, "wrong");
  assert.equal(checkReasoning(e, "\n11").behaviour, "wrong");
  assert.equal(checkReasoning(e, "eleven").behaviour, "wrong");
  const negative = syntheticExample("reasoning", "answer", { expression: "2-3", answer: -1 });
  assert.equal(checkReasoning(negative, "-1").behaviour, "answer");
  assert.throws(
    () =>
      checkReasoning(syntheticExample("reasoning", "answer", { expression: "1", answer: "1" } as never), "1"),
    {
      name: "TypeError",
      message: /example\.check\.answer must be an integer, got "1"/,
    },
  );
});
