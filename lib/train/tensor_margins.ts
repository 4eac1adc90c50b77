/**
 * The kernels' margin shapes G(u) as TensorFlow.js ops, one twin per kernel of `KERNELS` (see
 * lib/kernels/table.ts); float32 guards: arguments held away from 0 where a ratio is 0/0, the polynomial's
 * argument clipped where (1 + u/c)^d would pass 1e30.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { MIXTURE_KERNELS } from "../kernels/mixture.ts";
import { mahalanobisMarginDefaults } from "../kernels/mahalanobis.ts";
import { polynomialDefaults } from "../kernels/polynomial.ts";
import { rationalQuadraticDefaults } from "../kernels/rational_quadratic.ts";
import { rbfDefaults } from "../kernels/rbf.ts";
import { spectralDefaults } from "../kernels/spectral.ts";
import type { KernelName } from "../kernels/table.ts";
import type { MarginShapeOptions } from "../losses/kernel_margin.ts";
import type { MarginKind } from "../losses/loss_table.ts";
import { assertPositive } from "../math/validation.ts";

/**
 * (1 − e^{−v})/v for v ≥ 0. Below 1e-7 the argument is held at 1e-7 (relative error < 1e-7, under float32's
 * resolution); branch-free, because tfjs cannot differentiate through the condition of `tf.where`.
 */
function expRatio(v: tf.Tensor): tf.Tensor {
  const safe = tf.maximum(v, 1e-7);
  return tf.div(tf.neg(tf.expm1(tf.neg(safe))), safe);
}

/** sin(y)/y for y ≥ 0, with the argument held at ≥ 1e-4 (relative error < 2e-9). */
function sinc(y: tf.Tensor): tf.Tensor {
  const safe = tf.maximum(y, 1e-4);
  return tf.div(tf.sin(safe), safe);
}

type Profile = (u: tf.Tensor, o: MarginShapeOptions) => tf.Tensor;

const rbfProfile = (sigma: number): (u: tf.Tensor) => tf.Tensor => (u) =>
  expRatio(tf.mul(u, 1 / (2 * sigma * sigma)));

/**
 * G(u) per kernel of `KERNELS`, as tensor ops (the same formulas as each kernel's `margin` in lib/kernels):
 * typed by the kernel names, so a kernel without its tensor twin does not compile.
 */
const PROFILES: Readonly<{ [K in KernelName]: Profile }> = {
  polynomial: (u, o) => {
    const { degree: d, offset: c } = polynomialDefaults(o.polynomial);
    if (d < 1) throw new RangeError(`options.degree must be >= 1 for a monotone margin, got ${d}`);
    assertPositive(c, "options.offset");
    const vMax = Math.pow(1e30, 1 / d) - 1; // keeps (1 + v)^d inside float32
    const v = tf.clipByValue(tf.div(u, c), 1e-7, vMax);
    return tf.div(tf.expm1(tf.mul(d, tf.log1p(v))), tf.mul(d, v));
  },
  rbf: (u, o) => rbfProfile(rbfDefaults(o.rbf).sigma)(u),
  mahalanobis: (u, o) => rbfProfile(Math.sqrt(mahalanobisMarginDefaults(o.mahalanobis).variance))(u),
  rationalQuadratic: (u, o) => {
    // G = (1 − (1 + v)^{−α})/(α·v), v = u/(2αℓ²), the argument held at ≥ 1e-7 like expRatio's.
    const { lengthscale, alpha } = rationalQuadraticDefaults(o.rationalQuadratic);
    const v = tf.maximum(tf.div(u, 2 * alpha * lengthscale * lengthscale), 1e-7);
    return tf.div(tf.neg(tf.expm1(tf.mul(-alpha, tf.log1p(v)))), tf.mul(alpha, v));
  },
  spectral: (u, o) => {
    const { components, damping: rho } = spectralDefaults(o.spectral);
    const r = rho / (1 + rho);
    let curvature = 0;
    const terms = components.map((c, q) => {
      if (typeof c.frequency !== "number") {
        throw new RangeError(`options.components[${q}].frequency must be a number for the scalar margin`);
      }
      const k = 1 / (2 * c.lengthscale * c.lengthscale);
      const omega = 2 * Math.PI * c.frequency;
      curvature += c.weight * (2 * k + (rho * omega * omega) / (1 + rho));
      const ku = tf.mul(u, k);
      const y = tf.mul(tf.sqrt(tf.maximum(u, 1e-12)), omega / 2);
      const ripple = tf.mul(tf.mul(tf.exp(tf.neg(ku)), r * omega * omega / 2), tf.square(sinc(y)));
      return tf.mul(c.weight, tf.add(tf.mul(k, expRatio(ku)), ripple));
    });
    return tf.mul(tf.addN(terms), 2 / curvature);
  },
};

/**
 * G(u) of a margin kind as tensor ops: 1 for the linear margin, a kernel's profile, or Σᵢ wᵢGᵢ for a mixture.
 *
 * @param kind The loss's margin kind.
 * @param u Δ², any shape.
 * @param o The kernels' margin options.
 * @param weights The mixture's effective weights `[K]` (mixtures only).
 * @returns G(u), the shape of `u`.
 * @throws {RangeError} For a mixture without weights, or bad kernel options (named).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { profileFor } from "./tensor_margins.ts";
 * import assert from "node:assert/strict";
 * const u = tf.tensor1d([0, 4]);
 * assert.deepEqual(await profileFor("linear", u, {}).array(), [1, 1]); // DPO: G ≡ 1
 * const rbf = (await profileFor("rbf", u, {}).array()) as number[];
 * assert.ok(Math.abs(rbf[0]! - 1) < 1e-6 && rbf[1]! < 1); // every kernel is linear at 0, then bends
 * u.dispose();
 * ```
 */
export function profileFor(
  kind: MarginKind,
  u: tf.Tensor,
  o: MarginShapeOptions,
  weights?: tf.Tensor1D,
): tf.Tensor {
  if (kind === "linear") return tf.onesLike(u);
  if (kind === "mixture" || kind === "hmk") {
    if (weights === undefined) {
      throw new RangeError(`loss ${kind} needs mixture parameters (options.mixture)`);
    }
    const w = tf.unstack(weights);
    return tf.addN(MIXTURE_KERNELS.map((k, i) => tf.mul(w[i]!, PROFILES[k](u, o))));
  }
  return PROFILES[kind](u, o);
}
