/**
 * `wasm-blas`'s dense products: tfjs's `BatchMatMul` (any batch dims, broadcast, transpose flags) and
 * `_FusedMatMul` (bias pre-filled into the output, then sgemm with β = 1, then the activation) as native sgemm
 * (or sgemv) calls on views of the wasm heap, with BLAS's transpose flags instead of explicit transposes.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { Blas } from "./blas.ts";
import { checkFloat32, type KernelArgs, sizeOf } from "./wasm_heap.ts";

/** How a (batched) product maps onto sgemm calls. */
interface MatMulPlan {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  outShape: number[];
  /** Batch offsets (in matrices) of a and b for each output matrix. */
  aIndex: Int32Array;
  bIndex: Int32Array;
}

/**
 * The sgemm calls of a·b with tfjs's matMul semantics: the last two dims are the matrices, the leading ones
 * broadcast (numpy rules).
 */
function planMatMul(
  aShape: readonly number[],
  bShape: readonly number[],
  transA: boolean,
  transB: boolean,
  kernel: string,
): MatMulPlan {
  if (aShape.length < 2 || bShape.length < 2) {
    throw new RangeError(`${kernel}: a and b must have rank ≥ 2, got shapes [${aShape}] and [${bShape}]`);
  }
  const ar = aShape.length, br = bShape.length;
  const m = aShape[transA ? ar - 1 : ar - 2] as number;
  const k = aShape[transA ? ar - 2 : ar - 1] as number;
  const kb = bShape[transB ? br - 1 : br - 2] as number;
  const n = bShape[transB ? br - 2 : br - 1] as number;
  if (k !== kb) {
    throw new RangeError(
      `${kernel}: inner dimensions differ: a [${aShape}] (transposeA ${transA}) and b [${bShape}] ` +
        `(transposeB ${transB})`,
    );
  }
  const aBatch = aShape.slice(0, -2), bBatch = bShape.slice(0, -2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const batch: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = aBatch[i - (rank - aBatch.length)] ?? 1;
    const db = bBatch[i - (rank - bBatch.length)] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(`${kernel}: batch dimensions do not broadcast: a [${aShape}], b [${bShape}]`);
    }
    batch.push(da === 1 ? db : da);
  }
  const count = sizeOf(batch);
  const aIndex = new Int32Array(count), bIndex = new Int32Array(count);
  // Strides (in matrices) of each batch dim in a and b; 0 where the operand broadcasts.
  const strides = (dims: number[]): number[] => {
    const s = new Array<number>(rank).fill(0);
    let acc = 1;
    for (let i = dims.length - 1; i >= 0; i--) {
      const r = i + rank - dims.length;
      s[r] = dims[i] === 1 ? 0 : acc;
      acc *= dims[i] as number;
    }
    return s;
  };
  const as = strides(aBatch), bs = strides(bBatch);
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < count; i++) {
    let ai = 0, bi = 0;
    for (let r = 0; r < rank; r++) {
      ai += (idx[r] as number) * (as[r] as number);
      bi += (idx[r] as number) * (bs[r] as number);
    }
    aIndex[i] = ai;
    bIndex[i] = bi;
    for (let r = rank - 1; r >= 0; r--) {
      idx[r] = (idx[r] as number) + 1;
      if ((idx[r] as number) < (batch[r] as number)) break;
      idx[r] = 0;
    }
  }
  return { m, n, k, transA, transB, outShape: [...batch, m, n], aIndex, bIndex };
}

/** Runs a plan into c (`[..., M, N]`, already holding β·C's C when β = 1). */
function runPlan(
  blas: Blas,
  plan: MatMulPlan,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  beta: number,
): void {
  const { m, n, k, transA, transB, aIndex, bIndex } = plan;
  const count = aIndex.length;
  if (m === 0 || n === 0 || count === 0) return;
  if (k === 0) {
    if (beta === 0) c.fill(0);
    return;
  }
  const lda = transA ? m : k, ldb = transB ? k : n;
  const aSize = m * k, bSize = k * n, cSize = m * n;
  if (m === 1 && count === 1) {
    // A row vector times a matrix (e.g. column sums as ones·g): sgemv, y = op(B)ᵀ·a (sgemm is slow at M = 1).
    if (transB) blas.sgemv(false, n, k, 1, b, ldb, a, 1, beta, c, 1);
    else blas.sgemv(true, k, n, 1, b, ldb, a, 1, beta, c, 1);
    return;
  }
  // b shared by every batch and a not transposed: one call with the batches stacked as rows.
  const bShared = bIndex.every((x) => x === 0);
  if (bShared && !transA && aIndex.every((x, i) => x === i)) {
    blas.sgemm(false, transB, m * count, n, k, 1, a, lda, b, ldb, beta, c, n);
    return;
  }
  // Each call gets exactly its matrices, so the extent check in loadBlas's sgemm bounds every access.
  for (let i = 0; i < count; i++) {
    const ao = (aIndex[i] as number) * aSize, bo = (bIndex[i] as number) * bSize, co = i * cSize;
    blas.sgemm(
      transA,
      transB,
      m,
      n,
      k,
      1,
      a.subarray(ao, ao + aSize),
      lda,
      b.subarray(bo, bo + bSize),
      ldb,
      beta,
      c.subarray(co, co + cSize),
      n,
    );
  }
}

/** Writes x (shape xs) broadcast to shape `to` into out (numpy rules, x's dims right-aligned). */
function broadcastInto(
  x: Float32Array,
  xs: readonly number[],
  to: readonly number[],
  out: Float32Array,
): void {
  const total = sizeOf(to);
  if (total === 0) return;
  const last = to[to.length - 1] as number;
  if (x.length === 1) {
    out.fill(x[0] as number);
    return;
  }
  if (x.length === last && xs[xs.length - 1] === last) {
    // A row vector: copy it into every row.
    for (let off = 0; off < total; off += last) out.set(x, off);
    return;
  }
  const rank = to.length;
  const s = new Array<number>(rank).fill(0);
  let acc = 1;
  for (let i = xs.length - 1; i >= 0; i--) {
    const r = i + rank - xs.length;
    s[r] = xs[i] === 1 ? 0 : acc;
    acc *= xs[i] as number;
  }
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < total; i++) {
    let xi = 0;
    for (let r = 0; r < rank; r++) xi += (idx[r] as number) * (s[r] as number);
    out[i] = x[xi] as number;
    for (let r = rank - 1; r >= 0; r--) {
      idx[r] = (idx[r] as number) + 1;
      if ((idx[r] as number) < (to[r] as number)) break;
      idx[r] = 0;
    }
  }
}

/** `_FusedMatMul`'s activations, in place on y; `w` is PReLU's weights broadcast to y's shape. */
const ACTIVATIONS: Readonly<
  Record<string, (y: Float32Array, alpha: number, w: Float32Array | undefined) => void>
> = Object.freeze({
  linear: () => {},
  relu: (y) => {
    for (let i = 0; i < y.length; i++) if ((y[i] as number) < 0) y[i] = 0;
  },
  relu6: (y) => {
    for (let i = 0; i < y.length; i++) y[i] = Math.min(Math.max(y[i] as number, 0), 6);
  },
  elu: (y) => {
    for (let i = 0; i < y.length; i++) if ((y[i] as number) < 0) y[i] = Math.expm1(y[i] as number);
  },
  leakyrelu: (y, alpha) => {
    for (let i = 0; i < y.length; i++) if ((y[i] as number) < 0) y[i] = alpha * (y[i] as number);
  },
  prelu: (y, _alpha, w) => {
    for (let i = 0; i < y.length; i++) if ((y[i] as number) < 0) y[i] = (w?.[i] as number) * (y[i] as number);
  },
  sigmoid: (y) => {
    for (let i = 0; i < y.length; i++) y[i] = 1 / (1 + Math.exp(-(y[i] as number)));
  },
});

/**
 * tfjs's `BatchMatMul` kernel on the native BLAS (registered by `registerWasmBlas` for `wasm-blas`).
 *
 * @param blas The loaded BLAS.
 * @returns The kernel function.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { useBackend } from "./backend.ts";
 * try {
 *   await useBackend("wasm-blas"); // tf.matMul now runs this kernel
 *   const y = tf.matMul(tf.tensor2d([1, 2], [1, 2]), tf.tensor2d([3, 4], [2, 1]));
 *   console.assert((await y.data())[0] === 11);
 * } catch (e) {
 *   console.assert(/libopenblas0-pthread/.test((e as Error).message)); // no BLAS on this machine
 * }
 * ```
 */
export function batchMatMulKernel(blas: Blas): (args: KernelArgs) => tf.TensorInfo {
  return ({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo => {
    const a = inputs.a as tf.TensorInfo, b = inputs.b as tf.TensorInfo;
    checkFloat32(a, "a", "BatchMatMul");
    checkFloat32(b, "b", "BatchMatMul");
    const plan = planMatMul(
      a.shape,
      b.shape,
      attrs.transposeA === true,
      attrs.transposeB === true,
      "BatchMatMul",
    );
    const out = backend.makeOutput(plan.outShape, "float32");
    // Views after the allocation: a malloc may grow (and so replace) the heap's buffer.
    runPlan(
      blas,
      plan,
      backend.typedArrayFromHeap(a),
      backend.typedArrayFromHeap(b),
      backend.typedArrayFromHeap(out),
      0,
    );
    return out;
  };
}

/**
 * tfjs's `_FusedMatMul` kernel (bias, activation) on the native BLAS (registered for `wasm-blas`).
 *
 * @param blas The loaded BLAS.
 * @returns The kernel function.
 * @throws {RangeError} (from the kernel) For an activation it does not know.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { useBackend } from "./backend.ts";
 * try {
 *   await useBackend("wasm-blas"); // tf.fused.matMul now runs this kernel
 *   const a = tf.tensor2d([1, 2], [1, 2]), b = tf.tensor2d([3, 4], [2, 1]);
 *   const y = tf.fused.matMul({ a, b, bias: tf.scalar(-20), activation: "relu" });
 *   console.assert((await y.data())[0] === 0); // relu(11 − 20)
 * } catch (e) {
 *   console.assert(/libopenblas0-pthread/.test((e as Error).message)); // no BLAS on this machine
 * }
 * ```
 */
export function fusedMatMulKernel(blas: Blas): (args: KernelArgs) => tf.TensorInfo {
  return ({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo => {
    const { a, b, bias, preluActivationWeights: prelu } = inputs as Record<string, tf.TensorInfo>;
    checkFloat32(a as tf.TensorInfo, "a", "_FusedMatMul");
    checkFloat32(b as tf.TensorInfo, "b", "_FusedMatMul");
    const activation = (attrs.activation ?? "linear") as string;
    const act = ACTIVATIONS[activation];
    if (act === undefined) {
      throw new RangeError(
        `_FusedMatMul: activation must be one of ${Object.keys(ACTIVATIONS).join(", ")}, got "${activation}"`,
      );
    }
    const plan = planMatMul(
      (a as tf.TensorInfo).shape,
      (b as tf.TensorInfo).shape,
      attrs.transposeA === true,
      attrs.transposeB === true,
      "_FusedMatMul",
    );
    const out = backend.makeOutput(plan.outShape, "float32");
    const y = backend.typedArrayFromHeap(out);
    let beta = 0;
    if (bias !== undefined) {
      checkFloat32(bias, "bias", "_FusedMatMul");
      broadcastInto(backend.typedArrayFromHeap(bias), bias.shape, plan.outShape, y);
      beta = 1;
    }
    runPlan(
      blas,
      plan,
      backend.typedArrayFromHeap(a as tf.TensorInfo),
      backend.typedArrayFromHeap(b as tf.TensorInfo),
      y,
      beta,
    );
    let w: Float32Array | undefined;
    if (prelu !== undefined) {
      w = new Float32Array(y.length);
      broadcastInto(backend.typedArrayFromHeap(prelu), prelu.shape, plan.outShape, w);
    }
    act(y, Number(attrs.leakyreluAlpha ?? 0.2), w);
    return out;
  };
}
