/**
 * Causal multi-head self-attention on time-major activations with a closed-form gradient: on wasm its grouped
 * products are a depthwise convolution (XNNPACK), on wasm-blas strided BLAS calls on the fused projection
 * (attention_blas.ts), elsewhere a batched matMul.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { WASM_BLAS } from "./blas_kernels.ts";
import { stridedSelfAttention } from "./attention_blas.ts";
import { customOp } from "./custom_op.ts";

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
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { causalSelfAttention } from "./attention.ts";
 * // One position attends only to itself: the output is v.
 * const y = causalSelfAttention(tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 1, 6]), 1, tf.zeros([1, 1]));
 * console.assert((await y.data()).join() === "5,6");
 * ```
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
