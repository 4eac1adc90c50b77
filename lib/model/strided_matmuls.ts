/**
 * `BlasStridedMatMuls`, a `wasm-blas` kernel of our own for attention: many strided sgemm calls in one kernel,
 * reading q, k, v where they lie and writing into one output (used by attention_blas.ts).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Blas } from "./blas.ts";
import { matrixSpan } from "./blas_checks.ts";
import { checkFloat32, type KernelArgs, sizeOf } from "./wasm_heap.ts";

/** The kernel name of {@link stridedMatMuls}. */
export const STRIDED_MATMULS = "BlasStridedMatMuls";

/**
 * A family of sgemm calls that share their sizes and strides: C = α·op(A)·op(B) into the output at each call's
 * offset, A and B read from the inputs at each call's offsets (elements, row-major, rows `ld*` apart).
 */
export interface StridedFamily {
  /** Use Aᵀ. */
  transA: boolean;
  /** Use Bᵀ. */
  transB: boolean;
  /** Rows of C. */
  m: number;
  /** Columns of C. */
  n: number;
  /** The summed dimension. */
  k: number;
  /** The product's factor. */
  alpha: number;
  /** Row stride of A as stored. */
  lda: number;
  /** Row stride of B as stored. */
  ldb: number;
  /** Row stride of C. */
  ldc: number;
  /** Five numbers per call: A's input index, A's offset, B's input index, B's offset, C's offset. */
  calls: Int32Array;
}

/** Elements op(X) spans from its first one: an `[rows, cols]` matrix with rows ld apart (transposed: `[cols, rows]`). */
function extent(trans: boolean, rows: number, cols: number, ld: number): number {
  return trans ? matrixSpan(cols, rows, ld) : matrixSpan(rows, cols, ld);
}

/**
 * The `BlasStridedMatMuls` kernel on the native BLAS (registered for `wasm-blas`); see {@link stridedMatMuls}.
 *
 * @param blas The loaded BLAS.
 * @returns The kernel function.
 *
 * @example
 * ```ts
 * import { stridedMatMulsKernel } from "./strided_matmuls.ts";
 * import { loadBlas } from "./blas.ts";
 * try {
 *   console.assert(typeof stridedMatMulsKernel(loadBlas()) === "function");
 * } catch (e) {
 *   console.assert(/libopenblas0-pthread/.test((e as Error).message)); // no BLAS on this machine
 * }
 * ```
 */
export function stridedMatMulsKernel(blas: Blas): (args: KernelArgs) => tf.TensorInfo {
  return ({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo => {
    const xs = Object.keys(inputs).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))
      .map((key) => inputs[key] as tf.TensorInfo);
    xs.forEach((x, i) => checkFloat32(x, `input ${i}`, STRIDED_MATMULS));
    const outShape = attrs.outShape as number[];
    const families = attrs.families as StridedFamily[];
    const outSize = sizeOf(outShape);
    // Every read and write inside its tensor: a wrong offset would otherwise corrupt the wasm heap.
    for (const f of families) {
      if (f.m === 0 || f.n === 0 || f.k === 0) continue;
      const ea = extent(f.transA, f.m, f.k, f.lda), eb = extent(f.transB, f.k, f.n, f.ldb);
      const ec = extent(false, f.m, f.n, f.ldc);
      for (let c = 0; c < f.calls.length; c += 5) {
        const [ai, ao, bi, bo, co] = Array.from(f.calls.subarray(c, c + 5));
        const a = xs[ai as number], b = xs[bi as number];
        const inside = a !== undefined && b !== undefined && (ao as number) >= 0 && (bo as number) >= 0 &&
          (co as number) >= 0 && (ao as number) + ea <= sizeOf(a.shape) &&
          (bo as number) + eb <= sizeOf(b.shape) &&
          (co as number) + ec <= outSize;
        if (!inside) {
          throw new RangeError(
            `${STRIDED_MATMULS}: call ${c / 5} reads or writes outside its tensors (inputs ${ai}, ${bi}; ` +
              `offsets ${ao}, ${bo}, ${co}; output [${outShape}])`,
          );
        }
      }
    }
    const out = backend.makeOutput(outShape, "float32");
    // Views after the allocation: a malloc may grow (and so replace) the heap's buffer.
    const views = xs.map((x) => backend.typedArrayFromHeap(x));
    const cv = backend.typedArrayFromHeap(out);
    if (attrs.zero === true) cv.fill(0);
    // Many small products: one thread each (see SMALL_PRODUCT), the previous count restored after.
    const threads = blas.threads();
    const serial = threads !== undefined && threads > 1 &&
      families.every((f) => f.m * f.n * f.k < SMALL_PRODUCT);
    if (serial) blas.setThreads(1);
    try {
      runFamilies(blas, families, views, cv);
    } finally {
      if (serial) blas.setThreads(threads as number);
    }
    return out;
  };
}

/**
 * Products below this many multiply-adds run on one BLAS thread: measured on this project's 2-core machine
 * (128 products of 128×32×128, attention's shape at d_h 32, T 128), two threads were never faster (best of 30:
 * 1.34 vs 1.31 ms) and, with other processes on the cores, 5× slower (median 8.3 vs 1.5 ms).
 */
const SMALL_PRODUCT = 1 << 22;

function runFamilies(
  blas: Blas,
  families: readonly StridedFamily[],
  views: Float32Array[],
  cv: Float32Array,
): void {
  for (const f of families) {
    if (f.m === 0 || f.n === 0) continue;
    for (let c = 0; c < f.calls.length; c += 5) {
      const target = cv.subarray(f.calls[c + 4] as number);
      if (f.k === 0) {
        for (let i = 0; i < f.m; i++) target.fill(0, i * f.ldc, i * f.ldc + f.n);
        continue;
      }
      blas.sgemm(
        f.transA,
        f.transB,
        f.m,
        f.n,
        f.k,
        f.alpha,
        (views[f.calls[c] as number] as Float32Array).subarray(f.calls[c + 1] as number),
        f.lda,
        (views[f.calls[c + 2] as number] as Float32Array).subarray(f.calls[c + 3] as number),
        f.ldb,
        0,
        target,
        f.ldc,
      );
    }
  }
}

/**
 * Many strided products into one new tensor, in one kernel: for each family and call, C = α·op(A)·op(B) with A
 * and B read from `inputs` at element offsets and C written at an offset of the output (row-major, rows
 * `lda`/`ldb`/`ldc` apart). Lets attention read q, k and v straight out of the fused projection and write the
 * three gradients side by side, with no slices, transposes or concatenation. Runs only on `wasm-blas`; it has
 * no gradient of its own (callers give one).
 *
 * @param inputs The tensors the calls read (float32, any shape; read as flat arrays).
 * @param outShape The output's shape.
 * @param families The calls, by family.
 * @param zero Zero the output first (when the calls do not write every element).
 * @returns The output.
 * @throws {RangeError} When a call would read or write outside its tensors.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { useBackend } from "./backend.ts";
 * import { stridedMatMuls } from "./strided_matmuls.ts";
 * try {
 *   await useBackend("wasm-blas");
 *   // x = [[1, 2], [3, 4]]: row 0 times column 0, and row 1 times column 1, as two 1×1 products.
 *   const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
 *   const family = { transA: false, transB: false, m: 1, n: 1, k: 2, alpha: 1, lda: 2, ldb: 2, ldc: 1 };
 *   const calls = new Int32Array([0, 0, 0, 0, 0, 0, 2, 0, 1, 1]);
 *   const y = stridedMatMuls([x], [2], [{ ...family, calls }]);
 *   console.assert((await y.data()).join() === "7,22"); // 1·1 + 2·3, 3·2 + 4·4
 * } catch (e) {
 *   console.assert(/libopenblas0-pthread/.test((e as Error).message)); // no BLAS on this machine
 * }
 * ```
 */
export function stridedMatMuls(
  inputs: readonly tf.Tensor[],
  outShape: readonly number[],
  families: readonly StridedFamily[],
  zero = false,
): tf.Tensor {
  const named: Record<string, tf.Tensor> = {};
  inputs.forEach((x, i) => named[`x${i}`] = x);
  return tf.engine().runKernel(STRIDED_MATMULS, named, {
    outShape: [...outShape],
    families: [...families],
    zero,
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
}
