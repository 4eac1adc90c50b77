import { estimateCovariance, mahalanobisKernel } from "../mod.ts";
import { assertAllClose, assertClose } from "./_assert.ts";
import * as golden from "./golden/kernels_losses_values.ts";

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
