// Numeric edges of the public API (issue 8, item 9): the probability-sum check does not loosen with the length,
// Davies–Bouldin survives huge coordinates and refuses points with no coordinates, and TAT does not depend on
// the vectors' magnitude through rounding. Expected values are closed forms or the unscaled computation.
import { assert, assertClose } from "./_assert.ts";
import {
  daviesBouldinScore,
  DISTANCES,
  kernelSelectionMetrics,
  klDivergence,
  type PreferenceTriplet,
} from "../mod.ts";
import { PROBABILITY_SUM_TOLERANCE } from "../lib/math/validation.ts";
import { DAVIES_BOULDIN_CASES } from "./golden/analysis_values.ts";

const sumError = (e: unknown, name: string): boolean =>
  e instanceof RangeError && e.message.startsWith(`${name} must sum to 1`);

Deno.test("probability sum: KL(uniform ‖ 1.004·uniform) at n = 50,257 is refused, not −0.004", () => {
  const n = 50_257;
  const p = new Float64Array(n).fill(1 / n);
  const q = new Float64Array(n).fill(1.004 / n);
  assert.throws(() => klDivergence(p, q), (e: unknown) => sumError(e, "q"));
  assert.throws(() => klDivergence(q, p), (e: unknown) => sumError(e, "p"));
  // The same vectors rounded to float32 still pass (rounding is relative per entry: |Σ − 1| ≲ 6e-8).
  const p32 = Float32Array.from(p);
  assertClose(klDivergence(p32, p32), 0, 0, 1e-12);
});

Deno.test("probability sum: at n = 10⁷ an all-zero vector and one summing to 0.5 are refused", () => {
  const n = 10_000_000;
  const zero = new Float32Array(n);
  const half = new Float32Array(n).fill(0.5 / n);
  const uniform = new Float32Array(n).fill(1 / n);
  assert.throws(() => klDivergence(zero, uniform), (e: unknown) => sumError(e, "p"));
  assert.throws(() => klDivergence(uniform, zero), (e: unknown) => sumError(e, "q"));
  assert.throws(() => klDivergence(half, uniform), (e: unknown) => sumError(e, "p"));
});

Deno.test("probability sum: the tolerance is the same at every length", () => {
  const inside = 1 + PROBABILITY_SUM_TOLERANCE / 2;
  const outside = 1 + PROBABILITY_SUM_TOLERANCE * 2;
  for (const n of [2, 1_000, 100_000]) {
    const ok = new Float64Array(n).fill(inside / n);
    const bad = new Float64Array(n).fill(outside / n);
    const u = new Float64Array(n).fill(1 / n);
    assert.ok(Number.isFinite(klDivergence(ok, u)), `n = ${n}`);
    assert.throws(() => klDivergence(bad, u), (e: unknown) => sumError(e, "p"), `n = ${n}`);
  }
});

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
