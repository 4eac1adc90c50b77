import { logPolynomialKernel, polynomialKernel } from "../mod.ts";
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
