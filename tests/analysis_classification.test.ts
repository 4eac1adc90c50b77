import { classScores, macroF1, preferenceScores } from "../mod.ts";
import { assert, assertClose } from "./_assert.ts";
import { classificationCases } from "./golden/classification_values.ts";

Deno.test("class scores and macro-F1 match sklearn.metrics (zero_division=0)", () => {
  for (const c of classificationCases) {
    const s = classScores(c.gold, c.predicted, 0);
    assertClose(s.f1, c.f1Class0, 1e-12);
    assertClose(s.precision, c.precisionClass0, 1e-12);
    assertClose(s.recall, c.recallClass0, 1e-12);
    assertClose(macroF1(c.gold, c.predicted).f1, c.macroF1, 1e-12);
  }
});

Deno.test("preference scores: accuracy, a seeded balanced F1, per category; errors name the input", () => {
  const perfect = preferenceScores(
    Array.from({ length: 40 }, (_, i) => ({ margin: 1 + i, category: i % 2 ? "a" : "b" })),
  );
  assert.equal(perfect.overall.accuracy, 1);
  assert.equal(perfect.overall.f1, 1);
  assert.equal(perfect.byCategory.a?.count, 20);
  const inverted = preferenceScores(Array.from({ length: 40 }, () => ({ margin: -1 })));
  assert.equal(inverted.overall.accuracy, 0);
  assert.equal(inverted.overall.f1, 0);
  assert.throws(() => preferenceScores([]), /pairs must be a non-empty/);
  assert.throws(() => preferenceScores([{ margin: NaN }]), /pairs\[0\].margin/);
  assert.throws(() => classScores([1], [1, 2], 1), /predicted/);
});
