/**
 * The trainable weights of the kernel mixtures as TensorFlow.js variables: the flat mixture's logits (one per
 * kernel of `MIXTURE_KERNELS`) or HMK's τ and λ logits, with the effective weights and the entropy bonus.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { MIXTURE_KERNELS, type MixtureKernelName } from "../kernels/mixture.ts";
import { describe } from "../math/validation.ts";

function entropyOf(p: tf.Tensor): tf.Scalar {
  return tf.neg(tf.sum(tf.mul(p, tf.log(tf.maximum(p, 1e-30))))) as tf.Scalar;
}

/** HMK's τ, λ_local (RBF, polynomial) and λ_global (spectral, Mahalanobis) in the metrics log. */
const HMK_NAMES = ["tau1", "tau2", "lambda_rbf", "lambda_poly", "lambda_spec", "lambda_maha"] as const;

/**
 * Trainable mixture weights: the flat mixture's four logits, or HMK's τ and λ logits. Owned variables:
 * call {@link MixtureParameters.dispose}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { MixtureParameters } from "./mixture_parameters.ts";
 * import assert from "node:assert/strict";
 * const hmk = new MixtureParameters("hmk", { tau: [0, 0], local: [Math.log(3), 0], global: [0, 0] });
 * // τ = (½, ½), λ_local = (¾, ¼): weights (polynomial, RBF, spectral, Mahalanobis) = (⅛, ⅜, ¼, ¼)
 * const w = (await hmk.weights().array()) as number[];
 * assert.ok([0.125, 0.375, 0.25, 0.25].every((x, i) => Math.abs(w[i]! - x) < 1e-6), String(w));
 * assert.equal(hmk.variables.size, 3);
 * tf.dispose(hmk.entropy());
 * hmk.dispose();
 * ```
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
      ? { logits: MIXTURE_KERNELS.length }
      : { tau: 2, local: 2, global: 2 };
    this.variables = new Map();
    for (const [name, size] of Object.entries(sizes)) {
      const values = init[name] ?? new Array(size).fill(0);
      if (values.length !== size || !values.every(Number.isFinite)) {
        throw new RangeError(`${kind} init.${name} must hold ${size} finite logits, got ${describe(values)}`);
      }
      this.variables.set(
        name,
        // the initial tensor is freed once the variable holds its data (tf.variable keeps it alive otherwise)
        tf.tidy(() => tf.variable(tf.tensor1d([...values]), true, `${kind}.${name}#${crypto.randomUUID()}`)),
      );
    }
  }

  #v(name: string): tf.Variable {
    return this.variables.get(name) as tf.Variable;
  }

  /** Effective weights `[4]` in the order of `MIXTURE_KERNELS` (polynomial, RBF, spectral, Mahalanobis). */
  weights(): tf.Tensor1D {
    if (this.kind === "mixture") return tf.softmax(this.#v("logits")) as tf.Tensor1D;
    const tau = tf.softmax(this.#v("tau"));
    const local = tf.softmax(this.#v("local")); // (RBF, polynomial)
    const global = tf.softmax(this.#v("global")); // (spectral, Mahalanobis)
    const t = tf.unstack(tau);
    const l = tf.unstack(local);
    const g = tf.unstack(global);
    const byKernel: Record<MixtureKernelName, tf.Tensor> = {
      rbf: tf.mul(t[0]!, l[0]!),
      polynomial: tf.mul(t[0]!, l[1]!),
      spectral: tf.mul(t[1]!, g[0]!),
      mahalanobis: tf.mul(t[1]!, g[1]!),
    };
    return tf.stack(MIXTURE_KERNELS.map((k) => byKernel[k])) as tf.Tensor1D;
  }

  /** The entropy bonus: H(λ) for the flat mixture, H(τ) + H(λ_local) + H(λ_global) for HMK. */
  entropy(): tf.Scalar {
    if (this.kind === "mixture") return entropyOf(tf.softmax(this.#v("logits")));
    return tf.addN(["tau", "local", "global"].map((n) => entropyOf(tf.softmax(this.#v(n))))) as tf.Scalar;
  }

  /**
   * The current weights as numbers, for the metrics log (τ and λ for HMK, λ for the flat mixture), in one host
   * read. It runs after the step's update (the weights the next step will use), so it cannot share the step's
   * read of the loss, which comes before the update it decides on.
   *
   * @returns `weight_<kernel>` per kernel of `MIXTURE_KERNELS`, and for HMK `tau1`, `tau2`, `lambda_rbf`,
   *   `lambda_poly`, `lambda_spec`, `lambda_maha`.
   * @example
   * ```ts
   * import { MixtureParameters } from "./mixture_parameters.ts";
   * import assert from "node:assert/strict";
   * const hmk = new MixtureParameters("hmk");
   * const s = hmk.snapshot();
   * assert.equal(s.tau1, 0.5);
   * assert.equal(s.weight_rbf, 0.25); // τ₁ · λ_rbf at zero logits
   * hmk.dispose();
   * ```
   */
  snapshot(): Record<string, number> {
    const names = [
      ...(this.kind === "hmk" ? HMK_NAMES : []),
      ...MIXTURE_KERNELS.map((k) => `weight_${k}`),
    ];
    const packed = tf.tidy(() =>
      tf.concat([
        ...(this.kind === "hmk" ? ["tau", "local", "global"].map((n) => tf.softmax(this.#v(n))) : []),
        this.weights(),
      ])
    );
    const values = packed.dataSync();
    packed.dispose();
    return Object.fromEntries(names.map((name, i) => [name, values[i] as number]));
  }

  /** Frees the variables. */
  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    this.variables.clear();
  }
}
