/**
 * The `wasm-blas` backend: tfjs's wasm backend (its own module instance and heap) with the dense products
 * replaced by kernels that call the native BLAS ({@link loadBlas}) on views of the wasm heap, with BLAS's
 * transpose flags instead of explicit transposes:
 *
 * - `BatchMatMul` (any batch dims, broadcast, transpose flags) and `_FusedMatMul` (bias pre-filled into the
 *   output, then sgemm with β = 1, then the activation), in blas_matmul.ts;
 * - `BlasStridedMatMuls`, a kernel of our own for attention: many strided products in one kernel, reading
 *   q, k, v where they lie and writing into one output ({@link stridedMatMuls} in strided_matmuls.ts, used by
 *   attention_blas.ts);
 * - `Identity`, which shares its input's buffer instead of copying it;
 * - `DpoFusedAdamW`, AdamW's update in one pass (fused_adamw.ts, used by lib/train/optimizer.ts).
 *
 * Every other kernel is wasm's own, registered again under the new name. (wasm's kernels bind their wasm
 * functions to a backend instance in their setup, which tfjs runs again on every `setBackend`, so the two
 * backends can be switched back and forth.)
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type Blas, loadBlas } from "./blas.ts";
import { FUSED_ADAMW, fusedAdamWKernel } from "./fused_adamw.ts";
import { batchMatMulKernel, fusedMatMulKernel } from "./blas_matmul.ts";
import { STRIDED_MATMULS, stridedMatMulsKernel } from "./strided_matmuls.ts";
import type { KernelArgs } from "./wasm_heap.ts";

export { STRIDED_MATMULS, type StridedFamily, stridedMatMuls } from "./strided_matmuls.ts";

/** The backend's name. */
export const WASM_BLAS = "wasm-blas";

/**
 * Identity shares the input's buffer (reference counted, as tfjs's cpu backend does) instead of wasm's copy:
 * tfjs clones every tensor a custom gradient saves, a full copy of each activation on wasm.
 */
function identityKernel() {
  return ({ inputs, backend }: KernelArgs): tf.TensorInfo => {
    const x = inputs.x as tf.TensorInfo;
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/** The kernels `wasm-blas` replaces. */
const REPLACED: Readonly<
  Record<string, (blas: Blas) => (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]>
> = Object.freeze(
  {
    BatchMatMul: batchMatMulKernel,
    _FusedMatMul: fusedMatMulKernel,
    [STRIDED_MATMULS]: stridedMatMulsKernel,
    Identity: identityKernel,
    [FUSED_ADAMW]: () => fusedAdamWKernel,
  },
);

let registered: Blas | undefined;

/**
 * Registers the `wasm-blas` backend (once): loads the BLAS, makes a second wasm backend instance from
 * tfjs-wasm's own factory, and registers wasm's kernels under the new name with the products replaced. The
 * wasm backend must already be registered (import `@tensorflow/tfjs-backend-wasm` first).
 *
 * @returns The BLAS in use.
 * @throws {Error} When no BLAS library loads (the message names the package to install).
 *
 * @example
 * ```ts
 * import { registerWasmBlas } from "./blas_kernels.ts";
 * import { BACKENDS } from "./backend.ts";
 * await BACKENDS.wasm.prepare();
 * try {
 *   console.assert(registerWasmBlas().name.length > 0);
 * } catch (e) {
 *   console.assert(/libopenblas0-pthread/.test((e as Error).message));
 * }
 * ```
 */
export function registerWasmBlas(): Blas {
  if (registered !== undefined) return registered;
  const blas = loadBlas();
  const factory = tf.findBackendFactory("wasm");
  if (factory === null || factory === undefined) {
    throw new Error(
      "wasm-blas: the wasm backend is not registered; import @tensorflow/tfjs-backend-wasm first",
    );
  }
  tf.registerBackend(WASM_BLAS, factory, 1);
  for (const config of tf.getKernelsForBackend("wasm")) {
    if (config.kernelName in REPLACED) continue;
    tf.registerKernel({ ...config, backendName: WASM_BLAS });
  }
  for (const [kernelName, make] of Object.entries(REPLACED)) {
    tf.registerKernel({
      kernelName,
      backendName: WASM_BLAS,
      kernelFunc: make(blas) as unknown as tf.KernelFunc,
    });
  }
  registered = blas;
  return blas;
}
