/**
 * AdamW (Loshchilov & Hutter 2019) with global-norm gradient clipping and a warmup + cosine learning-rate
 * schedule. Written out rather than taken from `tf.train.adam` so that the learning rate can change every
 * step, weight decay is decoupled, and the state (moments and step count) is plain named tensors that a
 * checkpoint saves and a resumed run restores exactly.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertInRange, assertNonNegative, assertPositive } from "../math/validation.ts";
import { type AdamWStep, fusedAdamW } from "../model/fused_adamw.ts";

/** One parameter's update: new w, m, v from w, g, m, v. */
type AdamWUpdate = (
  w: tf.Tensor,
  g: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  step: AdamWStep,
) => [tf.Tensor, tf.Tensor, tf.Tensor];

/** The update as tfjs ops. */
const updateWithOps: AdamWUpdate = (w, g, m, v, c) => {
  const m2 = tf.add(tf.mul(m, c.beta1), tf.mul(g, 1 - c.beta1));
  const v2 = tf.add(tf.mul(v, c.beta2), tf.mul(tf.square(g), 1 - c.beta2));
  let next = tf.sub(w, tf.mul(tf.div(m2, tf.add(tf.sqrt(v2), c.epsilon)), c.stepSize));
  if (c.decay > 0) next = tf.sub(next, tf.mul(w, c.decay));
  return [next, m2, v2];
};

/** How each backend runs the update; backends not named use `default`. wasm-blas: one fused pass. */
const ADAMW_UPDATE: Readonly<Record<string, AdamWUpdate>> = Object.freeze({
  "wasm-blas": fusedAdamW,
  default: updateWithOps,
});

/** The schedule: linear warmup to the peak, then a cosine decay to `minRatio` × peak at `totalSteps`. */
export interface ScheduleOptions {
  /** Peak learning rate. */
  learningRate: number;
  /** Warmup steps (default 0). */
  warmupSteps?: number;
  /** The step at which the cosine reaches its floor. */
  totalSteps: number;
  /** Floor as a fraction of the peak (default 0.1). */
  minRatio?: number;
}

/**
 * The learning rate at a 0-based step.
 *
 * @param step The step.
 * @param options Peak, warmup, total steps and floor.
 * @returns The learning rate.
 * @example
 * ```ts
 * import { learningRateAt } from "@dpo-kernels/dpo-kernels/train";
 * import assert from "node:assert/strict";
 * assert.equal(learningRateAt(0, { learningRate: 1, warmupSteps: 4, totalSteps: 10 }), 0.25);
 * assert.equal(learningRateAt(10, { learningRate: 1, warmupSteps: 4, totalSteps: 10, minRatio: 0.1 }), 0.1);
 * ```
 */
export function learningRateAt(step: number, options: ScheduleOptions): number {
  const { learningRate: peak, totalSteps } = options;
  const warmup = options.warmupSteps ?? 0;
  const floor = peak * (options.minRatio ?? 0.1);
  if (step < warmup) return (peak * (step + 1)) / warmup;
  const span = Math.max(1, totalSteps - warmup);
  const progress = Math.min(1, (step - warmup) / span);
  return floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * progress));
}

/** AdamW's hyperparameters. */
export interface AdamWOptions {
  /** β₁ (default 0.9). */
  beta1?: number;
  /** β₂ (default 0.999). */
  beta2?: number;
  /** ε (default 1e-8). */
  epsilon?: number;
  /** Decoupled weight decay (default 0: Adam). Applied to matrices only, not to biases, LayerNorm or logits. */
  weightDecay?: number;
  /**
   * A learning-rate multiplier per variable, in the variables' order (default 1 each): the kernel-mixture logits
   * train with a larger rate than the network's weights.
   */
  learningRateScale?: readonly number[];
}

/**
 * AdamW over a fixed list of variables. Owns its moment tensors: call {@link AdamW.dispose}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { AdamW } from "./optimizer.ts";
 * import assert from "node:assert/strict";
 * const x = tf.variable(tf.tensor1d([1, -2]));
 * const adam = new AdamW([x]);
 * const grad = tf.tensor1d([0.5, -4]);
 * adam.apply([grad], 0.1);
 * // Adam's first step moves every coordinate by the learning rate against its gradient's sign: m̂/√v̂ = ±1
 * const after = (await x.array()) as number[];
 * assert.ok(Math.abs(after[0]! - 0.9) < 1e-6 && Math.abs(after[1]! + 1.9) < 1e-6, String(after));
 * assert.equal(adam.step, 1);
 * tf.dispose([x, grad]);
 * adam.dispose();
 * ```
 */
export class AdamW {
  readonly #vars: tf.Variable[];
  readonly #m: tf.Variable[];
  readonly #v: tf.Variable[];
  readonly #beta1: number;
  readonly #beta2: number;
  readonly #epsilon: number;
  readonly #weightDecay: number;
  readonly #scale: readonly number[];
  /** Updates applied so far. */
  step = 0;

  /**
   * Creates the moments (zeros) for the given variables.
   *
   * @param variables The parameters to update (their order is the state's order).
   * @param options β₁, β₂, ε, weight decay.
   */
  constructor(variables: readonly tf.Variable[], options: AdamWOptions = {}) {
    this.#beta1 = options.beta1 ?? 0.9;
    this.#beta2 = options.beta2 ?? 0.999;
    this.#epsilon = options.epsilon ?? 1e-8;
    this.#weightDecay = options.weightDecay ?? 0;
    assertInRange(this.#beta1, "beta1", 0, 1, { hi: true });
    assertInRange(this.#beta2, "beta2", 0, 1, { hi: true });
    assertPositive(this.#epsilon, "epsilon");
    assertNonNegative(this.#weightDecay, "weightDecay");
    this.#vars = [...variables];
    this.#scale = options.learningRateScale ?? this.#vars.map(() => 1);
    if (this.#scale.length !== this.#vars.length || !this.#scale.every((x) => x > 0 && Number.isFinite(x))) {
      throw new RangeError(
        `learningRateScale must hold ${this.#vars.length} finite numbers > 0, got ${this.#scale.length} values`,
      );
    }
    this.#m = this.#vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
    this.#v = this.#vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  }

  /**
   * One update with the given gradients (in the variables' order) and learning rate.
   *
   * @param grads One gradient per variable.
   * @param learningRate This step's learning rate.
   */
  apply(grads: readonly tf.Tensor[], learningRate: number): void {
    this.step += 1;
    const t = this.step;
    const b1 = this.#beta1;
    const b2 = this.#beta2;
    const stepSize = (learningRate * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    const update = ADAMW_UPDATE[tf.getBackend()] ?? (ADAMW_UPDATE.default as AdamWUpdate);
    tf.tidy(() => {
      this.#vars.forEach((w, i) => {
        const m = this.#m[i] as tf.Variable;
        const v = this.#v[i] as tf.Variable;
        const scale = this.#scale[i] as number;
        const [next, m2, v2] = update(w, grads[i] as tf.Tensor, m, v, {
          beta1: b1,
          beta2: b2,
          epsilon: this.#epsilon,
          stepSize: stepSize * scale,
          decay: this.#weightDecay > 0 && w.rank >= 2 ? learningRate * scale * this.#weightDecay : 0,
        });
        m.assign(m2);
        v.assign(v2);
        w.assign(next);
      });
    });
  }

  /** The state as named tensors (copies): `step`, then `m.i` and `v.i` per variable. */
  state(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>([["step", tf.scalar(this.step)]]);
    this.#m.forEach((m, i) => out.set(`m.${i}`, tf.clone(m)));
    this.#v.forEach((v, i) => out.set(`v.${i}`, tf.clone(v)));
    return out;
  }

  /**
   * Restores a state saved by {@link AdamW.state}.
   *
   * @param state The named tensors.
   * @throws {RangeError} If an entry is missing or has the wrong shape.
   */
  restore(state: ReadonlyMap<string, tf.Tensor>): void {
    const step = state.get("step");
    if (step === undefined) throw new RangeError("optimizer state lacks its step count");
    this.step = step.dataSync()[0] as number;
    for (const [prefix, slots] of [["m", this.#m], ["v", this.#v]] as const) {
      slots.forEach((slot, i) => {
        const value = state.get(`${prefix}.${i}`);
        if (value === undefined || value.shape.join() !== slot.shape.join()) {
          throw new RangeError(`optimizer state ${prefix}.${i} is missing or not of shape [${slot.shape}]`);
        }
        slot.assign(value);
      });
    }
  }

  /** Frees the moments. */
  dispose(): void {
    tf.dispose([...this.#m, ...this.#v]);
  }
}

/**
 * Scales gradients so that their global L2 norm is at most `maxNorm` (no-op where it already is).
 *
 * @param grads The gradients.
 * @param maxNorm The bound (Infinity: no clipping).
 * @returns The clipped gradients (new tensors) and the norm before clipping, as a scalar tensor.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { clipByGlobalNorm } from "./optimizer.ts";
 * import assert from "node:assert/strict";
 * const g = [tf.tensor1d([3]), tf.tensor1d([4])];
 * const { grads, norm } = clipByGlobalNorm(g, 1);
 * assert.equal(await norm.data().then((d) => d[0]), 5);
 * const clipped = await Promise.all(grads.map((t) => t.data().then((d) => d[0]!)));
 * assert.ok(Math.abs(clipped[0]! - 0.6) < 1e-6 && Math.abs(clipped[1]! - 0.8) < 1e-6);
 * tf.dispose([...g, ...grads, norm]);
 * ```
 */
export function clipByGlobalNorm(
  grads: readonly tf.Tensor[],
  maxNorm: number,
): { grads: tf.Tensor[]; norm: tf.Scalar } {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
    if (!Number.isFinite(maxNorm)) return { grads: grads.map((g) => tf.clone(g)), norm };
    const scale = tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6)));
    return { grads: grads.map((g) => tf.mul(g, scale)), norm };
  });
}
