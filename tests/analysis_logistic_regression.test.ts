import { assert, assertAllClose, assertClose } from "./_assert.ts";
import { fitLogisticRegression, logisticDecision } from "../mod.ts";
import { logisticCases } from "./golden/protocol_values.ts";

Deno.test("logistic regression: sklearn's coefficients on small fixed problems", () => {
  for (const c of logisticCases) {
    const model = fitLogisticRegression(c.x, c.y, { C: c.C, fitIntercept: c.fitIntercept });
    assertAllClose(model.weights, c.weights, 1e-6, 1e-8, "weights");
    assertClose(model.intercept, c.intercept, 1e-6, 1e-8, "intercept");
    assert.ok(model.iterations < 50);
  }
  const m = fitLogisticRegression([[0], [1], [2], [3]], [0, 1, 0, 1]);
  assertClose(logisticDecision(m, [1]), m.weights[0]! + m.intercept);
  assert.throws(() => fitLogisticRegression([], []), /x must be a non-empty matrix/);
  assert.throws(() => fitLogisticRegression([[1], [1, 2]], [0, 1]), /x\[1\] must have 1 features/);
  assert.throws(() => fitLogisticRegression([[1]], [2]), /y\[0\] must be 0 or 1, got 2/);
  assert.throws(() => fitLogisticRegression([[1]], [1], { C: 0 }), /options\.C must be a finite number > 0/);
  assert.throws(() => logisticDecision(m, [1, 2]), /features must have 1 entries/);
});
