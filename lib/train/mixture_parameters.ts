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
        tf.variable(tf.tensor1d([...values]), true, `${kind}.${name}#${crypto.randomUUID()}`),
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
