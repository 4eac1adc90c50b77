/**
 * The margin shape G of a kernel: how the kernel turns the reward margin Δ into the score s = Δ·√G(Δ²) the
 * logistic loss sees (the signed feature distance of docs/math.md, "Kernelized margins"). Every kernel file
 * defines its own shape; this module holds the type and the series-exact helpers several shapes share.
 *
 * @module
 */

/** The profile G of a kernelized margin s = Δ·√G(u), u = Δ², with its derivative dG/du. */
export interface MarginShape {
  /** G(u) > 0 with G(0) = 1. */
  g(u: number): number;
  /** dG/du. */
  dg(u: number): number;
}

/**
 * E(v) = (1 − e^{−v})/v, exact near 0 by its Taylor series: the RBF margin's profile at v = u/2σ².
 *
 * @param v v ≥ 0.
 * @returns E(v), 1 at v = 0.
 * @example
 * ```ts
 * import { expRatio } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(expRatio(0), 1);
 * assert.ok(Math.abs(expRatio(2) - (1 - Math.exp(-2)) / 2) < 1e-15);
 * ```
 */
export function expRatio(v: number): number {
  return v < 1e-8 ? 1 - v / 2 : -Math.expm1(-v) / v;
}

/**
 * dE/dv for E(v) = (1 − e^{−v})/v, exact near 0 by its Taylor series.
 *
 * @param v v ≥ 0.
 * @returns E′(v), −½ at v = 0.
 * @example
 * ```ts
 * import { expRatioDerivative } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(expRatioDerivative(0), -0.5);
 * ```
 */
export function expRatioDerivative(v: number): number {
  if (v < 1e-3) return -0.5 + v / 3 - (v * v) / 8 + (v * v * v) / 30;
  return (Math.exp(-v) * (1 + v) - 1) / (v * v);
}
