import { assert, assertClose } from "./_assert.ts";
import { pairedComparison, signFlipTest } from "../mod.ts";
import { signFlipCases } from "./golden/protocol_values.ts";
import { createRandom } from "../lib/math/random.ts";

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
