/**
 * Causal self-attention for the `wasm-blas` backend: the same math and gradient as `causalSelfAttention` in
 * ops.ts, with every product a strided BLAS call ({@link stridedMatMuls}) that reads q, k and v where they lie
 * in the fused projection `[T, B, 3D]`, writes the merged heads `[T, B, D]` directly, and writes ∂q, ∂k, ∂v
 * side by side into one `[T, B, 3D]` gradient: no slices, transposes, scaling passes or concatenation.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type StridedFamily, stridedMatMuls } from "./strided_matmuls.ts";

/** The strided calls of one attention shape (T, B, H, d_h), built once per shape. */
interface AttentionPlan {
  scores: StridedFamily;
  out: StridedFamily;
  dp: StridedFamily;
  dq: StridedFamily;
  dk: StridedFamily;
  dv: StridedFamily;
}

const plans = new Map<string, AttentionPlan>();

/**
 * Group g = b·H + h (batch row b, head h). Offsets, in elements: q_g at b·3D + h·d_h of the projection (rows
 * B·3D apart), k_g at +D, v_g at +2D; group g's scores at g·T² of `[G, T, T]` (contiguous, so the products over
 * scores read and write whole blocks); its merged output at g·d_h of `[T, B, D]` (rows B·D apart).
 */
function attentionPlan(t: number, b: number, heads: number, dh: number): AttentionPlan {
  const key = `${t},${b},${heads},${dh}`;
  const cached = plans.get(key);
  if (cached !== undefined) return cached;
  const d = heads * dh, g = b * heads, scale = 1 / Math.sqrt(dh);
  const ldx = b * 3 * d, lds = t, ldo = b * d, gs = t * t;
  const calls = (f: (gi: number, q: number) => number[]): Int32Array => {
    const out = new Int32Array(5 * g);
    for (let bi = 0; bi < b; bi++) {
      for (let h = 0; h < heads; h++) {
        const gi = bi * heads + h;
        out.set(f(gi, bi * 3 * d + h * dh), 5 * gi);
      }
    }
    return out;
  };
  const family = (
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    lda: number,
    ldb: number,
    ldc: number,
    f: (gi: number, q: number) => number[],
  ): StridedFamily => ({ transA, transB, m, n, k, alpha, lda, ldb, ldc, calls: calls(f) });
  const plan: AttentionPlan = {
    // Forward, inputs [x]: S_g = scale·q_g·k_gᵀ.
    scores: family(false, true, t, t, dh, scale, ldx, ldx, lds, (gi, q) => [0, q, 0, q + d, gi * gs]),
    // Forward, inputs [P, x]: O_g = P_g·v_g.
    out: family(false, false, t, dh, t, 1, lds, ldx, ldo, (gi, q) => [0, gi * gs, 1, q + 2 * d, gi * dh]),
    // Backward, inputs [∂O, x]: ∂P_g = ∂O_g·v_gᵀ.
    dp: family(false, true, t, t, dh, 1, ldo, ldx, lds, (gi, q) => [0, gi * dh, 1, q + 2 * d, gi * gs]),
    // Backward, inputs [∂S, x, P, ∂O]: ∂q_g = scale·∂S_g·k_g, ∂k_g = scale·∂S_gᵀ·q_g, ∂v_g = P_gᵀ·∂O_g.
    dq: family(false, false, t, dh, t, scale, lds, ldx, ldx, (gi, q) => [0, gi * gs, 1, q + d, q]),
    dk: family(true, false, t, dh, t, scale, lds, ldx, ldx, (gi, q) => [0, gi * gs, 1, q, q + d]),
    dv: family(true, false, t, dh, t, 1, lds, ldo, ldx, (gi, q) => [2, gi * gs, 3, gi * dh, q + 2 * d]),
  };
  plans.set(key, plan);
  return plan;
}

/**
 * Causal multi-head self-attention on time-major activations, on `wasm-blas`:
 * S = q·kᵀ/√d_h + mask, P = softmax(S), O = P·v, with the closed-form gradient
 * ∂v = Pᵀ·∂O, ∂P = ∂O·vᵀ, ∂S = P ⊙ (∂P − Σ_j ∂P ⊙ P), ∂q = ∂S·k/√d_h, ∂k = ∂Sᵀ·q/√d_h.
 *
 * @param qkv `[T, B, 3D]`: q, k, v side by side, each with the heads side by side.
 * @param heads Number of heads H (divides D).
 * @param mask `[T, T]`, added to the scores (−1e9 above the diagonal).
 * @returns `[T, B, D]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { useBackend } from "./backend.ts";
 * import { stridedSelfAttention } from "./attention_blas.ts";
 * try {
 *   await useBackend("wasm-blas");
 *   // One position: attention returns v.
 *   const y = stridedSelfAttention(tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 1, 6]), 1, tf.zeros([1, 1]));
 *   console.assert((await y.data()).join() === "5,6");
 * } catch (e) {
 *   console.assert(/libopenblas0-pthread/.test((e as Error).message)); // no BLAS on this machine
 * }
 * ```
 */
export function stridedSelfAttention(qkv: tf.Tensor3D, heads: number, mask: tf.Tensor2D): tf.Tensor3D {
  const [t, b, d3] = qkv.shape;
  const d = d3 / 3;
  const dh = d / heads;
  if (!Number.isInteger(dh) || dh < 1) {
    throw new RangeError(`heads must divide the model width ${d}, got ${heads}`);
  }
  const g = b * heads;
  const plan = attentionPlan(t, b, heads, dh);
  const op = tf.customGrad(
    ((x: tf.Tensor, save: tf.GradSaveFunc) => {
      const scores = tf.add(stridedMatMuls([x], [g, t, t], [plan.scores]), mask);
      const p = tf.softmax(scores, -1);
      save([x, p]);
      return {
        value: stridedMatMuls([p, x], [t, b, d], [plan.out]),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [sx, sp] = saved as [tf.Tensor, tf.Tensor];
          const dp = stridedMatMuls([dy, sx], [g, t, t], [plan.dp]);
          const ds = tf.mul(sp, tf.sub(dp, tf.sum(tf.mul(dp, sp), -1, true)));
          return stridedMatMuls([ds, sx, sp, dy], [t, b, 3 * d], [plan.dq, plan.dk, plan.dv]);
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0],
  ) as unknown as (x: tf.Tensor) => tf.Tensor;
  return op(qkv) as tf.Tensor3D;
}
