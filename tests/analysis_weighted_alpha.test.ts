import { assert, assertAllClose, assertClose } from "./_assert.ts";
import { empiricalSpectralDensity, powerLawFit, weightedAlpha } from "../mod.ts";
import { ESD_CASES, WEIGHTED_ALPHA_CASE } from "./golden/analysis_values.ts";

for (const c of ESD_CASES) {
  Deno.test(`empiricalSpectralDensity matches numpy svd ** 2: ${c.name}`, () => {
    const esd = empiricalSpectralDensity(c.matrix);
    // near-zero eigenvalues of rank-deficient matrices are only accurate to ~eps · λmax
    assertAllClose(esd, c.expected, 1e-10, 1e-12 * c.expected[0]!);
    for (let i = 1; i < esd.length; i++) assert.ok(esd[i - 1]! >= esd[i]!, "descending");
  });
}

Deno.test("empiricalSpectralDensity: same spectrum for W and its transpose; trace = Frobenius norm²", () => {
  const w = ESD_CASES[0]!.matrix;
  const wt = w[0]!.map((_, j) => w.map((row) => row[j]!));
  assertAllClose(empiricalSpectralDensity(wt), empiricalSpectralDensity(w), 1e-12, 1e-13);
  const frob = w.flat().reduce((s, v) => s + v * v, 0);
  assertClose(empiricalSpectralDensity(w).reduce((s, v) => s + v, 0), frob, 1e-12);
  assert.deepEqual(empiricalSpectralDensity([[-3]]), [9]);
  assert.deepEqual(empiricalSpectralDensity([new Float64Array([0, 0])]), [0]);
});

Deno.test("weightedAlpha matches the numpy + scipy re-implementation", () => {
  const c = WEIGHTED_ALPHA_CASE;
  const got = weightedAlpha(c.matrices);
  assert.equal(got.layers.length, c.layers.length);
  got.layers.forEach((layer, l) => {
    const want = c.layers[l]!;
    assertClose(layer.lambdaMax, want.lambdaMax, 1e-11, 0, `layer ${l} lambdaMax`);
    assertClose(layer.xmin, want.xmin, 1e-10, 0, `layer ${l} xmin`);
    assert.equal(layer.tailSize, want.tailSize, `layer ${l} tailSize`);
    assertClose(layer.alpha, want.alpha, 1e-8, 0, `layer ${l} alpha`);
    assertClose(layer.ks, want.ks, 1e-8, 1e-12, `layer ${l} ks`);
    assertClose(layer.weightedAlpha, want.weightedAlpha, 1e-8, 0, `layer ${l} weightedAlpha`);
  });
  assertClose(got.weightedAlpha, c.weightedAlpha, 1e-8);
});

Deno.test("weightedAlpha: α·log10(λmax) per layer, averaged; zeros below the threshold are dropped", () => {
  // 80x80, diagonal σᵢ² = 100·((i+1)/40)^0.5 for i < 40, zero elsewhere: 40 zero eigenvalues to drop
  const w = Array.from(
    { length: 80 },
    (_, i) => Array.from({ length: 80 }, (_, j) => (i === j && i < 40 ? 10 * ((i + 1) / 40) ** 0.25 : 0)),
  );
  const evals = Array.from({ length: 40 }, (_, i) => 100 * ((i + 1) / 40) ** 0.5);
  const fit = powerLawFit(evals);
  assert.equal(empiricalSpectralDensity(w).filter((v) => v <= 1e-5).length, 40);
  const res = weightedAlpha([w, w]);
  assertClose(res.layers[0]!.lambdaMax, 100, 1e-12);
  assertClose(res.layers[0]!.alpha, fit.alpha, 1e-9);
  assertClose(res.layers[0]!.weightedAlpha, fit.alpha * 2, 1e-9);
  assertClose(res.weightedAlpha, fit.alpha * 2, 1e-9);
  // the threshold is an option: raising it above the smallest eigenvalues changes the fitted sample
  const high = weightedAlpha([w], { evalsThreshold: 50 });
  const fitHigh = powerLawFit(evals.filter((v) => v > 50));
  assertClose(high.layers[0]!.alpha, fitHigh.alpha, 1e-9);
  const tail = weightedAlpha([w], { minTail: 30 });
  assert.ok(tail.layers[0]!.tailSize >= 30);
});

Deno.test("weightedAlpha and empiricalSpectralDensity reject bad input, naming the argument", () => {
  assert.throws(() => empiricalSpectralDensity([]), { name: "RangeError", message: /matrix/ });
  assert.throws(() => empiricalSpectralDensity([[1, 2], [3]]), {
    name: "RangeError",
    message: /matrix\[1\]/,
  });
  assert.throws(() => empiricalSpectralDensity([[1, NaN]]), { name: "RangeError", message: /matrix\[0\]/ });
  assert.throws(() => empiricalSpectralDensity([[], []]), { name: "RangeError", message: /matrix/ });
  assert.throws(() => weightedAlpha([]), { name: "RangeError", message: /matrices/ });
  assert.throws(() => weightedAlpha("w" as unknown as number[][][]), {
    name: "TypeError",
    message: /matrices/,
  });
  const ok = WEIGHTED_ALPHA_CASE.matrices[0]!;
  assert.throws(() => weightedAlpha([ok, [[1, 2], [3]]]), {
    name: "RangeError",
    message: /matrices\[1\]\[1\]/,
  });
  assert.throws(() => weightedAlpha([ok, [[Infinity]]]), { name: "RangeError", message: /matrices\[1\]/ });
  assert.throws(() => weightedAlpha([ok, [[2]]]), { name: "RangeError", message: /matrices\[1\].*got 1/ });
  assert.throws(() => weightedAlpha([ok, [[0, 0], [0, 0]]]), {
    name: "RangeError",
    message: /matrices\[1\]/,
  });
  // equal eigenvalues: no power law to fit
  assert.throws(() => weightedAlpha([[[2, 0], [0, 2]]]), {
    name: "RangeError",
    message: /matrices\[0\] eigenvalues/,
  });
  assert.throws(() => weightedAlpha([ok], { evalsThreshold: -1 }), {
    name: "RangeError",
    message: /options\.evalsThreshold/,
  });
  assert.throws(() => weightedAlpha([ok], { minTail: 0 }), {
    name: "RangeError",
    message: /options\.minTail/,
  });
});
