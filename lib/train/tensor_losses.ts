/**
 * The DPO-Kernels losses as differentiable TensorFlow.js ops: the same formulas as the numeric
 * `preferenceLoss` of the core (see docs/math.md), evaluated on a batch. Tests check the two agree in value
 * and gradient for every loss and divergence.
 *
 *   z = ℓ − ℓ_ref,  r = β·φ(z),  Δ = r_w − r_l + γ·e,  s = Δ·√G(Δ²),  loss = mean ψ(s) − η·H + λ_sft·NLL
 *
 * float32 needs two guards the float64 core does not: exponents inside the f-DPO scores are clipped at ±50,
 * kernel shapes see margins clipped to ±1e6, and the polynomial profile's argument is clipped where
 * (1 + u/c)^d would pass 1e30; beyond any clip the
 * loss is flat (zero gradient), which only happens at margins far past any useful training signal.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { FGeneratorName, NamedFGenerator } from "../divergences/f_divergence.ts";
import type { ObjectiveName } from "../losses/objectives.ts";
import { DEFAULT_DIVERGENCE } from "../losses/loss_options.ts";
import { EXPONENT_CLAMP, implicitGenerator } from "../losses/implicit_scores.ts";
import { type PreferenceLossOptions, resolveLossOptions } from "../losses/preference_loss.ts";
import { describe } from "../math/validation.ts";
import { MixtureParameters } from "./mixture_parameters.ts";
import { profileFor } from "./tensor_margins.ts";

export { MixtureParameters };

/** The batch inputs: summed response log-probs `[B]` of policy and reference. */
export interface TensorPreferenceBatch {
  /** ℓ(y_w), `[B]`. */
  policyChosen: tf.Tensor1D;
  /** ℓ(y_l), `[B]`. */
  policyRejected: tf.Tensor1D;
  /** ℓ_ref(y_w), `[B]`. */
  referenceChosen: tf.Tensor1D;
  /** ℓ_ref(y_l), `[B]`. */
  referenceRejected: tf.Tensor1D;
  /** e = log κ(e_x, e_w) − log κ(e_x, e_l), `[B]`; required when γ > 0. Trainable when it comes from the policy. */
  embeddingMargin?: tf.Tensor1D;
  /** |y_w| per pair, `[B]`; required when the SFT weight is > 0 and for length-normalized losses (`ipo`). */
  chosenTokens?: tf.Tensor1D;
  /** |y_l| per pair, `[B]`; required for length-normalized losses (`ipo`). */
  rejectedTokens?: tf.Tensor1D;
}

/** The loss and the quantities the trainer logs. */
export interface TensorPreferenceResult {
  /** Mean loss, a scalar. */
  loss: tf.Scalar;
  /** r_w = β·φ(z_w), `[B]`. */
  rewardsChosen: tf.Tensor1D;
  /** r_l, `[B]`. */
  rewardsRejected: tf.Tensor1D;
  /** Δ, `[B]`. */
  margins: tf.Tensor1D;
  /** s, `[B]`. */
  scores: tf.Tensor1D;
  /** Effective kernel weights `[4]` (polynomial, RBF, spectral, Mahalanobis), mixtures only. */
  weights?: tf.Tensor1D;
  /** Entropy bonus H of the mixture weights, mixtures only. */
  entropy?: tf.Scalar;
}

/** The largest |Δ| a kernel shape sees in float32 (see tensorPreferenceLoss). */
export const MARGIN_CLIP = 1e6;

// ---- implicit scores and objectives -----------------------------------------------------------------------

const clipExp = (x: tf.Tensor): tf.Tensor => tf.clipByValue(x, -EXPONENT_CLAMP, EXPONENT_CLAMP);

/**
 * f′(eᶻ) − f′(1) per generator family as tensor ops, the same closed forms as the generators'
 * `logDerivative` in lib/divergences/f_divergence.ts (exponents clipped at ±50 alike).
 */
type ScoreTensor = (z: tf.Tensor, g: NamedFGenerator) => tf.Tensor;

/** Typed by the generator names, so a generator without its tensor twin does not compile (TV has no score). */
const GENERATOR_SCORE_TENSORS: Readonly<{ [K in FGeneratorName]: ScoreTensor | null }> = {
  kl: (z) => z,
  "reverse-kl": (z) => tf.neg(tf.expm1(clipExp(tf.neg(z)))),
  js: (z) => tf.mul(0.5, tf.sub(Math.LN2, tf.softplus(tf.neg(z)))),
  hellinger: (z) => tf.mul(-0.5, tf.expm1(clipExp(tf.mul(z, -0.5)))),
  "chi-squared": (z) => tf.mul(2, tf.expm1(clipExp(z))),
  alpha: (z, g) => {
    const a = g.alpha as number;
    return tf.div(tf.expm1(clipExp(tf.mul(z, a - 1))), a - 1);
  },
  "total-variation": null,
};

function scoreTensor(divergence: string, o: PreferenceLossOptions): (z: tf.Tensor) => tf.Tensor {
  // Validates, and throws for Wasserstein/TV/χ² with the explicit-form hint.
  const g = implicitGenerator(divergence, o);
  const family = g.alpha !== undefined ? "alpha" : g.name;
  const fn = GENERATOR_SCORE_TENSORS[family as FGeneratorName] ?? undefined;
  if (fn === undefined || g.logDerivative === undefined) {
    throw new RangeError(`divergence ${describe(divergence)} (generator ${g.name}) has no tensor score`);
  }
  const c = (o.unitSlope ?? true) ? g.logDerivative.curvatureAtOne : 1;
  return c === 1 ? (z) => fn(z, g) : (z) => tf.div(fn(z, g), c);
}

const OBJECTIVE_TENSORS: Readonly<
  { [K in ObjectiveName]: (s: tf.Tensor, beta: number, eps: number) => tf.Tensor }
> = {
  sigmoid: (s, _b, e) =>
    e === 0
      ? tf.softplus(tf.neg(s))
      : tf.add(tf.mul(1 - e, tf.softplus(tf.neg(s))), tf.mul(e, tf.softplus(s))),
  robust: (s, _b, e) =>
    tf.div(tf.sub(tf.mul(1 - e, tf.softplus(tf.neg(s))), tf.mul(e, tf.softplus(s))), 1 - 2 * e),
  hinge: (s) => tf.relu(tf.sub(1, s)),
  ipo: (s, b) => tf.square(tf.sub(tf.div(s, b), 1 / (2 * b))),
};

/** Options of {@link tensorPreferenceLoss}: the core's options plus the trainable mixture weights. */
export interface TensorPreferenceLossOptions extends PreferenceLossOptions {
  /** The mixture's trainable weights (required for `mixture` and `hmk`). */
  mixture?: MixtureParameters;
}

/** Gradients smaller than this (in magnitude) are flushed to 0 where they enter the policy's backward pass. */
export const TINY_GRADIENT = 1e-30;

/**
 * The identity, whose gradient is flushed to 0 where its magnitude is below {@link TINY_GRADIENT}. A saturated
 * loss (margins far in the flat tail of a kernel or of log σ) hands the network gradients of 1e-35 and less;
 * multiplied through the layers they become subnormal floats, which the CPU processes many times slower (the HMK
 * step was measured 16× DPO's on a policy trained to a loss near 0). AdamW turns such a gradient into an update
 * of about lr·g/ε ≈ 0 anyway, so flushing it changes no weight beyond rounding.
 *
 * @param x A tensor on the policy's path (its per-sequence log-probs).
 * @returns `x`, with the flushing gradient.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { flushTinyGradients } from "./tensor_losses.ts";
 * import assert from "node:assert/strict";
 * const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(flushTinyGradients(x), tf.tensor1d([1e-36, 2]))));
 * assert.deepEqual(Array.from(g(tf.tensor1d([0, 0])).dataSync()), [0, 2]);
 * ```
 */
export function flushTinyGradients<T extends tf.Tensor>(x: T): T {
  const flush = (input: tf.Tensor) => ({
    value: tf.clone(input),
    gradFunc: (dy: tf.Tensor) => tf.where(tf.less(tf.abs(dy), TINY_GRADIENT), tf.zerosLike(dy), dy),
  });
  // tf.customGrad's typing mixes tensors and the save function in one rest parameter.
  return tf.customGrad(flush as unknown as Parameters<typeof tf.customGrad>[0])(x) as T;
}

/**
 * The batch-mean DPO-Kernels loss as differentiable tensor ops. Call inside `tf.tidy` or a gradient function.
 *
 * @param batch Summed log-probs `[B]` (and embedding margins / token counts when needed).
 * @param options As for the core's `preferenceLoss`, plus `mixture`.
 * @returns The loss and the per-pair rewards, margins and scores.
 * @throws {RangeError} On bad options (named), or missing embedding margins, token counts or mixture weights.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { tensorPreferenceLoss } from "./tensor_losses.ts";
 * import assert from "node:assert/strict";
 * const zero = tf.zeros([2]) as tf.Tensor1D;
 * // policy = reference: every margin is 0, and DPO's loss −log σ(0) = ln 2
 * const { loss } = tensorPreferenceLoss({ policyChosen: zero, policyRejected: zero, referenceChosen: zero, referenceRejected: zero });
 * assert.ok(Math.abs((await loss.data())[0]! - Math.LN2) < 1e-6);
 * const better = tf.tensor1d([1, 1]);
 * const r = tensorPreferenceLoss({ policyChosen: better, policyRejected: zero, referenceChosen: zero, referenceRejected: zero }, { beta: 0.5 });
 * // −log σ(β·1) with β = ½
 * assert.ok(Math.abs((await r.loss.data())[0]! - Math.log1p(Math.exp(-0.5))) < 1e-6);
 * tf.dispose([zero, better]);
 * ```
 */
export function tensorPreferenceLoss(
  batch: TensorPreferenceBatch,
  options: TensorPreferenceLossOptions = {},
): TensorPreferenceResult {
  const { spec, beta, gamma, entropyWeight: eta, labelSmoothing: eps, sftWeight } = resolveLossOptions(
    options,
  );

  // r = β·φ(z), z = ℓ − ℓ_ref (per token for length-normalized losses, as TRL's IPO).
  const phi = scoreTensor(options.divergence ?? DEFAULT_DIVERGENCE, options);
  let zChosen: tf.Tensor = tf.sub(flushTinyGradients(batch.policyChosen), batch.referenceChosen);
  let zRejected: tf.Tensor = tf.sub(flushTinyGradients(batch.policyRejected), batch.referenceRejected);
  if (spec.lengthNormalized) {
    if (batch.chosenTokens === undefined || batch.rejectedTokens === undefined) {
      throw new RangeError(
        `batch.chosenTokens and batch.rejectedTokens are required for loss ${options.loss} (length-normalized)`,
      );
    }
    zChosen = tf.div(zChosen, batch.chosenTokens);
    zRejected = tf.div(zRejected, batch.rejectedTokens);
  }
  const rewardsChosen = tf.mul(beta, phi(zChosen)) as tf.Tensor1D;
  const rewardsRejected = tf.mul(beta, phi(zRejected)) as tf.Tensor1D;

  // Δ = r_w − r_l + γ·e.
  let margins = tf.sub(rewardsChosen, rewardsRejected) as tf.Tensor1D;
  if (gamma > 0) {
    if (batch.embeddingMargin === undefined) {
      throw new RangeError(`batch.embeddingMargin is required when options.gamma > 0 (got gamma ${gamma})`);
    }
    margins = tf.add(margins, tf.mul(gamma, batch.embeddingMargin)) as tf.Tensor1D;
  }

  // s = Δ·√G(Δ²), then the objective.
  const isMixture = spec.margin === "mixture" || spec.margin === "hmk";
  if (isMixture && options.mixture?.kind !== spec.margin) {
    throw new RangeError(`loss ${options.loss} needs options.mixture of kind ${spec.margin}`);
  }
  const weights = isMixture ? options.mixture!.weights() : undefined;
  let scores = margins;
  if (spec.margin !== "linear") {
    // Kernel shapes see |Δ| ≤ 1e6: every kernel is saturated (or polynomially huge) long before, and Δ² stays
    // inside float32.
    const clipped = tf.clipByValue(margins, -MARGIN_CLIP, MARGIN_CLIP);
    scores = tf.mul(
      clipped,
      tf.sqrt(profileFor(spec.margin, tf.square(clipped), options, weights)),
    ) as tf.Tensor1D;
  }
  let loss = tf.mean(OBJECTIVE_TENSORS[spec.objective](scores, beta, eps)) as tf.Scalar;

  if (sftWeight > 0) {
    if (batch.chosenTokens === undefined) {
      throw new RangeError(`batch.chosenTokens is required when options.sftWeight > 0`);
    }
    loss = tf.add(
      loss,
      tf.mul(sftWeight, tf.mean(tf.div(tf.neg(batch.policyChosen), batch.chosenTokens))),
    ) as tf.Scalar;
  }
  const result: TensorPreferenceResult = { loss, rewardsChosen, rewardsRejected, margins, scores };
  if (isMixture) {
    const entropy = options.mixture!.entropy();
    result.loss = tf.sub(loss, tf.mul(eta, entropy)) as tf.Scalar;
    result.weights = weights;
    result.entropy = entropy;
  }
  return result;
}
