import assert from "node:assert/strict";
import {
  gradientWeightRatio,
  kernelDeparture,
  LINEAR_MARGIN,
  mahalanobisMargin,
  nonlinearShare,
  polynomialMargin,
  preferenceLoss,
  rbfMargin,
  SENSITIVITY_PARAMETERS,
  sensitivityMap,
} from "../mod.ts";
import { assertClose } from "./_assert.ts";

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
// RBF of bandwidth σ (closed form): s = sign(Δ)·σ√(2(1 − e^{−v})), s′ = |Δ|e^{−v}/(σ√(2(1 − e^{−v}))), v = Δ²/2σ².
const rbfRatio = (d: number, sigma: number) => {
  const v = d * d / (2 * sigma * sigma);
  const root = Math.sqrt(-2 * Math.expm1(-v));
  const s = Math.sign(d) * sigma * root, slope = Math.abs(d) * Math.exp(-v) / (sigma * root);
  return sigmoid(-s) * slope / sigmoid(-d);
};
// Polynomial of degree d and offset c (closed form): s² = c((1 + Δ²/c)^d − 1)/d, s′ = Δ(1 + Δ²/c)^{d−1}/s.
const polyRatio = (d: number, degree: number, c: number) => {
  const v = d * d / c;
  const s = Math.sign(d) * Math.sqrt(c * ((1 + v) ** degree - 1) / degree);
  return sigmoid(-s) * (d * (1 + v) ** (degree - 1) / s) / sigmoid(-d);
};

Deno.test("gradientWeightRatio matches the RBF's and the polynomial's closed forms; 1 for DPO's margin", () => {
  for (const sigma of [0.25, 1, 4]) {
    for (const d of [-3, -0.4, 0.05, 0.7, 2, 5]) {
      assertClose(gradientWeightRatio(d, rbfMargin({ sigma })), rbfRatio(d, sigma), 1e-9);
    }
  }
  for (const [degree, c] of [[2, 1], [3, 1], [5, 1], [2, 4]] as const) {
    for (const d of [-2, -0.3, 0.1, 1, 2.5]) {
      assertClose(
        gradientWeightRatio(d, polynomialMargin({ degree, offset: c })),
        polyRatio(d, degree, c),
        1e-9,
      );
    }
  }
  for (const d of [-700, -1, 0, 2, 900]) assert.equal(gradientWeightRatio(d, LINEAR_MARGIN), 1);
  // At indifference every kernel's update is DPO's (s(0) = 0, s′(0) = 1).
  assertClose(gradientWeightRatio(0, rbfMargin({ sigma: 0.25 })), 1, 1e-12);
});

Deno.test("gradientWeightRatio against scipy's log_expit, including margins where σ(−Δ) underflows", () => {
  // /usr/bin/python3, scipy 1.x: s′·exp(log_expit(−s) − log_expit(−Δ)) with the closed forms above.
  assertClose(gradientWeightRatio(3, rbfMargin({ sigma: 0.5 })), 4.4993303970296955e-07, 1e-9);
  assertClose(gradientWeightRatio(-1, rbfMargin({ sigma: 0.25 })), 0.0007625907616988398, 1e-9);
  assertClose(gradientWeightRatio(8, rbfMargin({ sigma: 4 })), 3.171725808683831, 1e-9);
  assertClose(gradientWeightRatio(-6, rbfMargin({ sigma: 2 })), 0.022410835051401488, 1e-9);
  assertClose(
    gradientWeightRatio(2, polynomialMargin({ degree: 5, offset: 1 })),
    5.849622908380707e-09,
    1e-9,
  );
  assertClose(gradientWeightRatio(-0.7, polynomialMargin({ degree: 3, offset: 1 })), 1.872668975688893, 1e-9);
  assertClose(gradientWeightRatio(1.5, polynomialMargin({ degree: 2, offset: 4 })), 1.1709138651281843, 1e-9);
  // Finite far out: σ(−800) underflows to 0 in double, the ratio does not.
  for (const d of [800, -800]) assert.ok(Number.isFinite(gradientWeightRatio(d, rbfMargin({ sigma: 400 }))));
  // A polynomial score beyond double range has no gradient.
  assert.equal(gradientWeightRatio(1e6, polynomialMargin({ degree: 200, offset: 1 })), 0);
  assert.throws(() => gradientWeightRatio(NaN, LINEAR_MARGIN), /delta/);
});

Deno.test("gradientWeightRatio is the trainer's loss gradient ratio, kernel over DPO, at the same pair", () => {
  const pair = { policyChosen: -10, policyRejected: -13, referenceChosen: -11, referenceRejected: -11.5 };
  for (const beta of [0.1, 0.5, 2]) {
    const z = (pair.policyChosen - pair.referenceChosen) - (pair.policyRejected - pair.referenceRejected);
    const dpo = preferenceLoss(pair, { loss: "dpo", beta }).gradChosen;
    const rbf = preferenceLoss(pair, { loss: "rbf", beta, rbf: { sigma: 0.5 } }).gradChosen;
    const poly =
      preferenceLoss(pair, { loss: "poly", beta, polynomial: { degree: 3, offset: 1 } }).gradChosen;
    assertClose(rbf / dpo, gradientWeightRatio(beta * z, rbfMargin({ sigma: 0.5 })), 1e-9);
    assertClose(poly / dpo, gradientWeightRatio(beta * z, polynomialMargin({ degree: 3 })), 1e-9);
  }
});

Deno.test("kernelDeparture: means, maximum and shares over βz, by hand", () => {
  const z = [-2, -0.5, 0.1, 1, 3];
  const beta = 0.5, shape = rbfMargin({ sigma: 0.5 });
  const ratios = z.map((x) => rbfRatio(beta * x, 0.5));
  const dep = kernelDeparture(z, shape, beta);
  assertClose(dep.meanDeparture, ratios.reduce((s, r) => s + Math.abs(r - 1), 0) / z.length, 1e-9);
  const dpoWeights = z.map((x) => sigmoid(-beta * x));
  assertClose(
    dep.weightedDeparture,
    ratios.reduce((s, r, i) => s + dpoWeights[i]! * Math.abs(r - 1), 0) /
      dpoWeights.reduce((s, w) => s + w, 0),
    1e-9,
  );
  assertClose(dep.maxDeparture, Math.max(...ratios.map((r) => Math.abs(r - 1))), 1e-9);
  assertClose(dep.meanRatio, ratios.reduce((s, r) => s + r, 0) / z.length, 1e-9);
  assert.equal(dep.departedShare, ratios.filter((r) => Math.abs(r - 1) > 0.1).length / z.length);
  assert.equal(dep.nonlinearShare, nonlinearShare(z.map((x) => beta * x), shape));
  // The share tolerance is used: a looser one counts fewer pairs.
  assert.ok(kernelDeparture(z, shape, beta, 0.9).departedShare < dep.departedShare);
  assert.deepEqual(kernelDeparture([], shape, beta), {
    meanDeparture: 0,
    weightedDeparture: 0,
    maxDeparture: 0,
    meanRatio: 0,
    departedShare: 0,
    nonlinearShare: 0,
  });
  assert.deepEqual(kernelDeparture(z, LINEAR_MARGIN, 2), {
    meanDeparture: 0,
    weightedDeparture: 0,
    maxDeparture: 0,
    meanRatio: 1,
    departedShare: 0,
    nonlinearShare: 0,
  });
});

Deno.test("kernelDeparture: margins far inside the linear regime leave the kernel at DPO", () => {
  const z = [-0.1, 0.02, 0.05, 0.2];
  const dep = kernelDeparture(z, rbfMargin({ sigma: 4 }), 0.1);
  assert.equal(dep.departedShare, 0);
  assert.equal(dep.nonlinearShare, 0);
  assert.ok(dep.meanDeparture < 1e-3);
});

Deno.test("kernelDeparture rejects bad input, naming it", () => {
  assert.throws(() => kernelDeparture([1, Infinity], LINEAR_MARGIN, 1), /margins\[1\]/);
  assert.throws(() => kernelDeparture([1], LINEAR_MARGIN, 0), /beta.*0/);
  assert.throws(() => kernelDeparture([1], LINEAR_MARGIN, 1, -1), /tol.*-1/);
});

Deno.test("sensitivityMap: every parameter sets its kernel's option; values × β in order", () => {
  const z = [-1.5, -0.2, 0.4, 1, 2.5];
  const rows = sensitivityMap(z, "rbf.sigma", [0.25, 1, 4], [0.1, 2]);
  assert.deepEqual(rows.map((r) => [r.parameter, r.value, r.beta]), [
    ["rbf.sigma", 0.25, 0.1],
    ["rbf.sigma", 0.25, 2],
    ["rbf.sigma", 1, 0.1],
    ["rbf.sigma", 1, 2],
    ["rbf.sigma", 4, 0.1],
    ["rbf.sigma", 4, 2],
  ]);
  for (const r of rows) {
    assert.deepEqual(
      { ...r, parameter: undefined, value: undefined, beta: undefined },
      {
        ...kernelDeparture(z, rbfMargin({ sigma: r.value }), r.beta),
        parameter: undefined,
        value: undefined,
        beta: undefined,
      },
    );
  }
  // A wider RBF departs less; a larger β departs more.
  assert.ok(
    rows[0]!.meanDeparture > rows[2]!.meanDeparture && rows[2]!.meanDeparture > rows[4]!.meanDeparture,
  );
  assert.ok(rows[3]!.meanDeparture > rows[2]!.meanDeparture);
  const maha = sensitivityMap(z, "mahalanobis.variance", [2], [0.5])[0]!;
  assertClose(
    maha.meanDeparture,
    kernelDeparture(z, mahalanobisMargin({ variance: 2 }), 0.5).meanDeparture,
    1e-12,
  );
  const offset = sensitivityMap(z, "polynomial.offset", [3], [0.5])[0]!;
  assertClose(
    offset.meanDeparture,
    kernelDeparture(z, polynomialMargin({ degree: 2, offset: 3 }), 0.5).meanDeparture,
    1e-12,
  );
  const degree = sensitivityMap(z, "polynomial.degree", [1, 5], [2]);
  assertClose(degree[0]!.meanDeparture, 0, 0, 1e-12); // G = ((1 + v) − 1)/v = 1 up to rounding
  assertClose(
    degree[1]!.meanDeparture,
    kernelDeparture(z, polynomialMargin({ degree: 5, offset: 1 }), 2).meanDeparture,
    1e-12,
  );
  assert.deepEqual(Object.values(SENSITIVITY_PARAMETERS).map((p) => p.loss), [
    "rbf",
    "mahalanobis",
    "poly",
    "poly",
  ]);
});

Deno.test("sensitivityMap reads β-dependent margins from a function of β", () => {
  const byBeta = new Map([[0.1, [4, -3]], [2, [0.05, -0.02]]]);
  const seen: number[] = [];
  const rows = sensitivityMap((beta) => (seen.push(beta), byBeta.get(beta)!), "rbf.sigma", [1], [0.1, 2]);
  assert.deepEqual(seen, [0.1, 2]);
  assertClose(rows[0]!.meanDeparture, kernelDeparture([4, -3], rbfMargin(), 0.1).meanDeparture, 1e-12);
  assertClose(rows[1]!.meanDeparture, kernelDeparture([0.05, -0.02], rbfMargin(), 2).meanDeparture, 1e-12);
});

Deno.test("sensitivityMap rejects an unknown parameter and an invalid kernel value, naming them", () => {
  // @ts-expect-error: not a parameter name
  assert.throws(() => sensitivityMap([1], "rbf.width", [1], [1]), /name must be one of .*"rbf\.width"/);
  // @ts-expect-error: not a parameter name
  assert.throws(() => sensitivityMap([1], "toString", [1], [1]), /name must be one of/);
  assert.throws(() => sensitivityMap([1], "polynomial.degree", [0.5], [1]), /degree/);
  assert.throws(() => sensitivityMap([1], "rbf.sigma", [1], [-1]), /beta/);
});
