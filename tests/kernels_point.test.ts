import { estimateCovariance, polynomialKernel, rbfKernel, spectralKernel } from "../mod.ts";
import { assert } from "./_assert.ts";

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
