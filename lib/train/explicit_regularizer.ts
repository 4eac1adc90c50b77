/**
 * The explicit divergence regularizer, the paper's literal objective (Sec. 4, Table 2): the mean, over
 * response tokens, of D(π_θ(·|x, y_<t) ‖ π_ref(·|x, y_<t)) between the full next-token distributions, added
 * to the preference loss with a weight. Every divergence of Table 2 is offered, computed in log space from the
 * two models' logits.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { DEFAULT_RENYI_ALPHA } from "../divergences/renyi.ts";
import type { FGeneratorName } from "../divergences/f_divergence.ts";
import type { DivergenceName } from "../divergences/table.ts";
import { DEFAULT_IMPLICIT_F_GENERATOR } from "../losses/implicit_scores.ts";
import { assertInRange, assertInteger, assertPositive, describe } from "../math/validation.ts";
import { lookup } from "../math/lookup.ts";

/** Default support size k of the Wasserstein regularizer: the top-k tokens of the two distributions. */
export const DEFAULT_WASSERSTEIN_TOP_K = 16;
/** Default entropic ε of the Wasserstein regularizer (its cost 1 − cos lies in [0, 1]). */
export const DEFAULT_WASSERSTEIN_TENSOR_EPSILON = 0.05;
/** Default stopping tolerance of the Wasserstein regularizer's Sinkhorn: the L1 row-marginal error, per token. */
export const DEFAULT_SINKHORN_TENSOR_TOLERANCE = 1e-3;
/** Default cap on its Sinkhorn iterations. */
export const DEFAULT_SINKHORN_TENSOR_MAX_ITERATIONS = 200;
/** How often (in iterations) the tensor Sinkhorn reads its marginal error back to decide whether to stop. */
const SINKHORN_CHECK_EVERY = 10;
/** How many Sinkhorn iterations, warm-started at the converged potentials, the gradient flows through. */
const SINKHORN_DIFFERENTIABLE_ITERATIONS = 50;

/** Options of the explicit regularizer. */
export interface ExplicitRegularizerOptions {
  /** Rényi order α > 0, α ≠ 1 (default `DEFAULT_RENYI_ALPHA` = ¾); also the α of the `f` generator `alpha`. */
  alpha?: number;
  /**
   * With `f`: the generator (`kl`, `reverse-kl`, `js`, `hellinger`, `total-variation`, `chi-squared`, `alpha`;
   * default `reverse-kl`, as the implicit form).
   */
  f?: string;
  /** Wasserstein: how many tokens carry the transport, the top-k of (π + π_ref)/2 (default 16). */
  topK?: number;
  /** Wasserstein: the entropic regularization ε of Sinkhorn, in cost units (default 0.05). */
  epsilon?: number;
  /**
   * Wasserstein: the cap on Sinkhorn iterations (default {@link DEFAULT_SINKHORN_TENSOR_MAX_ITERATIONS}); the
   * iterations stop earlier once every token's L1 row-marginal error is below `tolerance`.
   */
  iterations?: number;
  /** Wasserstein: the L1 row-marginal error to reach (default {@link DEFAULT_SINKHORN_TENSOR_TOLERANCE}). */
  tolerance?: number;
  /**
   * Wasserstein: filled with the accuracy reached by the last call: the largest L1 row-marginal error over the
   * tokens, and the iterations run (the trainer logs the error as `sinkhorn/marginal_error`).
   */
  report?: { marginalError?: number; iterations?: number };
  /**
   * Wasserstein: the reference model's token embeddings `[V, D]`; the ground cost between tokens i and j is
   * 1 − cos(E_i, E_j). Required for `wasserstein`.
   */
  tokenEmbeddings?: tf.Tensor2D;
}

/** A per-token divergence: log-probabilities `[M, V]` of policy and reference → `[M]`. */
export type PerToken = (logP: tf.Tensor2D, logQ: tf.Tensor2D, o: ExplicitRegularizerOptions) => tf.Tensor1D;

const sumLast = (x: tf.Tensor): tf.Tensor1D => tf.sum(x, -1) as tf.Tensor1D;

function kl(logP: tf.Tensor2D, logQ: tf.Tensor2D): tf.Tensor1D {
  return sumLast(tf.mul(tf.exp(logP), tf.sub(logP, logQ)));
}

function js(logP: tf.Tensor2D, logQ: tf.Tensor2D): tf.Tensor1D {
  // log m = log((p + q)/2) = max(a, b) + log1p(e^{−|a − b|}) − ln 2, without a stacked log-sum-exp (slow on wasm).
  const logM = tf.sub(
    tf.add(tf.maximum(logP, logQ), tf.log1p(tf.exp(tf.neg(tf.abs(tf.sub(logP, logQ)))))),
    Math.LN2,
  ) as tf.Tensor2D;
  return tf.mul(0.5, tf.add(kl(logP, logM), kl(logQ, logM))) as tf.Tensor1D;
}

function bhattacharyyaCoefficient(logP: tf.Tensor2D, logQ: tf.Tensor2D): tf.Tensor1D {
  return sumLast(tf.exp(tf.mul(0.5, tf.add(logP, logQ))));
}

function renyiOrder(o: ExplicitRegularizerOptions): number {
  const a = o.alpha ?? DEFAULT_RENYI_ALPHA;
  assertPositive(a, "options.alpha");
  if (a === 1) throw new RangeError("options.alpha must not be 1 for the Rényi divergence (use kl)");
  return a;
}

/** f-generators in log space: D_f(p‖q) = Σ q f(p/q) with log p, log q given. */
const F_TENSORS: Readonly<{ [K in FGeneratorName]: PerToken }> = {
  kl: (p, q) => kl(p, q),
  "reverse-kl": (p, q) => kl(q, p),
  js: (p, q) => js(p, q),
  hellinger: (p, q) => tf.sub(1, bhattacharyyaCoefficient(p, q)) as tf.Tensor1D, // H² = 1 − BC
  "total-variation": (p, q) => tf.mul(0.5, sumLast(tf.abs(tf.sub(tf.exp(p), tf.exp(q))))) as tf.Tensor1D,
  "chi-squared": (p, q) => tf.sub(sumLast(tf.exp(tf.sub(tf.mul(2, p), q))), 1) as tf.Tensor1D, // Σ p²/q − 1
  alpha: (p, q, o) => {
    // Amari: (Σ p^α q^{1−α} − 1)/(α(α − 1)), α ∉ {0, 1}.
    const a = o.alpha ?? DEFAULT_RENYI_ALPHA;
    if (!(Number.isFinite(a) && a !== 0 && a !== 1)) {
      throw new RangeError(
        `options.alpha must be finite and not 0 or 1 for the alpha generator, got ${describe(a)}`,
      );
    }
    const s = sumLast(tf.exp(tf.add(tf.mul(a, p), tf.mul(1 - a, q))));
    return tf.div(tf.sub(s, 1), a * (a - 1)) as tf.Tensor1D;
  },
};

/** The f generators the explicit `f` regularizer accepts (`options.f`). */
export const EXPLICIT_F_GENERATORS: readonly string[] = Object.freeze(Object.keys(F_TENSORS));

/**
 * Runs `fn` with TensorFlow.js's gradient tape off, as tfjs itself does while a kernel runs (its engine records
 * no op while `kernelDepth` > 0): nothing computed inside is recorded or kept for backpropagation, so no
 * gradient flows through it.
 */
function offTape<T>(fn: () => T): T {
  const state = tf.engine().state;
  state.kernelDepth++;
  try {
    return fn();
  } finally {
    state.kernelDepth--;
  }
}

/**
 * Log-domain Sinkhorn between a and b `[M, k]` with cost C `[M, k, k]`, run until the largest L1 row-marginal
 * error Σⱼ|Σ_b P_jb − a_j| over the M problems is below `tolerance` (checked every few iterations) or
 * `maxIterations` is reached. The column marginals are exact after every update. Call inside `tf.tidy` (or a
 * gradient function) for the intermediate tensors.
 *
 * @param logA Log source marginals `[M, k]`.
 * @param logB Log target marginals `[M, k]`.
 * @param cost The ground costs `[M, k, k]`.
 * @param epsilon The entropic regularization ε > 0, in cost units.
 * @param tolerance The largest L1 row-marginal error accepted.
 * @param maxIterations The cap on iterations.
 * @returns ⟨P, C⟩ `[M]`, the achieved error (the largest over the M problems) and the iterations run.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { sinkhornTensor } from "./explicit_regularizer.ts";
 * import assert from "node:assert/strict";
 * // Half the mass moves one step: the cost tends to 0.5 as ε → 0.
 * const r = tf.tidy(() => {
 *   const out = sinkhornTensor(
 *     tf.log(tf.tensor2d([[0.5, 0.5]])) as tf.Tensor2D,
 *     tf.log(tf.tensor2d([[0.999999, 0.000001]])) as tf.Tensor2D,
 *     tf.tensor3d([[[0, 1], [1, 0]]]),
 *     0.01,
 *     1e-3,
 *     1000,
 *   );
 *   return { cost: out.cost.dataSync()[0]!, error: out.marginalError };
 * });
 * assert.ok(r.error < 1e-3 && Math.abs(r.cost - 0.5) < 1e-3);
 * ```
 */
export function sinkhornTensor(
  logA: tf.Tensor2D,
  logB: tf.Tensor2D,
  cost: tf.Tensor3D,
  epsilon: number,
  tolerance: number,
  maxIterations: number,
): { cost: tf.Tensor1D; marginalError: number; iterations: number } {
  const logK = tf.div(tf.neg(cost), epsilon) as tf.Tensor3D; // [M, k, k]
  // Converge off the gradient tape, one tidy scope per iteration: an unrolled loop of hundreds of iterations
  // would keep every [M, k, k] intermediate for backpropagation (gigabytes at a training batch's M). With the
  // tape on, tfjs keeps a copy of every op's saved tensors even inside tf.tidy, so the tape is switched off.
  const update = (a: tf.Tensor2D, b: tf.Tensor2D, k: tf.Tensor3D, gIn: tf.Tensor2D) => {
    const fOut = tf.sub(a, tf.logSumExp(tf.add(k, tf.expandDims(gIn, 1)), 2)) as tf.Tensor2D;
    const gOut = tf.sub(b, tf.logSumExp(tf.add(k, tf.expandDims(fOut, 2)), 1)) as tf.Tensor2D;
    return [fOut, gOut] as [tf.Tensor2D, tf.Tensor2D];
  };
  let f = tf.zerosLike(logA) as tf.Tensor2D; // dual potentials / ε
  let g = tf.zerosLike(logB) as tf.Tensor2D;
  let iterations = 0;
  let marginalError = Infinity;
  offTape(() => {
    // Row sums of the plan in the log domain, for the current f, g.
    const rowError = (): number =>
      tf.tidy(() => {
        const logRows = tf.logSumExp(tf.add(tf.add(logK, tf.expandDims(f, 2)), tf.expandDims(g, 1)), 2);
        return tf.max(tf.sum(tf.abs(tf.sub(tf.exp(logRows), tf.exp(logA))), -1)).dataSync()[0] as number;
      });
    while (iterations < maxIterations) {
      const [fNext, gNext] = tf.tidy(() => update(logA, logB, logK, g)) as [tf.Tensor2D, tf.Tensor2D];
      tf.dispose([f, g]);
      [f, g] = [fNext, gNext];
      iterations++;
      if (iterations % SINKHORN_CHECK_EVERY === 0 || iterations === maxIterations) {
        marginalError = rowError();
        if (marginalError < tolerance) break;
      }
    }
  });
  f.dispose();
  // The last iterations again on the tape, warm-started at the converged g: the same fixed point (so the same
  // value), and a gradient through the iterations that carries it (truncated unrolling; the error of the
  // truncation shrinks geometrically with the number of iterations).
  for (let i = 0; i < SINKHORN_DIFFERENTIABLE_ITERATIONS; i++) {
    const [fNext, gNext] = update(logA, logB, logK, g);
    [f, g] = [fNext, gNext];
  }
  const logP = tf.add(tf.add(logK, tf.expandDims(f, 2)), tf.expandDims(g, 1));
  return {
    cost: tf.sum(tf.mul(tf.exp(logP), cost), [1, 2]) as tf.Tensor1D,
    marginalError,
    iterations,
  };
}

/**
 * The per-token divergences, by name: typed by the core's divergence names (`DIVERGENCE_NAMES` of
 * lib/divergences/table.ts), so a divergence without its explicit tensor form does not compile.
 */
export const EXPLICIT_DIVERGENCES: Readonly<{ [K in DivergenceName]: PerToken }> = Object.freeze({
  kl: (p: tf.Tensor2D, q: tf.Tensor2D) => kl(p, q),
  js: (p: tf.Tensor2D, q: tf.Tensor2D) => js(p, q),
  hellinger: (p: tf.Tensor2D, q: tf.Tensor2D) =>
    tf.sqrt(tf.maximum(tf.sub(1, bhattacharyyaCoefficient(p, q)), 1e-12)) as tf.Tensor1D,
  renyi: (p: tf.Tensor2D, q: tf.Tensor2D, o: ExplicitRegularizerOptions) => {
    const a = renyiOrder(o);
    return tf.div(tf.logSumExp(tf.add(tf.mul(a, p), tf.mul(1 - a, q)), -1), a - 1) as tf.Tensor1D;
  },
  bhattacharyya: (p: tf.Tensor2D, q: tf.Tensor2D) =>
    tf.neg(tf.logSumExp(tf.mul(0.5, tf.add(p, q)), -1)) as tf.Tensor1D,
  f: (p: tf.Tensor2D, q: tf.Tensor2D, o: ExplicitRegularizerOptions) => {
    return lookup(F_TENSORS, o.f ?? DEFAULT_IMPLICIT_F_GENERATOR, "options.f")(p, q, o);
  },
  wasserstein: (p: tf.Tensor2D, q: tf.Tensor2D, o: ExplicitRegularizerOptions) => {
    const emb = o.tokenEmbeddings;
    if (emb === undefined) {
      throw new RangeError("options.tokenEmbeddings is required for the Wasserstein regularizer");
    }
    const v = p.shape[1];
    const k = Math.min(o.topK ?? DEFAULT_WASSERSTEIN_TOP_K, v);
    assertInteger(k, "options.topK", 1);
    const epsilon = o.epsilon ?? DEFAULT_WASSERSTEIN_TENSOR_EPSILON;
    assertPositive(epsilon, "options.epsilon");
    const iterations = o.iterations ?? DEFAULT_SINKHORN_TENSOR_MAX_ITERATIONS;
    assertInteger(iterations, "options.iterations", 1);
    const tolerance = o.tolerance ?? DEFAULT_SINKHORN_TENSOR_TOLERANCE;
    assertPositive(tolerance, "options.tolerance");
    // The support: the top-k tokens of the average distribution (an index choice, no gradient).
    // The support is an index choice with no gradient. tfjs would try to differentiate TopK (and has no
    // gradient for it) on any path from the policy, so the indices are read back and re-created off the tape.
    const top = tf.topk(tf.add(tf.exp(p), tf.exp(q)), k).indices;
    const indices = tf.tensor2d(top.dataSync(), top.shape as [number, number], "int32"); // [M, k]
    const pick = tf.cast(tf.oneHot(indices, v), "float32") as tf.Tensor3D; // [M, k, V]
    const restrict = (logX: tf.Tensor2D) => {
      const mass = tf.sum(tf.mul(pick, tf.expandDims(tf.exp(logX), 1)), -1); // [M, k]
      const m = tf.maximum(mass, 1e-30);
      return tf.sub(tf.log(m), tf.log(tf.sum(m, -1, true))) as tf.Tensor2D; // renormalized, log
    };
    const unit = tf.div(emb, tf.maximum(tf.norm(emb, "euclidean", -1, true), 1e-12)) as tf.Tensor2D;
    const e = tf.matMul(tf.reshape(pick, [-1, v]), unit); // [M·k, D]
    const er = tf.reshape(e, [p.shape[0], k, -1]) as tf.Tensor3D;
    const cost = tf.relu(tf.sub(1, tf.matMul(er, er, false, true))) as tf.Tensor3D; // 1 − cos, [M, k, k]
    const r = sinkhornTensor(restrict(p), restrict(q), cost, epsilon, tolerance, iterations);
    if (o.report !== undefined) {
      o.report.marginalError = r.marginalError;
      o.report.iterations = r.iterations;
    }
    return r.cost;
  },
});

/**
 * The explicit regularizer: mean over masked positions of D(π_θ ‖ π_ref) on the next-token distributions.
 *
 * @param policyLogits `[N, T, V]`.
 * @param referenceLogits `[N, T, V]` (no gradient flows into the frozen reference).
 * @param mask `[N, T]`, 1 on response positions.
 * @param divergence A key of {@link EXPLICIT_DIVERGENCES}.
 * @param options Rényi order, f generator, Wasserstein's support, ε, tolerance, iteration cap, token embeddings
 * and the `report` the Wasserstein form fills with the Sinkhorn accuracy reached.
 * @returns A scalar.
 * @throws {RangeError} For an unknown divergence or a bad option (named).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { explicitRegularizer } from "./explicit_regularizer.ts";
 * import assert from "node:assert/strict";
 * const policy = tf.tensor3d([[[0, 0], [Math.log(3), 0]]]);
 * const reference = tf.tensor3d([[[0, 0], [0, 0]]]);
 * const mask = tf.tensor2d([[0, 1]]);
 * // the masked position only: KL((¾, ¼) ‖ (½, ½)) = ¾ ln 1.5 + ¼ ln 0.5
 * const kl = (await explicitRegularizer(policy, reference, mask, "kl").data())[0]!;
 * assert.ok(Math.abs(kl - (0.75 * Math.log(1.5) + 0.25 * Math.log(0.5))) < 1e-6, String(kl));
 * assert.equal((await explicitRegularizer(reference, reference, mask, "kl").data())[0], 0);
 * tf.dispose([policy, reference, mask]);
 * ```
 */
export function explicitRegularizer(
  policyLogits: tf.Tensor3D,
  referenceLogits: tf.Tensor3D,
  mask: tf.Tensor2D,
  divergence: string,
  options: ExplicitRegularizerOptions = {},
): tf.Scalar {
  const per = lookup(EXPLICIT_DIVERGENCES, divergence, "divergence");
  const [n, t, v] = policyLogits.shape;
  const logP = tf.reshape(tf.logSoftmax(policyLogits, -1), [n * t, v]) as tf.Tensor2D;
  const logQ = tf.reshape(tf.logSoftmax(referenceLogits, -1), [n * t, v]) as tf.Tensor2D;
  const d = tf.reshape(per(logP, logQ, options), [n, t]);
  const m = tf.cast(mask, "float32");
  return tf.div(tf.sum(tf.mul(d, m)), tf.maximum(tf.sum(m), 1)) as tf.Scalar;
}

/**
 * Checks the regularizer's weight.
 *
 * @example
 * ```ts
 * import { validateRegularizerWeight } from "./explicit_regularizer.ts";
 * import assert from "node:assert/strict";
 * validateRegularizerWeight(0.1);
 * assert.throws(() => validateRegularizerWeight(-1), /regularizerWeight must lie in \[0, Infinity\], got -1/);
 * ```
 */
export function validateRegularizerWeight(weight: number): void {
  assertInRange(weight, "regularizerWeight", 0, Infinity);
}
