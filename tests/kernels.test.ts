import { EigenvalueDecomposition, Matrix as MlMatrix } from "ml-matrix";
import {
  estimateCovariance,
  flatMixtureWeights,
  hmkEntropy,
  hmkWeights,
  logMahalanobisKernel,
  logPolynomialKernel,
  logRbfKernel,
  logSpectralKernel,
  mahalanobisKernel,
  polynomialKernel,
  rbfKernel,
  spectralKernel,
} from "../mod.ts";
import { assert, assertAllClose, assertClose } from "./_assert.ts";
import * as golden from "./golden/kernels_losses_values.ts";

const X = golden.kernelX;
const Y = golden.kernelY;

Deno.test("polynomial kernel matches sklearn.metrics.pairwise.polynomial_kernel", () => {
  const got = X.map((x, i) => polynomialKernel(x, Y[i] as number[], { degree: 3, offset: 0.5 }));
  assertAllClose(got, golden.polyDeg3Off05, 1e-12);
  assertClose(
    logPolynomialKernel(X[0] as number[], X[0] as number[], { degree: 3, offset: 0.5 }),
    Math.log(
      polynomialKernel(X[0] as number[], X[0] as number[], { degree: 3, offset: 0.5 }),
    ),
  );
  assert.throws(() => logPolynomialKernel([1], [-2], { offset: 1 }), /offset/);
});

Deno.test("RBF kernel matches sklearn.metrics.pairwise.rbf_kernel, and its log never underflows", () => {
  const got = X.map((x, i) => rbfKernel(x, Y[i] as number[], { sigma: 1.5 }));
  assertAllClose(got, golden.rbfSigma15, 1e-12);
  assert.equal(rbfKernel(0, 1e4), 0);
  assert.equal(logRbfKernel(0, 1e4), -5e7);
});

Deno.test("spectral kernel matches its direct definition and stays positive", () => {
  const options = { components: golden.spectralComponents, damping: 0.4 };
  const got = X.map((x, i) => spectralKernel(x, Y[i] as number[], options));
  assertAllClose(got, golden.spectral, 1e-12);
  for (let t = -50; t <= 50; t += 0.37) {
    assert.ok(Number.isFinite(logSpectralKernel(0, t, options)), `log κ finite at ${t}`);
  }
  assert.ok(Number.isFinite(logSpectralKernel(0, 1e4, options)));
});

Deno.test("spectral kernel's Gram matrix is positive semi-definite", () => {
  const pts = Array.from({ length: 25 }, (_, i) => [Math.sin(i * 1.7) * 3, Math.cos(i * 0.9) * 2]);
  const options = { components: golden.spectralComponents, damping: 0.9 };
  const gram = new MlMatrix(pts.map((a) => pts.map((b) => spectralKernel(a, b, options))));
  const eig = new EigenvalueDecomposition(gram, { assumeSymmetric: true });
  assert.ok(Math.min(...eig.realEigenvalues) > -1e-10, `min eigenvalue ${Math.min(...eig.realEigenvalues)}`);
});

Deno.test("shrunk covariance matches sklearn ShrunkCovariance and LedoitWolf", () => {
  const fixed = estimateCovariance(golden.covSamples, { shrinkage: 0.2 });
  assertAllClose(fixed.covariance.flat(), golden.shrunk02Covariance.flat(), 1e-10);
  assertAllClose(fixed.precision.flat(), golden.shrunk02Precision.flat(), 1e-9);
  const lw = estimateCovariance(golden.covSamples);
  assertClose(lw.shrinkage, golden.ledoitWolfShrinkage, 1e-10);
  assertAllClose(lw.covariance.flat(), golden.ledoitWolfCovariance.flat(), 1e-10);
  const [a, b] = golden.mahalanobisPair as [number[], number[]];
  assertClose(mahalanobisKernel(a, b, { precision: lw.precision }), golden.mahalanobisKernelLW, 1e-10);
});

Deno.test("Mahalanobis kernel on scalars uses the variance; identity precision is the RBF kernel", () => {
  assertClose(logMahalanobisKernel(3, 1, { variance: 4 }), -0.5);
  assertClose(mahalanobisKernel([1, 2], [0, 0], { precision: [[1, 0], [0, 1]] }), rbfKernel([1, 2], [0, 0]));
  assert.throws(() => mahalanobisKernel([1, 2], [0, 0], { precision: [[1]] }), /options.precision/);
  assert.throws(() => estimateCovariance([[1, 1], [1, 1]], { shrinkage: 0 }), /singular/);
});

Deno.test("kernels reject bad input with the argument's name", () => {
  assert.throws(() => rbfKernel([1, 2], [1]), /a and b/);
  assert.throws(() => rbfKernel(Number.NaN, 0), /a must be a finite/);
  assert.throws(() => rbfKernel(0, 0, { sigma: 0 }), /options.sigma/);
  assert.throws(() => polynomialKernel(0, 0, { degree: -1 }), /options.degree/);
  assert.throws(() => spectralKernel(0, 0, { damping: 1 }), /options.damping/);
  assert.throws(() => spectralKernel(0, 0, { components: [] }), /options.components/);
  assert.throws(() => estimateCovariance([], {}), /samples/);
  assert.throws(() => estimateCovariance([[1, 2], [3]]), /samples\[1\]/);
});

Deno.test("flat and hierarchical mixture weights are softmaxes; HMK's entropy sums its levels", () => {
  const w = flatMixtureWeights([Math.log(1), Math.log(2), Math.log(3), Math.log(4)]);
  assertAllClose([w.polynomial, w.rbf, w.spectral, w.mahalanobis], [0.1, 0.2, 0.3, 0.4], 1e-12);
  const h = hmkWeights({ tau: [Math.log(3), 0], local: [0, 0], global: [Math.log(4), 0] });
  assertAllClose(h.tau, [0.75, 0.25], 1e-12);
  assertClose(h.weights.rbf + h.weights.polynomial + h.weights.spectral + h.weights.mahalanobis, 1, 1e-12);
  assertClose(h.weights.spectral, 0.25 * 0.8, 1e-12);
  const entropy2 = (p: number) => -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
  assertClose(hmkEntropy(h), entropy2(0.75) + Math.LN2 + entropy2(0.8), 1e-12);
  assert.throws(() => flatMixtureWeights([0, 0]), /logits/);
  assert.throws(() => hmkWeights({ tau: [0], local: [0, 0], global: [0, 0] }), /logits.tau/);
});
