// Numeric edges of the public API (issue 8, item 9): the probability-sum check does not loosen with the length,
// Davies–Bouldin survives huge coordinates and refuses points with no coordinates, and TAT does not depend on
// the vectors' magnitude through rounding. Expected values are closed forms or the unscaled computation.
import { assert, assertClose } from "./_assert.ts";
import { daviesBouldinScore } from "../mod.ts";

import { DAVIES_BOULDIN_CASES } from "./golden/analysis_values.ts";

Deno.test("daviesBouldinScore: huge coordinates give the score of the scaled data", () => {
  // Hand-computed case (tests/analysis_davies_bouldin.test.ts): clusters {0, 2}, {5, 7}, {10, 11, 12}.
  const points = [[0], [2], [5], [7], [10], [11], [12]];
  const labels = [0, 0, 1, 1, 2, 2, 2];
  const rA = Math.max((1 + 1) / 5, (1 + 2 / 3) / 10);
  const rB = Math.max((1 + 1) / 5, (1 + 2 / 3) / 5);
  const rC = Math.max((2 / 3 + 1) / 10, (2 / 3 + 1) / 5);
  const expected = (rA + rB + rC) / 3;
  for (const factor of [1, 1e154, 1e200, 1e300, 1.4e307]) {
    const scaled = points.map((r) => r.map((x) => x * factor));
    assertClose(daviesBouldinScore(scaled, labels), expected, 1e-13, 0, `factor ${factor}`);
  }
  // The sklearn golden cases multiplied by 2⁵³⁰ ≈ 3.5e159 (exact, so even the case with two clusters sharing a
  // centroid, where any rounding matters, keeps its value).
  for (const c of DAVIES_BOULDIN_CASES) {
    const big = c.points.map((r) => Array.from(r, (x) => x * 2 ** 530));
    assertClose(daviesBouldinScore(big, c.labels), c.expected, 1e-10, 1e-12, c.name);
  }
  // Unchanged for ordinary data: the same bits as before scaling by a power of two.
  const c = DAVIES_BOULDIN_CASES[2]!;
  const twice = c.points.map((r) => Array.from(r, (x) => x * 2));
  assert.equal(daviesBouldinScore(twice, c.labels), daviesBouldinScore(c.points, c.labels));
});

Deno.test("daviesBouldinScore: points with no coordinates are an error naming points", () => {
  assert.throws(
    () => daviesBouldinScore([[], [], []], [0, 1, 1]),
    (e: unknown) => e instanceof RangeError && /^points must have at least one coordinate/.test(e.message),
  );
});
