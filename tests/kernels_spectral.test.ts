import { EigenvalueDecomposition, Matrix as MlMatrix } from "ml-matrix";
import { logSpectralKernel, spectralKernel } from "../mod.ts";
import { assert, assertAllClose } from "./_assert.ts";
import * as golden from "./golden/kernels_losses_values.ts";

const X = golden.kernelX;
const Y = golden.kernelY;

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
