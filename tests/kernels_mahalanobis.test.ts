import { estimateCovariance, logMahalanobisKernel, mahalanobisKernel, rbfKernel } from "../mod.ts";
import { assert, assertClose } from "./_assert.ts";

Deno.test("Mahalanobis kernel on scalars uses the variance; identity precision is the RBF kernel", () => {
  assertClose(logMahalanobisKernel(3, 1, { variance: 4 }), -0.5);
  assertClose(mahalanobisKernel([1, 2], [0, 0], { precision: [[1, 0], [0, 1]] }), rbfKernel([1, 2], [0, 0]));
  assert.throws(() => mahalanobisKernel([1, 2], [0, 0], { precision: [[1]] }), /options.precision/);
  assert.throws(() => estimateCovariance([[1, 1], [1, 1]], { shrinkage: 0 }), /singular/);
});
