import { assert, assertAllClose, assertClose } from "./_assert.ts";
import {
  accuracyByCategory,
  bootstrapMeanInterval,
  bootstrapMeans,
  fitLogisticRegression,
  linearQuantile,
  logisticDecision,
  minimalDetectableDifference,
  normalQuantile,
  pairedComparison,
  pairScores,
  pairwiseAccuracy,
  signFlipTest,
} from "../mod.ts";
import { bootstrapCase, logisticCases, normalQuantiles, signFlipCases } from "./golden/protocol_values.ts";
import { createRandom } from "../lib/math/random.ts";

const variance = (v: readonly number[]): number => {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length;
};

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

Deno.test("normal quantile: scipy.stats.norm.ppf to 1e-12", () => {
  for (const [p, z] of normalQuantiles) assertClose(normalQuantile(p!), z!, 1e-12, 1e-14, `p=${p}`);
  assert.throws(() => normalQuantile(1), /p must lie in \(0, 1\), got 1/);
});

Deno.test("minimal detectable difference: (z₀.₉₇₅ + z₀.₈) · s / √n, the closed form", () => {
  const z = 1.959963984540054 + 0.8416212335729143; // scipy.stats.norm.ppf(0.975) + norm.ppf(0.8)
  const d = [0.5, -0.25, 1, 0, 0.25, -0.5, 0.75, 0, 0.5, 0.25];
  const m = d.reduce((s, x) => s + x, 0) / d.length;
  const s = Math.sqrt(d.reduce((a, x) => a + (x - m) ** 2, 0) / (d.length - 1));
  assertClose(minimalDetectableDifference(d), z * s / Math.sqrt(d.length), 1e-12);
  // The same differences four times over: n → 4n, s² → SS / (4n − 1).
  const n = d.length;
  assertClose(
    minimalDetectableDifference([...d, ...d, ...d, ...d]),
    z * s * Math.sqrt((n - 1) / (4 * n - 1)) / Math.sqrt(n),
    1e-12,
  );
  assert.ok(minimalDetectableDifference(d, { power: 0.9 }) > minimalDetectableDifference(d));
  assert.throws(() => minimalDetectableDifference([1]), /at least two values/);
  assert.throws(
    () => minimalDetectableDifference([1, 2], { alpha: 0 }),
    /options\.alpha must lie in \(0, 1\)/,
  );
});

Deno.test("sign-flip test: scipy's exact permutation_test p-values for n ≤ 12", () => {
  for (const c of signFlipCases) {
    const result = pairedComparison([c.method], [c.baseline], { resamples: 9999 });
    assertClose(result.difference, c.statistic, 1e-12);
    assertClose(result.pValue, c.pValue, 1e-12, 0, `n=${c.method.length}`);
    assert.equal(result.exact, true);
  }
  assert.equal(signFlipTest([1, 2, 3]).pValue, 0.25);
  assert.equal(signFlipTest([0, 0, 0]).pValue, 1);
  // Monte Carlo beyond exact enumeration: close to the exact value.
  const d = [1, 1, 0.5, 1, -1, 1, 0.5, 1, 0, 1, 1, -0.5];
  const exact = signFlipTest(d);
  const mc = signFlipTest(d, { resamples: 2000, seed: 4 });
  assert.equal(mc.exact, false);
  assertClose(mc.pValue, exact.pValue, 0, 0.02);
  assert.throws(() => signFlipTest([]), /differences must be a non-empty array/);
  assert.throws(() => signFlipTest([1], { resamples: 0 }), /options\.resamples must be an integer >= 1/);
});

Deno.test("bootstrap: scipy's percentile interval within Monte Carlo tolerance (one seed)", () => {
  const interval = bootstrapMeanInterval([bootstrapCase.scores], { resamples: 50000, seed: 1 });
  assertClose(
    interval.estimate,
    bootstrapCase.scores.reduce((s, x) => s + x, 0) / bootstrapCase.scores.length,
  );
  assertClose(interval.lower, bootstrapCase.lower, 0, 0.01);
  assertClose(interval.upper, bootstrapCase.upper, 0, 0.01);
  const means = bootstrapMeans([bootstrapCase.scores], 50000, 2);
  assertClose(Math.sqrt(variance(means)), bootstrapCase.standardError, 0.03);
  assert.deepEqual(
    bootstrapMeanInterval([[1, 2]], { seed: 5 }),
    bootstrapMeanInterval([[1, 2]], { seed: 5 }),
  );
  assert.equal(linearQuantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(linearQuantile([1, 2, 3, 4], 1), 4);
  assert.throws(() => bootstrapMeanInterval([]), /table must be a non-empty seeds × pairs table/);
  assert.throws(() => bootstrapMeanInterval([[1], [1, 2]]), /table\[1\] must hold 1 pair values/);
  assert.throws(() => bootstrapMeanInterval([[1]], { level: 1 }), /options\.level must lie in \(0, 1\)/);
});

Deno.test("bootstrap over seeds and pairs: variance σ²_seed/S + σ²_pair/N + σ²_rest/(SN), the closed form", () => {
  // A table with a strong seed effect, a pair effect and noise: the bootstrap must see all three.
  const random = createRandom(9);
  const S = 5;
  const N = 40;
  const seedEffect = Array.from({ length: S }, () => random.uniform() - 0.5);
  const pairEffect = Array.from({ length: N }, () => random.uniform() - 0.5);
  const table = seedEffect.map((a) => pairEffect.map((b) => a + b + 0.3 * (random.uniform() - 0.5)));
  const grand = table.flat().reduce((s, x) => s + x, 0) / (S * N);
  const rowMeans = table.map((r) => r.reduce((s, x) => s + x, 0) / N);
  const colMeans = pairEffect.map((_, i) => table.reduce((s, r) => s + r[i]!, 0) / S);
  const rest = table.flatMap((r, s) => r.map((x, i) => x - rowMeans[s]! - colMeans[i]! + grand));
  const expected = variance(rowMeans) / S + variance(colMeans) / N + variance(rest) / (S * N);
  const means = bootstrapMeans(table, 40000, 3);
  assertClose(variance(means), expected, 0.05);
  // Resampling pairs only would miss the seed term, which dominates here.
  assert.ok(variance(rowMeans) / S > 2 * (variance(colMeans) / N));
});

Deno.test("paired comparison: difference, paired interval, p; a real effect is found, no effect is not", () => {
  const random = createRandom(1);
  const seeds = 5;
  const pairs = 200;
  const base = Array.from(
    { length: seeds },
    () => Array.from({ length: pairs }, () => (random.uniform() < 0.6 ? 1 : 0)),
  );
  const better = base.map((row) => row.map((v) => (v === 0 && random.uniform() < 0.4 ? 1 : v)));
  const same = base.map((row) => row.map((v) => v));
  const c = pairedComparison(better, base, { seed: 2, resamples: 2000 });
  assert.ok(c.difference > 0.1 && c.lower > 0 && c.lower <= c.difference && c.difference <= c.upper);
  assert.ok(c.pValue < 0.001);
  assert.equal(c.exact, false);
  assert.deepEqual([c.seeds, c.pairs], [seeds, pairs]);
  const none = pairedComparison(same, base, { seed: 2, resamples: 500 });
  assert.deepEqual([none.difference, none.lower, none.upper, none.pValue], [0, 0, 0, 1]);
  assert.throws(() => pairedComparison([[1]], [[1], [0]]), /must have the same seeds/);
  assert.throws(
    () => pairedComparison([[1, 0]], [[1]]),
    /method\[0\] and baseline\[0\] must hold the same pairs/,
  );
});
