/**
 * The `wasm-blas` backend: tfjs's wasm backend (its own module instance and heap) with the dense products
 * replaced by kernels that call the native BLAS ({@link loadBlas}) on views of the wasm heap, with BLAS's
 * transpose flags instead of explicit transposes:
 *
 * - `BatchMatMul` (any batch dims, broadcast, transpose flags);
 * - `_FusedMatMul` (bias pre-filled into the output, then sgemm with β = 1, then the activation);
 * - `BlasStridedMatMuls`, a kernel of our own for attention: many strided products in one kernel, reading
 *   q, k, v where they lie and writing into one output ({@link stridedMatMuls}, used by attention_blas.ts);
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

/** The backend's name. */
export const WASM_BLAS = "wasm-blas";

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

/** What the kernels use of tfjs-wasm's `BackendWasm`. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  incRef(dataId: tf.DataId): void;
}

interface KernelArgs {
  inputs: Record<string, tf.TensorInfo | undefined>;
  backend: WasmHeapBackend;
  attrs: Record<string, unknown>;
}

const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

function float32(t: tf.TensorInfo, name: string, kernel: string): void {
  if (t.dtype !== "float32") {
    throw new TypeError(`${kernel}: ${name} must be float32, got ${t.dtype}`);
  }
}

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
  const count = size(batch);
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
) {
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
  const total = size(to);
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

function batchMatMulKernel(blas: Blas) {
  return ({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo => {
    const a = inputs.a as tf.TensorInfo, b = inputs.b as tf.TensorInfo;
    float32(a, "a", "BatchMatMul");
    float32(b, "b", "BatchMatMul");
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

function fusedMatMulKernel(blas: Blas) {
  return ({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo => {
    const { a, b, bias, preluActivationWeights: prelu } = inputs as Record<string, tf.TensorInfo>;
    float32(a as tf.TensorInfo, "a", "_FusedMatMul");
    float32(b as tf.TensorInfo, "b", "_FusedMatMul");
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
      float32(bias, "bias", "_FusedMatMul");
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

/** Elements op(X) spans from its first one: an `[rows, cols]` matrix with rows ld apart (transposed: `[cols, rows]`). */
function extent(trans: boolean, rows: number, cols: number, ld: number): number {
  return trans ? (cols - 1) * ld + rows : (rows - 1) * ld + cols;
}

function stridedMatMulsKernel(blas: Blas) {
  return ({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo => {
    const xs = Object.keys(inputs).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))
      .map((key) => inputs[key] as tf.TensorInfo);
    xs.forEach((x, i) => float32(x, `input ${i}`, STRIDED_MATMULS));
    const outShape = attrs.outShape as number[];
    const families = attrs.families as StridedFamily[];
    const outSize = size(outShape);
    // Every read and write inside its tensor: a wrong offset would otherwise corrupt the wasm heap.
    for (const f of families) {
      if (f.m === 0 || f.n === 0 || f.k === 0) continue;
      const ea = extent(f.transA, f.m, f.k, f.lda), eb = extent(f.transB, f.k, f.n, f.ldb);
      const ec = extent(false, f.m, f.n, f.ldc);
      for (let c = 0; c < f.calls.length; c += 5) {
        const [ai, ao, bi, bo, co] = Array.from(f.calls.subarray(c, c + 5));
        const a = xs[ai as number], b = xs[bi as number];
        const inside = a !== undefined && b !== undefined && (ao as number) >= 0 && (bo as number) >= 0 &&
          (co as number) >= 0 && (ao as number) + ea <= size(a.shape) &&
          (bo as number) + eb <= size(b.shape) &&
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
 * import { stridedMatMuls } from "./blas_kernels.ts";
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
