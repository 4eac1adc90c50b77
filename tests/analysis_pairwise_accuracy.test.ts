import { assert } from "./_assert.ts";
import { accuracyByCategory, pairScores, pairwiseAccuracy } from "../mod.ts";

Deno.test("pairwise accuracy: r_w > r_l scores 1, ties ½, per category and overall", () => {
  assert.deepEqual(pairScores([1, 0, 2, -1], [0, 0, 3, -1]), [1, 0.5, 0, 0.5]);
  assert.equal(pairwiseAccuracy([1, 0, 2, 5], [0, 0, 3, 1]), 0.625);
  assert.deepEqual(accuracyByCategory([1, 0, 0.5, 1], ["a", "a", "b", "b"]), {
    a: { accuracy: 0.5, count: 2 },
    b: { accuracy: 0.75, count: 2 },
    overall: { accuracy: 0.625, count: 4 },
  });
  assert.throws(() => pairScores([1], [1, 2]), /chosen and rejected must be arrays of one length/);
  assert.throws(() => pairScores([Number.NaN], [1]), /rewards must not be NaN/);
  assert.throws(() => pairwiseAccuracy([], []), /at least one pair/);
  assert.throws(() => accuracyByCategory([1], []), RangeError);
});
