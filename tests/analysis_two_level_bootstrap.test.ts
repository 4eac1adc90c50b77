import { assert, assertClose } from "./_assert.ts";
import { twoLevelBootstrap } from "../mod.ts";
import { bootstrapCase } from "./golden/protocol_values.ts";
import { createRandom } from "../lib/math/random.ts";

const variance = (v: readonly number[]): number => {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length;
};
const meanOf = (v: readonly number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
/** The grand mean of a seeds × items table over the drawn seeds and items. */
const tableMean =
  (table: readonly (readonly number[])[]) => (seeds: readonly number[], items: readonly number[]) =>
    meanOf(seeds.flatMap((k) => items.map((i) => table[k]![i]!)));

Deno.test("twoLevelBootstrap: one seed, one stratum, the mean: scipy's percentile interval (Monte Carlo tolerance)", () => {
  // scipy.stats.bootstrap(method="percentile") on the same scores (tests/golden/protocol.py).
  const { mean } = twoLevelBootstrap(
    { seeds: 1, items: bootstrapCase.scores.length },
    tableMean([bootstrapCase.scores]),
    { mean: (m) => m },
    { resamples: 50000, seed: 1 },
  );
  assertClose(mean.estimate, meanOf(bootstrapCase.scores));
  assertClose(mean.lower, bootstrapCase.lower, 0, 0.01);
  assertClose(mean.upper, bootstrapCase.upper, 0, 0.01);
  assert.equal(mean.level, 0.95);
  assert.equal(mean.resamples, 50000);
});

Deno.test("twoLevelBootstrap: seeds and items both resampled, variance σ²_seed/S + σ²_item/N + σ²_rest/(SN)", () => {
  const random = createRandom(9);
  const S = 5;
  const N = 40;
  const seedEffect = Array.from({ length: S }, () => random.uniform() - 0.5);
  const itemEffect = Array.from({ length: N }, () => random.uniform() - 0.5);
  const table = seedEffect.map((a) => itemEffect.map((b) => a + b + 0.3 * (random.uniform() - 0.5)));
  const grand = meanOf(table.flat());
  const rowMeans = table.map(meanOf);
  const colMeans = itemEffect.map((_, i) => meanOf(table.map((r) => r[i]!)));
  const rest = table.flatMap((r, s) => r.map((x, i) => x - rowMeans[s]! - colMeans[i]! + grand));
  const expected = variance(rowMeans) / S + variance(colMeans) / N + variance(rest) / (S * N);
  const draws: number[] = [];
  twoLevelBootstrap({ seeds: S, items: N }, tableMean(table), { mean: (m) => (draws.push(m), m) }, {
    resamples: 20000,
    seed: 3,
  });
  assertClose(variance(draws), expected, 0.05);
});

Deno.test("twoLevelBootstrap: strata keep their sizes; a difference of group means has variance σ²_A/n_A + σ²_B/n_B", () => {
  const random = createRandom(4);
  const a = Array.from({ length: 30 }, () => random.normal());
  const b = Array.from({ length: 50 }, () => 2 + 3 * random.normal());
  const values = [...a, ...b];
  const strata = [a.map((_, i) => i), b.map((_, i) => a.length + i)];
  const inA = (i: number) => i < a.length;
  const draws: number[] = [];
  const result = twoLevelBootstrap(
    { seeds: 1, items: values.length },
    (_seeds, items) => ({
      countA: items.filter(inA).length,
      gap: meanOf(items.filter((i) => !inA(i)).map((i) => values[i]!)) -
        meanOf(items.filter(inA).map((i) => values[i]!)),
    }),
    { countA: (v) => v.countA, gap: (v) => (draws.push(v.gap), v.gap) },
    { strata, resamples: 20000, seed: 2 },
  );
  // Unstratified, the count of group A varies from resample to resample; stratified, never.
  assert.deepEqual([result.countA.lower, result.countA.upper], [30, 30]);
  assertClose(variance(draws), variance(a) / a.length + variance(b) / b.length, 0.05);
  assertClose(result.gap.estimate, meanOf(b) - meanOf(a), 1e-12);
});

Deno.test("twoLevelBootstrap: the documented draw order, determinism, and what evaluate receives", () => {
  const calls: [number[], number[]][] = [];
  const options = { strata: [[2, 0], [1]], resamples: 3, seed: 7 };
  twoLevelBootstrap(
    { seeds: 2, items: 3 },
    (s, i) => (calls.push([[...s], [...i]]), 0),
    { z: (v) => v },
    options,
  );
  assert.deepEqual(calls[0], [[0, 1], [0, 1, 2]]);
  const random = createRandom(7);
  for (const [seeds, items] of calls.slice(1)) {
    assert.deepEqual(seeds, [random.int(2), random.int(2)]);
    assert.deepEqual(items, [[2, 0][random.int(2)], [2, 0][random.int(2)], 1]);
    random.int(1);
  }
  const once = () =>
    twoLevelBootstrap({ seeds: 3, items: 4 }, tableMean([[1, 2, 3, 4], [0, 0, 1, 1], [5, 1, 2, 2]]), {
      m: (v) => v,
    });
  assert.deepEqual(once(), once());
});

Deno.test("twoLevelBootstrap: bad shapes, options, strata and statistics are errors naming them", () => {
  const run = (shape: { seeds: number; items: number }, options = {}, stat = (v: number) => v) =>
    twoLevelBootstrap(shape, () => 1, { s: stat }, options);
  assert.throws(() => run({ seeds: 0, items: 2 }), /shape\.seeds must be an integer >= 1, got 0/);
  assert.throws(() => run({ seeds: 1, items: 1.5 }), /shape\.items must be an integer >= 1, got 1\.5/);
  assert.throws(() => run({ seeds: 1, items: 2 }, { resamples: 0 }), /options\.resamples/);
  assert.throws(() => run({ seeds: 1, items: 2 }, { level: 1 }), /options\.level must lie in \(0, 1\)/);
  assert.throws(() => run({ seeds: 1, items: 2 }, { strata: [[0]] }), /every item index; 1 is missing/);
  assert.throws(
    () => run({ seeds: 1, items: 2 }, { strata: [[0, 1], [1]] }),
    /item 1 is in more than one place/,
  );
  assert.throws(
    () => run({ seeds: 1, items: 2 }, { strata: [[0, 2]] }),
    /options\.strata\[0\]\[1\] must be an item index in \[0, 2\), got 2/,
  );
  assert.throws(
    () => run({ seeds: 1, items: 2 }, { strata: [[0, 1], []] }),
    /options\.strata\[1\] must be a non-empty/,
  );
  assert.throws(
    () => run({ seeds: 1, items: 2 }, {}, () => NaN),
    /statistic "s" is NaN on the observed data/,
  );
  assert.throws(
    () => twoLevelBootstrap({ seeds: 1, items: 1 }, () => 1, {}),
    /statistics must name at least one/,
  );
});
