/**
 * Tensor ops the GPT is built from, written so that every backend trains fast and alike.
 *
 * The wasm backend (the fast CPU path in Deno) is fast only for a few kernels: a plain 2-D matMul (XNNPACK),
 * depthwise convolution (XNNPACK), element-wise ops and reductions over the last axis. Everything else is
 * slow there: matMul with a transpose flag or with batch dimensions (a scalar loop, 4–10× slower), Tanh and
 * Pow (scalar libm), reductions over a leading axis, transposes (worse above rank 3), and the gather
 * gradient (needs UnsortedSegmentSum, which wasm lacks). So every op here has a hand-written gradient built
 * from the fast kernels:
 *
 * - matMul / linear: only plain 2-D matMuls; of the two ways to form aᵀ·g, the one transposing fewer elements;
 *   bias gradients as a ones-row matMul instead of a leading-axis sum.
 * - embedding: one-hot·table, with no gradient computed for the one-hot.
 * - LayerNorm, GELU (as x·σ(2u), the same function as ½x(1 + tanh u)) and the target log-probs: closed-form
 *   gradients instead of autodiff graphs.
 * - attention: a batched matMul over (batch, head) groups, done on wasm as a depthwise convolution (on
 *   wasm-blas as strided BLAS calls on the fused projection, attention_blas.ts), with the activations kept
 *   time-major ([T, B, D]) so that the heads need no split or merge transposes.
 * - on wasm-blas, whose matMul takes transpose flags at no cost, gradients use the flags instead of explicit
 *   transposes.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { WASM_BLAS } from "./blas_kernels.ts";
import { customOp } from "./custom_op.ts";

export { causalSelfAttention } from "./attention.ts";

/** Sums a gradient over the leading dimensions a broadcast operand did not have. */
function unbroadcast(grad: tf.Tensor, shape: number[]): tf.Tensor {
  if (grad.rank === shape.length) return grad;
  const extra = grad.rank - shape.length;
  return tf.sum(grad, Array.from({ length: extra }, (_, i) => i));
}

/**
 * aᵀ·g for 2-D a `[M, K]` and g `[M, N]`, with plain matMuls. wasm's matMul packs its right operand afresh
 * for every new tensor (about twice the cost of transposing it), so the larger of a and g is transposed and
 * the smaller packed: transpose(a)·g when K(M + N) ≥ MN, else (transpose(g)·a)ᵀ. Also returns gᵀ when it
 * was formed, for a bias gradient.
 */
function transposeAMatMulWith(a: tf.Tensor2D, g: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D | undefined] {
  const [m, k] = a.shape;
  const n = g.shape[1];
  if (k * (m + n) >= m * n) return [tf.matMul(transpose2d(a), g), undefined];
  const gt = transpose2d(g);
  return [transpose2d(tf.matMul(gt, a)), gt];
}

/**
 * xᵀ for a 2-D x `[M, N]`. wasm's 2-D Transpose is slow for tall matrices (2–4× slower than its 3-D one on the
 * same data), so a tall x is transposed as `[16, M/16, N]` → `[N, 16, M/16]`, which is the same permutation.
 */
function transpose2d(x: tf.Tensor2D): tf.Tensor2D {
  const [m, n] = x.shape;
  if (m <= n || m % 16 !== 0 || m < 256) return tf.transpose(x);
  return tf.reshape(tf.transpose(tf.reshape(x, [16, m / 16, n]), [2, 0, 1]), [n, m]);
}

/** Column sums of a 2-D g `[M, N]` → `[N]`, as last-axis sums of gᵀ (a leading-axis Sum is slow on wasm). */
function columnSum(g: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(transpose2d(g), -1);
}

const lastDim = (x: tf.Tensor): number => x.shape[x.rank - 1] as number;

/** The transposed products of a linear layer's gradient and the column sums of a bias gradient. */
interface DenseGrad {
  /** g·bᵀ for g `[M, N]`, b `[K, N]`. */
  gTimesBt(g: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D;
  /** aᵀ·g for a `[M, K]`, g `[M, N]`, and the column sums of g `[N]`. */
  aTTimesG(a: tf.Tensor2D, g: tf.Tensor2D): [tf.Tensor2D, tf.Tensor1D];
  /** Column sums of g `[M, N]` → `[N]`. */
  columnSum(g: tf.Tensor2D): tf.Tensor1D;
}

/** Plain 2-D matMuls and explicit transposes (fast on wasm, whose transposed matMul is a scalar loop). */
const explicitTransposes: DenseGrad = {
  gTimesBt: (g, b) => tf.matMul(g, tf.transpose(b)),
  aTTimesG: (a, g) => {
    const [dw, gt] = transposeAMatMulWith(a, g);
    return [dw, gt === undefined ? columnSum(g) : tf.sum(gt, -1)];
  },
  columnSum: (g) => columnSum(g),
};

/** BLAS transpose flags, and column sums as a ones-row product (no Transpose kernels at all). */
const transposeFlags: DenseGrad = {
  gTimesBt: (g, b) => tf.matMul(g, b, false, true),
  aTTimesG: (a, g) => [tf.matMul(a, g, true, false), transposeFlags.columnSum(g)],
  columnSum: (g) => tf.reshape(tf.matMul(tf.ones([1, g.shape[0]]), g), [-1]) as tf.Tensor1D,
};

/** How each backend forms the gradients' transposed products; backends not named use `default`. */
const DENSE_GRAD: Readonly<Record<string, DenseGrad>> = Object.freeze({
  [WASM_BLAS]: transposeFlags,
  default: explicitTransposes,
});

const denseGrad = (): DenseGrad => DENSE_GRAD[tf.getBackend()] ?? (DENSE_GRAD.default as DenseGrad);

/**
 * a·b for a of rank ≥ 2 and b of rank 2 or of a's rank, with a gradient built from explicit transposes and
 * plain matMuls only: ∂a = g·bᵀ, ∂b = aᵀ·g.
 *
 * @param a `[..., m, k]`.
 * @param b `[k, n]` or `[..., k, n]`.
 * @returns `[..., m, n]`.
 */
export const matMul: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor = customOp<[tf.Tensor, tf.Tensor]>(
  (a, b, save) => {
    save([a, b]);
    const value = b.rank === 2 && a.rank > 2
      ? tf.reshape(tf.matMul(tf.reshape(a, [-1, lastDim(a)]), b), [
        ...a.shape.slice(0, -1),
        b.shape[1] as number,
      ])
      : tf.matMul(a, b);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sa, sb] = saved as [tf.Tensor, tf.Tensor];
        if (sb.rank === 2) {
          const a2 = tf.reshape(sa, [-1, lastDim(sa)]) as tf.Tensor2D;
          const g2 = tf.reshape(dy, [-1, lastDim(sb)]) as tf.Tensor2D;
          const dense = denseGrad();
          return [tf.reshape(dense.gTimesBt(g2, sb as tf.Tensor2D), sa.shape), dense.aTTimesG(a2, g2)[0]];
        }
        // Batched: every backend's batched matMul takes transpose flags at no extra cost (wasm runs it as the
        // same scalar loop either way), so no explicit transposes here.
        return [tf.matMul(dy, sb, false, true), unbroadcast(tf.matMul(sa, dy, true, false), sb.shape)];
      },
    };
  },
);

const linearWithBias = customOp<[tf.Tensor, tf.Tensor, tf.Tensor]>((x, w, b, save) => {
  const x2 = tf.reshape(x, [-1, lastDim(x)]) as tf.Tensor2D;
  save([x2, w]);
  const n = w.shape[1] as number;
  // The bias rides in the matMul (XNNPACK adds it in the same pass on wasm).
  const value = tf.reshape(tf.fused.matMul({ a: x2, b: w as tf.Tensor2D, bias: b }), [
    ...x.shape.slice(0, -1),
    n,
  ]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      const g2 = tf.reshape(dy, [-1, n]) as tf.Tensor2D;
      const dense = denseGrad();
      const [dw, db] = dense.aTTimesG(sx, g2);
      return [tf.reshape(dense.gTimesBt(g2, sw), x.shape), dw, db];
    },
  };
});

/**
 * Linear layer x·W + b with W `[in, out]` (GPT-2's Conv1D layout); x of any rank ≥ 2.
 *
 * @param x `[..., in]`.
 * @param w `[in, out]`.
 * @param b `[out]`, optional.
 * @returns `[..., out]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { linear } from "./ops.ts";
 * import assert from "node:assert/strict";
 * const y = linear(tf.tensor2d([[1, 2]]), tf.tensor2d([[1, 0], [0, 2]]), tf.tensor1d([1, 1]));
 * assert.deepEqual(await y.array(), [[2, 5]]); // [1·1 + 1, 2·2 + 1]
 * y.dispose();
 * ```
 */
export function linear(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  return b === undefined ? matMul(x, w) : linearWithBias(x, w, b);
}

/**
 * LayerNorm over the last axis: (x − mean)/√(var + ε)·γ + β, with the closed-form gradient
 * ∂x = (ĝ − mean(ĝ) − x̂·mean(ĝ·x̂))/√(var + ε) where ĝ = g·γ, ∂γ = Σ g·x̂, ∂β = Σ g.
 *
 * @param x `[..., D]`.
 * @param gamma `[D]`.
 * @param beta `[D]`.
 * @param epsilon Added to the variance.
 * @returns `[..., D]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { layerNorm } from "./ops.ts";
 * import assert from "node:assert/strict";
 * const [x, gamma, beta] = [tf.tensor2d([[1, 3]]), tf.tensor1d([1, 2]), tf.tensor1d([0, 0.5])];
 * const y = (await layerNorm(x, gamma, beta, 1e-12).array()) as number[][];
 * // mean 2, variance 1: x̂ = [−1, 1], then γ·x̂ + β
 * assert.ok(Math.abs(y[0]![0]! + 1) < 1e-5 && Math.abs(y[0]![1]! - 2.5) < 1e-5);
 * tf.dispose([x, gamma, beta]);
 * ```
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const d = lastDim(x);
  const op = customOp<[tf.Tensor, tf.Tensor, tf.Tensor]>((xi, g, b, save) => {
    const x2 = tf.reshape(xi, [-1, d]);
    const centered = tf.sub(x2, tf.mean(x2, -1, true));
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centered), -1, true), epsilon)); // [N, 1]
    const xhat = tf.mul(centered, rstd); // [N, D]
    save([xhat, rstd, g]);
    return {
      value: tf.reshape(tf.add(tf.mul(xhat, g), b), xi.shape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sxhat, srstd, sg] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
        const g2 = tf.reshape(dy, [-1, d]) as tf.Tensor2D;
        const gh = tf.mul(g2, sg);
        const dx = tf.mul(
          tf.sub(tf.sub(gh, tf.mean(gh, -1, true)), tf.mul(sxhat, tf.mean(tf.mul(gh, sxhat), -1, true))),
          srstd,
        );
        const dense = denseGrad();
        return [
          tf.reshape(dx, xi.shape),
          dense.columnSum(tf.mul(g2, sxhat) as tf.Tensor2D),
          dense.columnSum(g2),
        ];
      },
    };
  });
  return op(x, gamma, beta);
}

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/**
 * GELU, tanh approximation (GPT-2's): ½x(1 + tanh(√(2/π)(x + 0.044715x³))), computed as the identical
 * x·σ(2u) (σ is fast on wasm, tanh and pow are not), with the closed-form gradient
 * σ + x·σ(1 − σ)·2√(2/π)(1 + 3·0.044715x²).
 *
 * @param x Any shape.
 * @returns The same shape.
 */
export const gelu: (x: tf.Tensor) => tf.Tensor = customOp<[tf.Tensor]>((x, save) => {
  const x2 = tf.square(x);
  const s = tf.sigmoid(tf.mul(x, tf.add(tf.mul(x2, 2 * GELU_C * GELU_A), 2 * GELU_C))); // σ(2u)
  const y = tf.mul(x, s);
  save([x2, s, y]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx2, ss, sy] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const du = tf.add(tf.mul(sx2, 3 * GELU_A * 2 * GELU_C), 2 * GELU_C); // 2·du/dx
      const ds = tf.mul(tf.mul(sy, tf.sub(1, ss)), du); // x·σ(1 − σ)·2u′, with x·σ = y
      return tf.mul(dy, tf.add(ss, ds));
    },
  };
});

/**
 * Embedding lookup as oneHot(ids)·table (the fastest lookup on wasm, whose GatherV2 is slow and whose gather
 * gradient needs the missing UnsortedSegmentSum); the gradient goes to the table only, as a ScatterNd that
 * sums the rows of repeated ids. ids `[...]` → `[..., D]`.
 *
 * @param ids Token ids, int32, any shape.
 * @param table `[V, D]`.
 * @returns `[...ids.shape, D]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { embed } from "./ops.ts";
 * import assert from "node:assert/strict";
 * const table = tf.tensor2d([[0, 0], [1, 2], [3, 4]]);
 * const rows = embed(tf.tensor2d([[2, 1]], undefined, "int32"), table);
 * assert.deepEqual(await rows.array(), [[[3, 4], [1, 2]]]);
 * tf.dispose([table, rows]);
 * ```
 */
export function embed<R extends tf.Rank>(ids: tf.Tensor, table: tf.Tensor2D): tf.Tensor<R> {
  const [v, d] = table.shape;
  const op = customOp<[tf.Tensor]>((t, save) => {
    const flat = tf.reshape(ids, [-1, 1]); // [N, 1]
    save([flat]);
    const oneHot = tf.cast(tf.oneHot(tf.reshape(flat, [-1]), v), "float32") as tf.Tensor2D; // [N, V]
    return {
      value: tf.reshape(tf.matMul(oneHot, t as tf.Tensor2D), [...ids.shape, d]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.scatterND(saved[0] as tf.Tensor, tf.reshape(dy, [-1, d]), [v, d]),
    };
  });
  return op(table) as tf.Tensor<R>;
}

/**
 * log p(target) per position: logit[target] − logsumexp(logits), picked by a one-hot product (no gather
 * gradient), with the gradient g·(oneHot − softmax). logits `[..., V]`, targets `[...]` → `[...]`.
 *
 * @param logits `[B, T, V]`.
 * @param targets `[B, T]`, int32.
 * @returns `[B, T]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { tokenLogProbs } from "./ops.ts";
 * import assert from "node:assert/strict";
 * const logits = tf.tensor3d([[[0, 0], [0, Math.log(3)]]]);
 * const lp = (await tokenLogProbs(logits, tf.tensor2d([[1, 1]], undefined, "int32")).array()) as number[][];
 * assert.ok(Math.abs(lp[0]![0]! - Math.log(0.5)) < 1e-6 && Math.abs(lp[0]![1]! - Math.log(0.75)) < 1e-6);
 * logits.dispose();
 * ```
 */
export function tokenLogProbs(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Tensor2D {
  const v = logits.shape[2];
  const op = customOp<[tf.Tensor]>((l, save) => {
    const l2 = tf.reshape(l, [-1, v]);
    const oneHot = tf.cast(tf.oneHot(tf.reshape(targets, [-1]), v), "float32");
    const lse = tf.logSumExp(l2, -1, true); // [N, 1]
    save([l2, lse, oneHot]);
    return {
      value: tf.reshape(tf.sub(tf.sum(tf.mul(l2, oneHot), -1, true), lse), targets.shape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sl, slse, soh] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const g = tf.reshape(dy, [-1, 1]);
        return tf.reshape(tf.mul(tf.sub(soh, tf.exp(tf.sub(sl, slse))), g), logits.shape);
      },
    };
  });
  return op(logits) as tf.Tensor2D;
}
