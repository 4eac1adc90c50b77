/**
 * One AdamW update of a parameter as a single kernel on `wasm-blas`: one pass over w, g, m and v on the wasm
 * heap instead of the dozen element-wise kernels (each a full pass) that the same update takes as tfjs ops,
 * which were the largest share of a small model's step once the products went to BLAS.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The kernel's name. */
export const FUSED_ADAMW = "DpoFusedAdamW";

/** The update's constants. */
export interface AdamWStep {
  /** β₁. */
  beta1: number;
  /** β₂. */
  beta2: number;
  /** ε. */
  epsilon: number;
  /** The Adam step size, bias corrections included, times the variable's learning-rate scale. */
  stepSize: number;
  /** Decoupled weight decay's factor (learning rate × scale × decay), 0 for none. */
  decay: number;
}

interface HeapBackend {
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/**
 * The kernel: m′ = β₁m + (1 − β₁)g, v′ = β₂v + (1 − β₂)g², w′ = w − stepSize·m′/(√v′ + ε) − decay·w.
 *
 * @param args tfjs's kernel arguments (inputs w, g, m, v; attrs {@link AdamWStep}).
 * @returns w′, m′, v′.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { useBackend } from "./backend.ts";
 * import { FUSED_ADAMW, fusedAdamWKernel } from "./fused_adamw.ts";
 * try {
 *   await useBackend("wasm-blas");
 *   // registered as wasm-blas's kernel for the fused update (`fusedAdamW` runs it)
 *   console.assert(tf.getKernel(FUSED_ADAMW, "wasm-blas")?.kernelFunc === fusedAdamWKernel);
 * } catch (e) {
 *   console.assert(/libopenblas0-pthread/.test((e as Error).message)); // no BLAS on this machine
 * }
 * ```
 */
export function fusedAdamWKernel(
  args: {
    inputs: Record<string, tf.TensorInfo | undefined>;
    backend: unknown;
    attrs: Record<string, unknown>;
  },
): tf.TensorInfo[] {
  const backend = args.backend as HeapBackend;
  const { w, g, m, v } = args.inputs as Record<"w" | "g" | "m" | "v", tf.TensorInfo>;
  for (const [name, t] of [["w", w], ["g", g], ["m", m], ["v", v]] as const) {
    if (t.dtype !== "float32" || t.shape.join() !== w.shape.join()) {
      throw new TypeError(
        `${FUSED_ADAMW}: ${name} must be float32 of shape [${w.shape}], got ${t.dtype} [${t.shape}]`,
      );
    }
  }
  const { beta1, beta2, epsilon, stepSize, decay } = args.attrs as unknown as AdamWStep;
  const outs = [w, m, v].map((t) => backend.makeOutput([...t.shape], "float32"));
  // Views after the allocations: a malloc may grow (and so replace) the heap's buffer.
  const [wv, gv, mv, vv] = [w, g, m, v].map((t) => backend.typedArrayFromHeap(t)) as Float32Array[];
  const [w2, m2, v2] = outs.map((t) => backend.typedArrayFromHeap(t)) as Float32Array[];
  const [a1, a2] = [1 - beta1, 1 - beta2];
  for (let i = 0; i < (wv as Float32Array).length; i++) {
    const gi = (gv as Float32Array)[i] as number;
    const mi = beta1 * ((mv as Float32Array)[i] as number) + a1 * gi;
    const vi = beta2 * ((vv as Float32Array)[i] as number) + a2 * gi * gi;
    const wi = (wv as Float32Array)[i] as number;
    (m2 as Float32Array)[i] = mi;
    (v2 as Float32Array)[i] = vi;
    (w2 as Float32Array)[i] = wi - stepSize * mi / (Math.sqrt(vi) + epsilon) - decay * wi;
  }
  return outs;
}

/**
 * One fused AdamW update (on `wasm-blas` only).
 *
 * @param w The parameter.
 * @param g Its gradient.
 * @param m The first moment.
 * @param v The second moment.
 * @param step The constants.
 * @returns The new parameter, first and second moments.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { useBackend } from "./backend.ts";
 * import { fusedAdamW } from "./fused_adamw.ts";
 * try {
 *   await useBackend("wasm-blas");
 *   const [w, m, v] = fusedAdamW(tf.ones([2]), tf.ones([2]), tf.zeros([2]), tf.zeros([2]), {
 *     beta1: 0.9, beta2: 0.999, epsilon: 0, stepSize: 0.1, decay: 0,
 *   });
 *   // m′ = 0.1, v′ = 0.001, w′ = 1 − 0.1·0.1/√0.001.
 *   console.assert(Math.abs((await w.data())[0]! - (1 - 0.01 / Math.sqrt(0.001))) < 1e-6);
 *   console.assert(Math.abs((await m.data())[0]! - 0.1) < 1e-7 && Math.abs((await v.data())[0]! - 0.001) < 1e-9);
 * } catch (e) {
 *   console.assert(/libopenblas0-pthread/.test((e as Error).message)); // no BLAS on this machine
 * }
 * ```
 */
export function fusedAdamW(
  w: tf.Tensor,
  g: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  step: AdamWStep,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.engine().runKernel(FUSED_ADAMW, { w, g, m, v }, { ...step } as unknown as tf.NamedAttrMap) as [
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
  ];
}
