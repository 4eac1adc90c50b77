import { assert, assertClose } from "./_assert.ts";
import { bootstrapMeanInterval, bootstrapMeans, linearQuantile } from "../mod.ts";
import { bootstrapCase } from "./golden/protocol_values.ts";
import { createRandom } from "../lib/math/random.ts";

const variance = (v: readonly number[]): number => {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length;
};

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
