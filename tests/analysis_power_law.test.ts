import { createRandom } from "../lib/math/random.ts";
import { assert, assertClose } from "./_assert.ts";
import { powerLawFit } from "../mod.ts";
import { POWER_LAW_CASES } from "./golden/analysis_values.ts";

/** Inverse-CDF samples of p(x) ∝ x^(−α) on [xmin, ∞). */
function paretoSample(n: number, alpha: number, xmin: number, seed: number): number[] {
  const u = createRandom(seed).uniform;
  return Array.from({ length: n }, () => xmin * (1 - u()) ** (-1 / (alpha - 1)));
}

/** The fit without pruning or prefix sums: every candidate scanned in full, straight from the definition. */
function bruteForce(
  values: number[],
  minTail = 2,
): { alpha: number; xmin: number; ks: number; tailSize: number } {
  const x = values.filter((v) => v > 0).sort((a, b) => a - b);
  let best = { alpha: NaN, xmin: NaN, ks: Infinity, tailSize: 0 };
  for (const xmin of [...new Set(x)]) {
    const tail = x.filter((v) => v >= xmin);
    const n = tail.length;
    if (n < minTail) continue;
    const s = tail.reduce((acc, v) => acc + Math.log(v / xmin), 0);
    if (s <= 0) continue;
    const alpha = 1 + n / s;
    let d = 0;
    tail.forEach((v, i) => {
      const f = 1 - (v / xmin) ** (1 - alpha);
      d = Math.max(d, (i + 1) / n - f, f - i / n);
    });
    if (d < best.ks) best = { alpha, xmin, ks: d, tailSize: n };
  }
  return best;
}

for (const c of POWER_LAW_CASES) {
  Deno.test(`powerLawFit matches scipy pareto.fit + kstest: ${c.name}`, () => {
    const fit = powerLawFit(c.values, c.options);
    assert.equal(fit.xmin, c.xmin);
    assert.equal(fit.tailSize, c.tailSize);
    assertClose(fit.alpha, c.alpha, 1e-9);
    assertClose(fit.ks, c.ks, 1e-9, 1e-12);
  });
}

Deno.test("powerLawFit recovers alpha within 0.1 from 5,000 Pareto samples", () => {
  for (const [alpha, seed] of [[2.5, 1], [3.5, 2]] as const) {
    const values = paretoSample(5000, alpha, 1.5, seed);
    const searched = powerLawFit(values);
    assert.ok(Math.abs(searched.alpha - alpha) < 0.1, `alpha ${alpha}: searched fit gave ${searched.alpha}`);
    assert.ok(searched.ks < 0.05, `alpha ${alpha}: KS ${searched.ks}`);
    const fixed = powerLawFit(values, { xmin: 1.5 });
    assert.equal(fixed.tailSize, 5000);
    // the MLE's standard error is (α − 1)/√n ≈ 0.02–0.035 here
    assert.ok(Math.abs(fixed.alpha - alpha) < 0.1, `alpha ${alpha}: fixed-xmin fit gave ${fixed.alpha}`);
  }
});

Deno.test("powerLawFit agrees with a brute-force search (pruning and prefix sums are exact)", () => {
  const u = createRandom(99).uniform;
  const datasets = [
    paretoSample(300, 2.2, 1, 5),
    Array.from({ length: 250 }, () => Math.exp(2 * u() - 1 + 1.5 * (u() - 0.5))),
    // repeated values: only distinct values are candidates
    Array.from({ length: 200 }, () => Math.round(paretoSample(1, 2.8, 1, Math.floor(u() * 1e9))[0]! * 4) / 4),
  ];
  for (const [i, values] of datasets.entries()) {
    for (const minTail of [2, 10]) {
      const got = powerLawFit(values, { minTail });
      const want = bruteForce(values, minTail);
      assert.equal(got.xmin, want.xmin, `dataset ${i}, minTail ${minTail}`);
      assert.equal(got.tailSize, want.tailSize);
      assertClose(got.alpha, want.alpha, 1e-10);
      assertClose(got.ks, want.ks, 1e-10, 1e-13);
    }
  }
});

Deno.test("powerLawFit: minTail bounds the tail, xmax trims, xmin fixes the cut-off", () => {
  const values = paretoSample(400, 2.5, 1, 7);
  assert.ok(powerLawFit(values, { minTail: 300 }).tailSize >= 300);
  const sorted = [...values].sort((a, b) => a - b);
  const xmax = sorted[379]!;
  const trimmed = powerLawFit(values, { xmax });
  const want = bruteForce(values.filter((v) => v <= xmax));
  assert.equal(trimmed.xmin, want.xmin);
  assertClose(trimmed.alpha, want.alpha, 1e-10);
  // fixed xmin below every value: α is the closed form over all values
  const all = powerLawFit(values, { xmin: 0.5 });
  const s = values.reduce((acc, v) => acc + Math.log(v / 0.5), 0);
  assert.equal(all.xmin, 0.5);
  assertClose(all.alpha, 1 + values.length / s, 1e-12);
});

Deno.test("powerLawFit is scale-invariant: α and D unchanged, xmin scaled", () => {
  const values = paretoSample(300, 3, 2, 11);
  const a = powerLawFit(values);
  const b = powerLawFit(values.map((v) => v * 8)); // a power of two: exact scaling
  assertClose(b.alpha, a.alpha, 1e-9);
  assertClose(b.ks, a.ks, 1e-9);
  assert.equal(b.xmin, a.xmin * 8);
});

Deno.test("powerLawFit drops values <= 0, accepts typed arrays, and does not mutate its input", () => {
  const values = paretoSample(200, 2.5, 1, 3);
  const copy = [...values];
  const a = powerLawFit(values);
  assert.deepEqual(values, copy);
  assert.deepEqual(powerLawFit([0, -3, ...values, 0]), a);
  assert.deepEqual(powerLawFit(Float64Array.from(values)), a);
});

Deno.test("powerLawFit handles a 2-value sample", () => {
  // xmin = 1, tail {1, e}: α = 1 + 2 / 1 = 3, F(e) = 1 − e^(−2)
  const fit = powerLawFit([1, Math.E]);
  assertClose(fit.alpha, 3, 1e-15);
  assert.equal(fit.tailSize, 2);
  const f = 1 - Math.exp(-2);
  assertClose(fit.ks, Math.max(0.5, f - 0.5, 1 - f), 1e-15);
});

Deno.test("powerLawFit rejects bad input, naming the argument", () => {
  assert.throws(() => powerLawFit([]), { name: "RangeError", message: /values/ });
  assert.throws(() => powerLawFit([1, NaN, 2]), { name: "RangeError", message: /values\[1\]/ });
  assert.throws(() => powerLawFit([1, Infinity, 2]), { name: "RangeError", message: /values\[1\]/ });
  assert.throws(() => powerLawFit([0, -1, 2]), { name: "RangeError", message: /values.*got 1/ });
  assert.throws(() => powerLawFit([3, 3, 3]), { name: "RangeError", message: /values/ });
  assert.throws(() => powerLawFit([1, 2, 3], { minTail: 1 }), {
    name: "RangeError",
    message: /options\.minTail/,
  });
  assert.throws(() => powerLawFit([1, 2, 3], { minTail: 2.5 }), {
    name: "RangeError",
    message: /options\.minTail/,
  });
  assert.throws(() => powerLawFit([1, 2, 3], { minTail: 4 }), { name: "RangeError", message: /minTail/ });
  assert.throws(() => powerLawFit([1, 2, 3], { xmin: -1 }), { name: "RangeError", message: /options\.xmin/ });
  assert.throws(() => powerLawFit([1, 2, 3], { xmin: 3 }), { name: "RangeError", message: /options\.xmin/ });
  assert.throws(() => powerLawFit([1, 2, 3], { xmax: 0 }), { name: "RangeError", message: /options\.xmax/ });
  assert.throws(() => powerLawFit([1, 2, 3], { xmax: 1.5 }), { name: "RangeError", message: /xmax/ });
  assert.throws(() => powerLawFit("123" as unknown as number[]), { name: "TypeError", message: /values/ });
});
