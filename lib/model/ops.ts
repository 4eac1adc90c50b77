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
import { stridedSelfAttention } from "./attention_blas.ts";

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

/** The body of a custom-gradient op: its value and its gradient with respect to each input. */
interface GradBody {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

/** tf.customGrad with tensor arguments typed (its own typing takes a rest parameter mixing tensors and save). */
function customOp<A extends tf.Tensor[]>(
  f: (...args: [...A, tf.GradSaveFunc]) => GradBody,
): (...args: A) => tf.Tensor {
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
    ...args: A
  ) => tf.Tensor;
}

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

/**
 * A batched product over G groups in the layouts attention needs: x `[N, K, G]`, f `[K, G, M]` →
 * `[N, G, M]` with out[n, g, m] = Σ_k x[n, k, g]·f[k, g, m].
 */
type GroupMatMul = (x: tf.Tensor3D, f: tf.Tensor3D) => tf.Tensor3D;

/** As a depthwise convolution (channels = groups, channel multiplier M, a K×1 valid window): XNNPACK on wasm. */
const groupMatMulConv: GroupMatMul = (x, f) => {
  const [n, k, g] = x.shape;
  const m = f.shape[2];
  const out = tf.depthwiseConv2d(
    tf.reshape(x, [n, k, 1, g]) as tf.Tensor4D,
    tf.reshape(f, [k, 1, g, m]) as tf.Tensor4D,
    1,
    "valid",
  );
  return tf.reshape(out, [n, g, m]);
};

/** As a batched matMul with the group axis first. */
const groupMatMulBatched: GroupMatMul = (x, f) =>
  tf.transpose(tf.matMul(tf.transpose(x, [2, 0, 1]), tf.transpose(f, [1, 0, 2])), [1, 0, 2]);

/** How each backend runs the grouped products of attention; backends not named use `default`. */
const GROUP_MATMUL: Readonly<Record<string, GroupMatMul>> = Object.freeze({
  wasm: groupMatMulConv,
  default: groupMatMulBatched,
});

/**
 * Backends with an attention of their own (same math and gradient): on wasm-blas, strided BLAS calls straight
 * on the fused projection, with no slices, transposes or concatenation.
 */
const ATTENTION: Readonly<
  Record<string, (qkv: tf.Tensor3D, heads: number, mask: tf.Tensor2D) => tf.Tensor3D>
> = Object.freeze({ [WASM_BLAS]: stridedSelfAttention });

/**
 * Causal multi-head self-attention on time-major activations, from the fused q|k|v projection to the merged
 * heads (before the output projection), with a closed-form gradient:
 * S = q·kᵀ/√d_h + mask, P = softmax(S), O = P·v;
 * ∂v = Pᵀ·∂O, ∂P = ∂O·vᵀ, ∂S = P ⊙ (∂P − Σ_j ∂P ⊙ P), ∂q = ∂S·k/√d_h, ∂k = ∂Sᵀ·q/√d_h.
 * Time-major [T, B, D] rows put each (batch, head) group's d_h columns side by side, so q, k and v are
 * slices and the merged output needs no transpose.
 *
 * @param qkv `[T, B, 3D]`: q, k, v side by side, each with the heads side by side.
 * @param heads Number of heads H (divides D).
 * @param mask `[T, T]`, added to the scores (−1e9 above the diagonal).
 * @returns `[T, B, D]`.
 */
export function causalSelfAttention(qkv: tf.Tensor3D, heads: number, mask: tf.Tensor2D): tf.Tensor3D {
  const own = ATTENTION[tf.getBackend()];
  if (own !== undefined) return own(qkv, heads, mask);
  const [t, b, d3] = qkv.shape;
  const d = d3 / 3;
  const dh = d / heads;
  const g = b * heads;
  const scale = 1 / Math.sqrt(dh);
  const gmm = GROUP_MATMUL[tf.getBackend()] ?? (GROUP_MATMUL.default as GroupMatMul);
  const mask3 = tf.reshape(mask, [t, 1, t]);
  const op = customOp<[tf.Tensor]>((x, save) => {
    // [T, G, dh] each, G = B·H groups; q pre-scaled.
    const q = tf.reshape(tf.mul(tf.slice(x, [0, 0, 0], [t, b, d]), scale), [t, g, dh]) as tf.Tensor3D;
    const k = tf.reshape(tf.slice(x, [0, 0, d], [t, b, d]), [t, g, dh]) as tf.Tensor3D;
    const v = tf.reshape(tf.slice(x, [0, 0, 2 * d], [t, b, d]), [t, g, dh]) as tf.Tensor3D;
    // S[i, g, j] = Σ_c q[i, g, c]·k[j, g, c]: x = q as [i, c, g], f = k as [c, g, j].
    const scores = tf.add(gmm(tf.transpose(q, [0, 2, 1]), tf.transpose(k, [2, 1, 0])), mask3); // [T, G, T]
    const p = tf.softmax(scores, -1) as tf.Tensor3D; // [i, g, j]
    // O[i, g, c] = Σ_j P[i, g, j]·v[j, g, c]: x = P as [i, j, g], f = v.
    const out = gmm(tf.transpose(p, [0, 2, 1]), v); // [T, G, dh]
    save([q, k, v, p]);
    return {
      value: tf.reshape(out, [t, b, d]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sq, sk, sv, sp] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
        const dOut = tf.reshape(dy, [t, g, dh]) as tf.Tensor3D;
        // ∂P[i, g, j] = Σ_c ∂O[i, g, c]·v[j, g, c].
        const dp = gmm(tf.transpose(dOut, [0, 2, 1]), tf.transpose(sv, [2, 1, 0]));
        const ds = tf.mul(sp, tf.sub(dp, tf.sum(tf.mul(dp, sp), -1, true))) as tf.Tensor3D; // [i, g, j]
        // ∂q[i, g, c] = Σ_j ∂S[i, g, j]·k[j, g, c] (·scale); ∂k[j, g, c] = Σ_i ∂S[i, g, j]·q[i, g, c] (q is
        // pre-scaled); ∂v[j, g, c] = Σ_i P[i, g, j]·∂O[i, g, c].
        const dq = tf.mul(gmm(tf.transpose(ds, [0, 2, 1]), sk), scale);
        const dk = gmm(tf.transpose(ds, [2, 0, 1]), sq);
        const dv = gmm(tf.transpose(sp, [2, 0, 1]), dOut);
        return tf.concat(
          [tf.reshape(dq, [t, b, d]), tf.reshape(dk, [t, b, d]), tf.reshape(dv, [t, b, d])],
          -1,
        );
      },
    };
  });
  return op(qkv) as tf.Tensor3D;
}
