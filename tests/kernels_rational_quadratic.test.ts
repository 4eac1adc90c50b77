import assert from "node:assert/strict";
import {
  kernelizedMargin,
  KERNELS,
  logRationalQuadraticKernel,
  LOSSES,
  MIXTURE_KERNELS,
  preferenceLoss,
  rationalQuadraticKernel,
  rationalQuadraticMargin,
  rbfMargin,
} from "../mod.ts";
import { assertClose, finiteDifference } from "./_assert.ts";
import * as golden from "./golden/rational_quadratic_values.ts";

Deno.test("rational quadratic kernel matches sklearn's RationalQuadratic; its log is the log of it", () => {
  golden.rqParams.forEach((p, j) => {
    golden.rqX.forEach((x, i) => {
      const y = golden.rqY[i]!;
      const expected = golden.rqKernel[j]![i]!;
      assertClose(rationalQuadraticKernel(x, y, p), expected, 1e-13, 0, `κ ${j}/${i}`);
      assertClose(logRationalQuadraticKernel(x, y, p), Math.log(expected), 1e-13, 1e-15, `log κ ${j}/${i}`);
      assert.equal(rationalQuadraticKernel(y, x, p), rationalQuadraticKernel(x, y, p));
    });
  });
  assert.equal(rationalQuadraticKernel(3, 3), 1);
});

Deno.test("rational quadratic margin equals the signed feature distance of sklearn's kernel, and its loss", () => {
  golden.rqParams.forEach((p, j) => {
    const shape = rationalQuadraticMargin(p);
    golden.rqDeltas.forEach((delta, i) => {
      const tag = `ℓ ${p.lengthscale}, α ${p.alpha}, Δ ${delta}`;
      assertClose(kernelizedMargin(delta, shape).score, golden.rqScores[j]![i]!, 1e-9, 1e-12, `s ${tag}`);
      // β = 1 and reference log-probs 0: Δ = ℓ(y_w) − ℓ(y_l).
      const pair = { policyChosen: delta, policyRejected: 0, referenceChosen: 0, referenceRejected: 0 };
      const got = preferenceLoss(pair, { loss: "rational-quadratic", beta: 1, rationalQuadratic: p });
      assertClose(got.loss, golden.rqLosses[j]![i]!, 1e-9, 1e-12, `loss ${tag}`);
    });
  });
});

Deno.test("rational quadratic margin: G(0) = 1, unit slope at 0, G′(0) = −(α+1)/(4αℓ²), bounded by ℓ√2", () => {
  for (const p of golden.rqParams) {
    const shape = rationalQuadraticMargin(p);
    assert.equal(shape.g(0), 1);
    assert.equal(kernelizedMargin(0, shape).slope, 1);
    const expected = -(p.alpha + 1) / (4 * p.alpha * p.lengthscale ** 2);
    assertClose(shape.dg(0), expected, 1e-12, 0, "G′(0)");
    const far = kernelizedMargin(1e6, shape).score;
    assert.ok(far < p.lengthscale * Math.SQRT2 && far > 0.99 * p.lengthscale * Math.SQRT2, `s(1e6) = ${far}`);
  }
  // α → ∞ is the RBF margin with σ = ℓ.
  const rq = rationalQuadraticMargin({ lengthscale: 0.7, alpha: 1e7 });
  const rbf = rbfMargin({ sigma: 0.7 });
  for (const u of [0.1, 1, 4]) assertClose(rq.g(u), rbf.g(u), 1e-5, 0, `G(${u})`);
});

Deno.test("rational quadratic: dG/du, ds/dΔ and the loss's gradient match central finite differences", () => {
  for (const p of golden.rqParams) {
    const shape = rationalQuadraticMargin(p);
    // Both sides of the series switch (v = u/(2αℓ²) at 1e-5 and 1e-8) and the regime beyond.
    for (const v of [1e-9, 3e-6, 2e-5, 0.01, 0.7, 5, 200]) {
      const u = v * 2 * p.alpha * p.lengthscale ** 2;
      const h = Math.max(u * 1e-4, 1e-9);
      assertClose(shape.dg(u), finiteDifference(shape.g, u, h), 1e-5, 1e-9, `dG/du at v ${v}`);
    }
    for (const delta of [-3, -0.5, 0.2, 1.5, 10]) {
      const score = (d: number): number => kernelizedMargin(d, shape).score;
      assertClose(kernelizedMargin(delta, shape).slope, finiteDifference(score, delta), 1e-6, 1e-9, `ds/dΔ`);
      const options = { loss: "rational-quadratic" as const, beta: 0.3, rationalQuadratic: p };
      const loss = (pc: number): number =>
        preferenceLoss(
          { policyChosen: pc, policyRejected: -5, referenceChosen: -4, referenceRejected: -4 },
          options,
        )
          .loss;
      const pc = -5 + delta / 0.3;
      const got = preferenceLoss(
        { policyChosen: pc, policyRejected: -5, referenceChosen: -4, referenceRejected: -4 },
        options,
      );
      assertClose(got.gradChosen, finiteDifference(loss, pc), 1e-6, 1e-10, `∂loss/∂ℓ_w at Δ ${delta}`);
    }
  }
});

Deno.test("rational quadratic: one table entry, its own loss, outside the mixtures (HMK stays the paper's four)", () => {
  assert.equal(KERNELS.rationalQuadratic.mixture, false);
  assert.equal(KERNELS.rationalQuadratic.loss, "rational-quadratic");
  assert.equal(LOSSES["rational-quadratic"].margin, "rationalQuadratic");
  assert.deepEqual([...MIXTURE_KERNELS], ["polynomial", "rbf", "spectral", "mahalanobis"]);
  assert.deepEqual(KERNELS.rationalQuadratic.defaults(), { lengthscale: 1, alpha: 1 });
});

Deno.test("rational quadratic rejects bad options and input with the argument's name", () => {
  assert.throws(() => rationalQuadraticKernel(0, 1, { lengthscale: 0 }), /options\.lengthscale/);
  assert.throws(() => rationalQuadraticKernel(0, 1, { alpha: -1 }), /options\.alpha/);
  assert.throws(() => rationalQuadraticMargin({ alpha: Number.NaN }), /options\.alpha/);
  assert.throws(() => rationalQuadraticKernel([0, 1], [1]), RangeError);
  assert.throws(() => rationalQuadraticKernel(Number.NaN, 1), /a/);
});
