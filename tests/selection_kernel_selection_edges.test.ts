// Numeric edges of the public API (issue 8, item 9): the probability-sum check does not loosen with the length,
// Davies–Bouldin survives huge coordinates and refuses points with no coordinates, and TAT does not depend on
// the vectors' magnitude through rounding. Expected values are closed forms or the unscaled computation.
import { assert, assertClose } from "./_assert.ts";
import { DISTANCES, kernelSelectionMetrics, type PreferenceTriplet } from "../mod.ts";

Deno.test("kernelSelectionMetrics: TAT does not depend on magnitude through rounding", () => {
  const same = (v: number[]): PreferenceTriplet[] =>
    Array.from({ length: 4 }, () => ({ prompt: v, chosen: v, rejected: v }));
  const ones = kernelSelectionMetrics(same([1, 1]));
  const threeFour = kernelSelectionMetrics(same([3, 4]));
  assert.equal(ones.tat, threeFour.tat);
  assert.equal(ones.tat, 0);
  assert.equal(ones.pnav, 0);
  assert.equal(DISTANCES.cosine([1, 1], [1, 1]), 0);
  assert.equal(DISTANCES.cosine([0.1, 0.7, 0.3], [0.2, 1.4, 0.6]), 0);
  // Closed form: x = [1, 0], y⁺ = [1, 1], y⁻ = [0, 1] under cosine: d⁺ = d(y⁺, y⁻) = 1 − c (c = 1/√2), d⁻ = 1,
  // so TAT = (1 − c)/(2 − c) — at any magnitude of each vector.
  const c = Math.SQRT1_2;
  for (const s of [1, 3, 1e-150, 1e150, 1e300]) {
    const m = kernelSelectionMetrics([{ prompt: [s, 0], chosen: [2 * s, 2 * s], rejected: [0, 5 * s] }]);
    assertClose(m.tat, (1 - c) / (2 - c), 1e-15, 0, `scale ${s}`);
    assertClose(m.pnav, c * c, 1e-15, 0, `scale ${s}`);
  }
});
