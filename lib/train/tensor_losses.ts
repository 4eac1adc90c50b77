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
import { MIXTURE_KERNELS } from "../kernels/mixture.ts";
import { polynomialDefaults } from "../kernels/polynomial.ts";
import { rbfDefaults } from "../kernels/rbf.ts";
import { spectralDefaults } from "../kernels/spectral.ts";
import type { NamedFGenerator } from "../divergences/f_divergence.ts";
import { EXPONENT_CLAMP, implicitGenerator } from "../losses/implicit_scores.ts";
import type { MarginShapeOptions } from "../losses/kernel_margin.ts";
import {
  type MarginKind,
  type PreferenceLossOptions,
  resolveLossOptions,
} from "../losses/preference_loss.ts";
import { assertPositive, describe } from "../math/validation.ts";

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

function entropyOf(p: tf.Tensor): tf.Scalar {
  return tf.neg(tf.sum(tf.mul(p, tf.log(tf.maximum(p, 1e-30))))) as tf.Scalar;
}

/**
 * Trainable mixture weights: the flat mixture's four logits, or HMK's τ and λ logits. Owned variables:
 * call {@link MixtureParameters.dispose}.
 */
export class MixtureParameters {
  /** `"mixture"` (flat) or `"hmk"`. */
  readonly kind: "mixture" | "hmk";
  /** The variables by name (`logits`, or `tau`, `local`, `global`). */
  readonly variables: Map<string, tf.Variable>;

  /**
   * Creates the logits as variables (zeros unless given).
   *
   * @param kind Flat mixture or HMK.
   * @param init Initial logits (default zeros): `{ logits: [4] }` or `{ tau: [2], local: [2], global: [2] }`.
   */
  constructor(kind: "mixture" | "hmk", init: Record<string, readonly number[]> = {}) {
    this.kind = kind;
    const sizes: Record<string, number> = kind === "mixture"
      ? { logits: 4 }
      : { tau: 2, local: 2, global: 2 };
    this.variables = new Map();
    for (const [name, size] of Object.entries(sizes)) {
      const values = init[name] ?? new Array(size).fill(0);
      if (values.length !== size || !values.every(Number.isFinite)) {
        throw new RangeError(`${kind} init.${name} must hold ${size} finite logits, got ${describe(values)}`);
      }
      this.variables.set(
        name,
        tf.variable(tf.tensor1d([...values]), true, `${kind}.${name}#${crypto.randomUUID()}`),
      );
    }
  }

  #v(name: string): tf.Variable {
    return this.variables.get(name) as tf.Variable;
  }

  /** Effective weights `[4]` in the order polynomial, RBF, spectral, Mahalanobis. */
  weights(): tf.Tensor1D {
    if (this.kind === "mixture") return tf.softmax(this.#v("logits")) as tf.Tensor1D;
    const tau = tf.softmax(this.#v("tau"));
    const local = tf.softmax(this.#v("local")); // (RBF, polynomial)
    const global = tf.softmax(this.#v("global")); // (spectral, Mahalanobis)
    const t = tf.unstack(tau);
    const l = tf.unstack(local);
    const g = tf.unstack(global);
    return tf.stack([
      tf.mul(t[0]!, l[1]!),
      tf.mul(t[0]!, l[0]!),
      tf.mul(t[1]!, g[0]!),
      tf.mul(t[1]!, g[1]!),
    ]) as tf.Tensor1D;
  }

  /** The entropy bonus: H(λ) for the flat mixture, H(τ) + H(λ_local) + H(λ_global) for HMK. */
  entropy(): tf.Scalar {
    if (this.kind === "mixture") return entropyOf(tf.softmax(this.#v("logits")));
    return tf.addN(["tau", "local", "global"].map((n) => entropyOf(tf.softmax(this.#v(n))))) as tf.Scalar;
  }

  /** The current weights as numbers, for the metrics log (τ and λ for HMK, λ for the flat mixture). */
  snapshot(): Record<string, number> {
    return tf.tidy(() => {
      const out: Record<string, number> = {};
      if (this.kind === "hmk") {
        const [t1, t2] = tf.softmax(this.#v("tau")).arraySync() as number[];
        const [l1, l2] = tf.softmax(this.#v("local")).arraySync() as number[];
        const [l3, l4] = tf.softmax(this.#v("global")).arraySync() as number[];
        Object.assign(out, {
          tau1: t1,
          tau2: t2,
          lambda_rbf: l1,
          lambda_poly: l2,
          lambda_spec: l3,
          lambda_maha: l4,
        });
      }
      const w = this.weights().arraySync() as number[];
      MIXTURE_KERNELS.forEach((k, i) => (out[`weight_${k}`] = w[i] as number));
      return out;
    });
  }

  /** Frees the variables. */
  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    this.variables.clear();
  }
}

// ---- margin profiles G(u) as tensor ops -------------------------------------------------------------------

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

/** G(u) per base kernel, as tensor ops (same formulas as lib/losses/kernel_margin.ts). */
const PROFILES: Readonly<Record<"polynomial" | "rbf" | "spectral" | "mahalanobis", Profile>> = {
  polynomial: (u, o) => {
    const { degree: d, offset: c } = polynomialDefaults(o.polynomial);
    if (d < 1) throw new RangeError(`options.degree must be >= 1 for a monotone margin, got ${d}`);
    assertPositive(c, "options.offset");
    const vMax = Math.pow(1e30, 1 / d) - 1; // keeps (1 + v)^d inside float32
    const v = tf.clipByValue(tf.div(u, c), 1e-7, vMax);
    return tf.div(tf.expm1(tf.mul(d, tf.log1p(v))), tf.mul(d, v));
  },
  rbf: (u, o) => rbfProfile(rbfDefaults(o.rbf).sigma)(u),
  mahalanobis: (u, o) => {
    const variance = o.mahalanobis?.variance ?? 1;
    assertPositive(variance, "options.variance");
    return rbfProfile(Math.sqrt(variance))(u);
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

function profileFor(kind: MarginKind, u: tf.Tensor, o: MarginShapeOptions, weights?: tf.Tensor1D): tf.Tensor {
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

// ---- implicit scores and objectives -----------------------------------------------------------------------

const clipExp = (x: tf.Tensor): tf.Tensor => tf.clipByValue(x, -EXPONENT_CLAMP, EXPONENT_CLAMP);

/**
 * f′(eᶻ) − f′(1) per generator family as tensor ops, the same closed forms as the generators'
 * `logDerivative` in lib/divergences/f_divergence.ts (exponents clipped at ±50 alike).
 */
const GENERATOR_SCORE_TENSORS: Readonly<Record<string, (z: tf.Tensor, g: NamedFGenerator) => tf.Tensor>> = {
  kl: (z) => z,
  "reverse-kl": (z) => tf.neg(tf.expm1(clipExp(tf.neg(z)))),
  js: (z) => tf.mul(0.5, tf.sub(Math.LN2, tf.softplus(tf.neg(z)))),
  hellinger: (z) => tf.mul(-0.5, tf.expm1(clipExp(tf.mul(z, -0.5)))),
  "chi-squared": (z) => tf.mul(2, tf.expm1(clipExp(z))),
  alpha: (z, g) => {
    const a = g.alpha as number;
    return tf.div(tf.expm1(clipExp(tf.mul(z, a - 1))), a - 1);
  },
};

function scoreTensor(divergence: string, o: PreferenceLossOptions): (z: tf.Tensor) => tf.Tensor {
  // Validates, and throws for Wasserstein/TV/χ² with the explicit-form hint.
  const g = implicitGenerator(divergence, o);
  const family = g.alpha !== undefined ? "alpha" : g.name;
  const fn = GENERATOR_SCORE_TENSORS[family];
  if (fn === undefined || g.logDerivative === undefined) {
    throw new RangeError(`divergence ${describe(divergence)} (generator ${g.name}) has no tensor score`);
  }
  const c = (o.unitSlope ?? true) ? g.logDerivative.curvatureAtOne : 1;
  return c === 1 ? (z) => fn(z, g) : (z) => tf.div(fn(z, g), c);
}

const OBJECTIVE_TENSORS: Readonly<
  Record<string, (s: tf.Tensor, beta: number, eps: number) => tf.Tensor>
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
 */
export function tensorPreferenceLoss(
  batch: TensorPreferenceBatch,
  options: TensorPreferenceLossOptions = {},
): TensorPreferenceResult {
  const { spec, beta, gamma, entropyWeight: eta, labelSmoothing: eps, sftWeight } = resolveLossOptions(
    options,
  );

  // r = β·φ(z), z = ℓ − ℓ_ref (per token for length-normalized losses, as TRL's IPO).
  const phi = scoreTensor(options.divergence ?? "kl", options);
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
  let loss = tf.mean(OBJECTIVE_TENSORS[spec.objective]!(scores, beta, eps)) as tf.Scalar;

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
