/**
 * What the `wasm-blas` kernels use of tfjs-wasm's backend: views of tensors on the wasm heap, new outputs, and
 * the checks every kernel makes of its inputs.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";

/** What the kernels use of tfjs-wasm's `BackendWasm`. */
export interface WasmHeapBackend {
  /** Allocates an output tensor on the wasm heap. */
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
  /** A view of a tensor's elements on the wasm heap (exactly its size). */
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  /** Adds a reference to a buffer. */
  incRef(dataId: tf.DataId): void;
}

/** A kernel function's arguments, as tfjs passes them to a wasm-heap kernel. */
export interface KernelArgs {
  /** Input tensors by name. */
  inputs: Record<string, tf.TensorInfo | undefined>;
  /** The backend. */
  backend: WasmHeapBackend;
  /** The kernel's attributes. */
  attrs: Record<string, unknown>;
}

/**
 * The number of elements of a shape.
 *
 * @param shape Dimensions.
 * @returns Their product (1 for a scalar).
 *
 * @example
 * ```ts
 * import { sizeOf } from "./wasm_heap.ts";
 * console.assert(sizeOf([2, 3]) === 6 && sizeOf([]) === 1);
 * ```
 */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/**
 * Checks that a kernel's input is float32.
 *
 * @param t The input.
 * @param name Its name in the message.
 * @param kernel The kernel's name in the message.
 * @throws {TypeError} Naming the kernel, the input and its dtype.
 *
 * @example
 * ```ts
 * import { checkFloat32 } from "./wasm_heap.ts";
 * let threw = false;
 * try {
 *   checkFloat32({ dataId: {}, shape: [1], dtype: "int32" }, "a", "BatchMatMul");
 * } catch (e) {
 *   threw = e instanceof TypeError && e.message === "BatchMatMul: a must be float32, got int32";
 * }
 * console.assert(threw);
 * ```
 */
export function checkFloat32(t: tf.TensorInfo, name: string, kernel: string): void {
  if (t.dtype !== "float32") {
    throw new TypeError(`${kernel}: ${name} must be float32, got ${t.dtype}`);
  }
}
