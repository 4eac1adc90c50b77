import { logRbfKernel, rbfKernel } from "../mod.ts";
import { assert, assertAllClose } from "./_assert.ts";
import * as golden from "./golden/kernels_losses_values.ts";

const X = golden.kernelX;
const Y = golden.kernelY;

Deno.test("RBF kernel matches sklearn.metrics.pairwise.rbf_kernel, and its log never underflows", () => {
  const got = X.map((x, i) => rbfKernel(x, Y[i] as number[], { sigma: 1.5 }));
  assertAllClose(got, golden.rbfSigma15, 1e-12);
  assert.equal(rbfKernel(0, 1e4), 0);
  assert.equal(logRbfKernel(0, 1e4), -5e7);
});
