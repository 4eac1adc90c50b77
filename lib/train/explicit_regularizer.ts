/**
 * The explicit divergence regularizer, the paper's literal objective (Sec. 4, Table 2): the mean, over
 * response tokens, of D(π_θ(·|x, y_<t) ‖ π_ref(·|x, y_<t)) between the full next-token distributions, added
 * to the preference loss with a weight. Every divergence of Table 2 is offered, computed in log space from the
 * two models' logits.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertInRange, assertInteger, assertPositive, describe } from "../math/validation.ts";
import { lookup } from "../math/lookup.ts";

/** Options of the explicit regularizer. */
export interface ExplicitRegularizerOptions {
  /** Rényi order α > 0, α ≠ 1 (default 0.5); also the α of the `f` generator `alpha`. */
  alpha?: number;
  /** With `f`: the generator (`kl`, `reverse-kl`, `js`, `hellinger`, `total-variation`, `chi-squared`, `alpha`). */
  f?: string;
  /** Wasserstein: how many tokens carry the transport, the top-k of (π + π_ref)/2 (default 16). */
  topK?: number;
  /** Wasserstein: the entropic regularization ε of Sinkhorn, in cost units (default 0.05). */
  epsilon?: number;
  /** Wasserstein: Sinkhorn iterations (default 50). */
  iterations?: number;
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
  const a = o.alpha ?? 0.5;
  assertPositive(a, "options.alpha");
  if (a === 1) throw new RangeError("options.alpha must not be 1 for the Rényi divergence (use kl)");
  return a;
}

/** f-generators in log space: D_f(p‖q) = Σ q f(p/q) with log p, log q given. */
const F_TENSORS: Readonly<Record<string, PerToken>> = {
  kl: (p, q) => kl(p, q),
  "reverse-kl": (p, q) => kl(q, p),
  js: (p, q) => js(p, q),
  hellinger: (p, q) => tf.sub(1, bhattacharyyaCoefficient(p, q)) as tf.Tensor1D, // H² = 1 − BC
  "total-variation": (p, q) => tf.mul(0.5, sumLast(tf.abs(tf.sub(tf.exp(p), tf.exp(q))))) as tf.Tensor1D,
  "chi-squared": (p, q) => tf.sub(sumLast(tf.exp(tf.sub(tf.mul(2, p), q))), 1) as tf.Tensor1D, // Σ p²/q − 1
  alpha: (p, q, o) => {
    // Amari: (Σ p^α q^{1−α} − 1)/(α(α − 1)), α ∉ {0, 1}.
    const a = o.alpha ?? 0.5;
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

/** Log-domain Sinkhorn between a and b `[M, k]` with cost C `[M, k, k]`: returns ⟨P, C⟩ `[M]`. */
function sinkhorn(
  logA: tf.Tensor2D,
  logB: tf.Tensor2D,
  cost: tf.Tensor3D,
  epsilon: number,
  iterations: number,
) {
  const logK = tf.div(tf.neg(cost), epsilon) as tf.Tensor3D; // [M, k, k]
  let f = tf.zerosLike(logA) as tf.Tensor2D; // dual potentials / ε
  let g = tf.zerosLike(logB) as tf.Tensor2D;
  for (let i = 0; i < iterations; i++) {
    f = tf.sub(logA, tf.logSumExp(tf.add(logK, tf.expandDims(g, 1)), 2)) as tf.Tensor2D;
    g = tf.sub(logB, tf.logSumExp(tf.add(logK, tf.expandDims(f, 2)), 1)) as tf.Tensor2D;
  }
  const logP = tf.add(tf.add(logK, tf.expandDims(f, 2)), tf.expandDims(g, 1));
  return tf.sum(tf.mul(tf.exp(logP), cost), [1, 2]) as tf.Tensor1D;
}

/** The per-token divergences, by name. */
export const EXPLICIT_DIVERGENCES: Readonly<Record<string, PerToken>> = Object.freeze({
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
    return lookup(F_TENSORS, o.f ?? "js", "options.f")(p, q, o);
  },
  wasserstein: (p: tf.Tensor2D, q: tf.Tensor2D, o: ExplicitRegularizerOptions) => {
    const emb = o.tokenEmbeddings;
    if (emb === undefined) {
      throw new RangeError("options.tokenEmbeddings is required for the Wasserstein regularizer");
    }
    const v = p.shape[1];
    const k = Math.min(o.topK ?? 16, v);
    assertInteger(k, "options.topK", 1);
    const epsilon = o.epsilon ?? 0.05;
    assertPositive(epsilon, "options.epsilon");
    const iterations = o.iterations ?? 50;
    assertInteger(iterations, "options.iterations", 1);
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
    return sinkhorn(restrict(p), restrict(q), cost, epsilon, iterations);
  },
});

/**
 * The explicit regularizer: mean over masked positions of D(π_θ ‖ π_ref) on the next-token distributions.
 *
 * @param policyLogits `[N, T, V]`.
 * @param referenceLogits `[N, T, V]` (no gradient flows into the frozen reference).
 * @param mask `[N, T]`, 1 on response positions.
 * @param divergence A key of {@link EXPLICIT_DIVERGENCES}.
 * @param options Rényi order, f generator, Wasserstein's support, ε, iterations and token embeddings.
 * @returns A scalar.
 * @throws {RangeError} For an unknown divergence or a bad option (named).
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

/** Checks the regularizer's weight. */
export function validateRegularizerWeight(weight: number): void {
  assertInRange(weight, "regularizerWeight", 0, Infinity);
}
