import * as tf from "@tensorflow/tfjs";
import { sumPairs } from "./_fixtures.ts";
import { assert, assertAllClose } from "./_assert.ts";
import { BACKENDS, useBackend } from "../lib/model/backend.ts";
import { blasCandidates, loadBlas } from "../lib/model/blas.ts";
import { stridedMatMuls } from "../lib/model/blas_kernels.ts";
import { causalSelfAttention } from "../lib/model/ops.ts";
import { chooseCpuBackend } from "../lib/model/cpu_backend.ts";
import { AdamW } from "../lib/train/optimizer.ts";
import { Gpt } from "../lib/model/gpt.ts";
import { createRandom } from "../lib/math/random.ts";
import type { GptConfig } from "../lib/model/config.ts";
import { train, type TrainConfig } from "../lib/train/mod.ts";

// The kernels need the system's BLAS; without it every test here is skipped, and says why.
let missing: string | undefined;
try {
  loadBlas();
} catch (e) {
  missing = (e as Error).message;
  console.warn(`tests/model_blas.test.ts skipped: ${missing}`);
}
const ignore = missing !== undefined;

const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

function values(shape: readonly number[], seed: number): Float32Array {
  const rand = createRandom(seed);
  return Float32Array.from({ length: size(shape) }, () => rand.normal());
}

/** Runs f on a backend with its inputs made there; returns every output's values. */
async function on(
  backend: string,
  f: () => tf.Tensor | tf.Tensor[],
): Promise<Float32Array[]> {
  await useBackend(backend);
  const outs = tf.tidy(f);
  const list = Array.isArray(outs) ? outs : [outs];
  const data = await Promise.all(list.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(list);
  return data;
}

/** Gradients of Σ w ⊙ f(xs) with respect to xs, plus f(xs) itself (first). */
function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], seed: number): tf.Tensor[] {
  const y = f(...xs);
  const w = tf.tensor(values(y.shape, seed), y.shape);
  return [y, ...tf.grads((...v: tf.Tensor[]) => tf.sum(tf.mul(f(...v), w)))(xs)];
}

/** Compares wasm-blas with wasm (or another reference backend) on the same computation, output by output. */
async function sameAsWasm(
  label: string,
  f: () => tf.Tensor | tf.Tensor[],
  rtol = 1e-5,
  reference = "wasm",
): Promise<void> {
  const want = await on(reference, f);
  const got = await on("wasm-blas", f);
  assert.equal(got.length, want.length);
  got.forEach((g, i) => {
    const w = want[i] as Float32Array;
    assert.equal(g.length, w.length, `${label} output ${i} size`);
    const scale = Math.max(1, ...Array.from(w, Math.abs));
    assertAllClose(Array.from(g), Array.from(w), 0, rtol * scale, `${label} output ${i}`);
  });
}

/** numpy's matmul with transpose flags, as loops (batch dims right-aligned, size-1 dims broadcast). */
function naiveMatMul(
  a: Float32Array,
  as: readonly number[],
  b: Float32Array,
  bs: readonly number[],
  ta: boolean,
  tb: boolean,
): number[] {
  const ar = as.length, br = bs.length;
  const [m, k] = ta
    ? [as[ar - 1] as number, as[ar - 2] as number]
    : [as[ar - 2] as number, as[ar - 1] as number];
  const n = (tb ? bs[br - 2] : bs[br - 1]) as number;
  const aB = as.slice(0, -2), bB = bs.slice(0, -2);
  const rank = Math.max(aB.length, bB.length);
  const pad = (d: readonly number[]) => [...new Array(rank - d.length).fill(1), ...d];
  const [pa, pb] = [pad(aB), pad(bB)];
  const batch = pa.map((d, i) => Math.max(d, pb[i] as number));
  const out: number[] = [];
  const idx = new Array(rank).fill(0);
  for (let c = 0; c < size(batch); c++) {
    let ai = 0, bi = 0;
    for (let r = 0; r < rank; r++) {
      ai = ai * (pa[r] as number) + ((pa[r] as number) === 1 ? 0 : idx[r]);
      bi = bi * (pb[r] as number) + ((pb[r] as number) === 1 ? 0 : idx[r]);
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) {
          const x = a[ai * m * k + (ta ? p * m + i : i * k + p)] as number;
          const y = b[bi * k * n + (tb ? j * k + p : p * n + j)] as number;
          sum += x * y;
        }
        out.push(sum);
      }
    }
    for (let r = rank - 1; r >= 0; r--) {
      idx[r] += 1;
      if (idx[r] < (batch[r] as number)) break;
      idx[r] = 0;
    }
  }
  return out;
}

/** Random matMul shapes: batch dims (some broadcast or absent), sizes 1–9 with some 0s, random flags. */
function randomMatMulCases(count: number, seed: number): [number[], number[], boolean, boolean][] {
  const rand = createRandom(seed);
  const dim = () => (rand.uniform() < 0.08 ? 0 : 1 + rand.int(9));
  return Array.from({ length: count }, () => {
    const batch = Array.from({ length: rand.int(3) }, () => 1 + rand.int(3));
    const aBatch = batch.map((d) => (rand.uniform() < 0.3 ? 1 : d)).slice(rand.int(batch.length + 1));
    const bBatch = batch.map((d) => (rand.uniform() < 0.3 ? 1 : d)).slice(rand.int(batch.length + 1));
    const [m, n, k] = [dim(), dim(), dim()];
    const ta = rand.uniform() < 0.5, tb = rand.uniform() < 0.5;
    return [[...aBatch, ...(ta ? [k, m] : [m, k])], [...bBatch, ...(tb ? [n, k] : [k, n])], ta, tb];
  });
}

const FIXED_MATMUL_CASES: [number[], number[], boolean, boolean][] = [
  [[5, 3], [3, 4], false, false],
  [[3, 5], [3, 4], true, false],
  [[5, 3], [4, 3], false, true],
  [[3, 5], [4, 3], true, true],
  [[2, 5, 3], [3, 4], false, false], // b shared: one call with the batches stacked
  [[2, 3, 5], [3, 4], true, false], // b shared, a transposed: one call per batch
  [[5, 3], [2, 3, 4], false, false], // a broadcast
  [[2, 1, 5, 3], [3, 4, 3], false, true], // both broadcast
  [[1, 1, 1], [1, 1, 1], false, false],
  [[1, 7], [7, 5], false, false], // M = 1: sgemv
  [[7, 1], [5, 7], true, true], // M = 1, both transposed
  [[1, 7], [5, 7], false, true],
  [[0, 3], [3, 4], false, false], // M = 0
  [[5, 0], [0, 4], false, false], // K = 0: zeros
  [[5, 3], [3, 0], false, false], // N = 0
  [[0, 5, 3], [0, 3, 4], false, false], // no batches
];

Deno.test({
  name: "wasm-blas BatchMatMul equals wasm's on fixed and random shapes, values and gradients",
  ignore,
  fn: async () => {
    const cases = [...FIXED_MATMUL_CASES, ...randomMatMulCases(30, 7)];
    for (const [i, [as, bs, ta, tb]] of cases.entries()) {
      const label = `matMul [${as}]${ta ? "ᵀ" : ""}·[${bs}]${tb ? "ᵀ" : ""}`;
      const sameBatch = as.slice(0, -2).join() === bs.slice(0, -2).join();
      const k = as[as.length - (ta ? 2 : 1)] as number;
      if (!sameBatch || k === 0) {
        // Broadcast batch dims: tfjs's own BatchMatMul gradient does not sum over them, and wasm's and cpu's
        // kernels both size the output by the larger batch count; K = 0: wasm returns uninitialized memory
        // instead of the empty sum's zeros. The reference is a plain loop there.
        const [aData, bData] = [values(as, 2 * i), values(bs, 2 * i + 1)];
        const [got] = await on(
          "wasm-blas",
          () => tf.matMul(tf.tensor(aData, as), tf.tensor(bData, bs), ta, tb),
        );
        assertAllClose(
          Array.from(got as Float32Array),
          naiveMatMul(aData, as, bData, bs, ta, tb),
          0,
          1e-5,
          label,
        );
        continue;
      }
      await sameAsWasm(label, () => {
        const a = tf.tensor(values(as, 2 * i), as), b = tf.tensor(values(bs, 2 * i + 1), bs);
        return valueAndGrads((x, y) => tf.matMul(x as tf.Tensor, y as tf.Tensor, ta, tb), [a, b], 99);
      });
    }
    // K = 0 is an empty sum: zeros, whatever the output buffer held before.
    const [z] = await on("wasm-blas", () => tf.matMul(tf.zeros([5, 0]), tf.zeros([0, 4])));
    assert.deepEqual(Array.from(z as Float32Array), new Array(20).fill(0));
  },
});

Deno.test({
  name: "wasm-blas _FusedMatMul equals wasm's for every bias shape and activation, and its gradients",
  ignore,
  fn: async () => {
    const activations = ["linear", "relu", "relu6", "elu", "leakyrelu", "prelu", "sigmoid"] as const;
    const shapes: [number[], number[], boolean, boolean, number[] | null][] = [
      [[6, 3], [3, 4], false, false, [4]],
      [[2, 6, 3], [3, 4], false, false, [4]],
      [[3, 6], [4, 3], true, true, [6, 1]], // a column bias
      [[2, 6, 3], [2, 3, 4], false, false, [2, 1, 4]],
      [[6, 3], [4, 3], false, true, []], // a scalar bias
      [[6, 3], [4, 3], false, true, null],
      [[1, 1], [1, 1], false, false, [1]],
      [[0, 3], [3, 4], false, false, [4]],
      [[6, 0], [0, 4], false, false, [4]], // K = 0: the bias alone
    ];
    for (const [i, [as, bs, ta, tb, biasShape]] of shapes.entries()) {
      // wasm's own _FusedMatMul adds the bias wrongly when a has batch dims (rows past the first batch get
      // another row's bias) and refuses a bias of rank ≠ 1: the cpu backend is the reference there.
      // With K = 0 it returns uninitialized memory.
      const k = as[as.length - (ta ? 2 : 1)] as number;
      const reference = as.length > 2 || (biasShape !== null && biasShape.length !== 1) || k === 0
        ? "cpu"
        : "wasm";
      for (const activation of activations) {
        const label = `fused [${as}]·[${bs}] bias [${biasShape}] ${activation}`;
        await sameAsWasm(
          label,
          () => {
            // ×3: outputs reach past relu6's cap.
            const a = tf.mul(tf.tensor(values(as, 3 * i), as), 3), b = tf.tensor(values(bs, 3 * i + 1), bs);
            const bias = biasShape === null ? undefined : tf.tensor(values(biasShape, 3 * i + 2), biasShape);
            const n = tb ? bs[bs.length - 2] as number : bs[bs.length - 1] as number;
            const prelu = tf.tensor(values([n], 5), [n]).abs();
            return tf.fused.matMul({
              a,
              b,
              transposeA: ta,
              transposeB: tb,
              bias,
              activation,
              preluActivationWeights: activation === "prelu" ? prelu : undefined,
              leakyreluAlpha: 0.3,
            });
          },
          1e-5,
          reference,
        );
      }
      // Gradients as tfjs computes them (through BatchMatMul and a bias sum) for the activations it can.
      for (const activation of ["linear", "relu"] as const) {
        // (tfjs's own fused gradient does not sum over a broadcast batch dim of b: same batch dims only.)
        if (biasShape === null || size(as) === 0 || as.slice(0, -2).join() !== bs.slice(0, -2).join()) {
          continue;
        }
        await sameAsWasm(
          `fused gradient [${as}]·[${bs}] bias [${biasShape}] ${activation}`,
          () => {
            const a = tf.tensor(values(as, 3 * i), as), b = tf.tensor(values(bs, 3 * i + 1), bs);
            const bias = tf.tensor(values(biasShape, 3 * i + 2), biasShape);
            return valueAndGrads(
              (x, y, c) =>
                tf.fused.matMul({ a: x, b: y, bias: c, transposeA: ta, transposeB: tb, activation }),
              [a, b, bias],
              11,
            );
          },
          1e-5,
          reference,
        );
      }
    }
  },
});

Deno.test({
  name: "attention on wasm-blas (strided BLAS calls) equals wasm's (grouped products), values and gradients",
  ignore,
  fn: async () => {
    // [T, B, H, d_h]: odd sizes, one position, one head, d_h = 1.
    const shapes: [number, number, number, number][] = [[5, 3, 2, 3], [1, 1, 1, 4], [7, 2, 3, 1], [
      12,
      4,
      2,
      8,
    ]];
    for (const [i, [t, b, h, dh]] of shapes.entries()) {
      const d = h * dh;
      const x = values([t, b, 3 * d], 40 + i);
      const mask = Float32Array.from({ length: t * t }, (_, j) => (j % t > Math.floor(j / t) ? -1e9 : 0));
      await sameAsWasm(`attention T ${t} B ${b} H ${h} dh ${dh}`, () => {
        const m = tf.tensor2d(mask, [t, t]);
        return valueAndGrads((q) => causalSelfAttention(q as tf.Tensor3D, h, m), [
          tf.tensor3d(x, [t, b, 3 * d]),
        ], 7);
      });
    }
    await useBackend("wasm-blas");
    const family = { transA: false, transB: false, m: 2, n: 2, k: 2, alpha: 1, lda: 2, ldb: 2, ldc: 2 };
    const x = tf.zeros([2, 2]);
    const [ok] = await on("wasm-blas", () => {
      const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
      return stridedMatMuls([a, a], [2, 2], [{
        ...family,
        transB: true,
        calls: new Int32Array([0, 0, 1, 0, 0]),
      }]);
    });
    assert.deepEqual(Array.from(ok as Float32Array), [5, 11, 11, 25]); // a·aᵀ
    for (
      const calls of [[0, 1, 0, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [1, 0, 0, 0, 0], [0, -1, 0, 0, 0]]
    ) {
      assert.throws(
        () => stridedMatMuls([x], [2, 2], [{ ...family, calls: new Int32Array(calls) }]),
        /BlasStridedMatMuls: call 0 reads or writes outside its tensors/,
        `calls ${calls}`,
      );
    }
    x.dispose();
    // Its small products run on one thread; the caller's thread count is back afterwards.
    loadBlas().setThreads(2);
    const [two] = await on("wasm-blas", () => {
      const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
      return stridedMatMuls([a, a], [2, 2], [{
        ...family,
        transB: true,
        calls: new Int32Array([0, 0, 1, 0, 0]),
      }]);
    });
    assert.deepEqual(Array.from(two as Float32Array), [5, 11, 11, 25]);
    assert.equal(loadBlas().threads(), 2);
    loadBlas().setThreads(1);
  },
});

const TINY: GptConfig = { vocabSize: 32, contextLength: 12, dModel: 16, layers: 2, heads: 2 };

Deno.test({
  name: "a GPT's log-probs and every parameter gradient on wasm-blas equal wasm's",
  ignore,
  fn: async () => {
    const rows = 4, t = TINY.contextLength;
    const rand = createRandom(21);
    const ids = Int32Array.from({ length: rows * t }, () => rand.int(TINY.vocabSize));
    const targets = Int32Array.from({ length: rows * t }, () => rand.int(TINY.vocabSize));
    await sameAsWasm("gpt", () => {
      const policy = new Gpt(TINY, { seed: 4 });
      const x = tf.tensor2d(ids, [rows, t], "int32"), y = tf.tensor2d(targets, [rows, t], "int32");
      const mask = tf.ones([rows, t]) as tf.Tensor2D;
      const { value, grads } = tf.variableGrads(
        () =>
          tf.sum(
            tf.mul(policy.sequenceLogProbs(x, y, mask).logps, tf.tensor1d([1, -2, 0.5, 3])),
          ) as tf.Scalar,
        policy.variables(),
      );
      const out = [value, ...policy.variables().map((v) => grads[v.name] as tf.Tensor)];
      policy.dispose();
      return out;
    }, 2e-5);
  },
});

// A tiny learnable task: answer with the sum's last digit (chosen) rather than a wrong digit (rejected).
const EXAMPLES = sumPairs(40);

async function runTrainer(
  config: TrainConfig,
  onStep: (metrics: Record<string, number>) => void,
): Promise<void> {
  const gen = train(config);
  let r = await gen.next();
  while (!r.done) {
    if (r.value.type === "step" && r.value.phase === "preference") onStep(r.value.metrics);
    r = await gen.next();
  }
}

function trainConfig(out: string, backend: "wasm" | "wasm-blas", steps: number): TrainConfig {
  return {
    data: EXAMPLES,
    out,
    model: { dModel: 16, layers: 2, heads: 2, contextLength: 16 },
    backend,
    loss: "hmk",
    sft: { steps: 2, batchSize: 8 },
    steps,
    batchSize: 4,
    evalEvery: 0,
    checkpointEvery: 0,
    seed: 3,
  };
}

Deno.test({
  name: "20 trainer steps on wasm-blas give wasm's losses within 1e-4",
  ignore,
  fn: async () => {
    const losses: Record<string, number[]> = { wasm: [], "wasm-blas": [] };
    for (const backend of ["wasm", "wasm-blas"] as const) {
      const out = await Deno.makeTempDir();
      await runTrainer(trainConfig(out, backend, 20), (m) => losses[backend]?.push(m.loss as number));
      await Deno.remove(out, { recursive: true });
    }
    const [a, b] = [losses.wasm as number[], losses["wasm-blas"] as number[]];
    assert.equal(a.length, 20);
    assert.ok(a[0] !== a[19], "the loss moves");
    assertAllClose(b, a, 0, 1e-4, "wasm-blas vs wasm losses");
  },
});

Deno.test({
  name: "over 50 trainer steps on wasm-blas the live tensors, their bytes and the wasm heap stay flat",
  ignore,
  fn: async () => {
    const out = await Deno.makeTempDir();
    const seen: { tensors: number; bytes: number; heap: number }[] = [];
    await runTrainer(trainConfig(out, "wasm-blas", 50), () => {
      const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength;
      seen.push({ tensors: tf.memory().numTensors, bytes: tf.memory().numBytes, heap });
    });
    await Deno.remove(out, { recursive: true });
    assert.equal(seen.length, 50);
    assert.equal(tf.getBackend(), "wasm-blas");
    assert.deepEqual(
      seen[49],
      seen[5],
      `grew from ${JSON.stringify(seen[5])} to ${JSON.stringify(seen[49])}`,
    );
  },
});

Deno.test({
  name: "a missing BLAS is an error naming the package to install; the backend table lists wasm-blas",
  ignore,
  fn: () => {
    assert.deepEqual(blasCandidates(() => "/nowhere/libblas.so"), ["/nowhere/libblas.so"]);
    assert.ok(blasCandidates(() => undefined).some((p) => p.includes("openblas")));
    assert.ok(blasCandidates(() => undefined).some((p) => p.includes("Accelerate")));
    assert.throws(
      () => loadBlas(["/nowhere/libblas.so"]),
      /no BLAS library found: install OpenBLAS \(Debian\/Ubuntu: apt-get install libopenblas0-pthread.*\/nowhere\/libblas\.so/,
    );
    assert.ok("wasm-blas" in BACKENDS);
    const blas = loadBlas();
    blas.setThreads(1);
    assert.equal(blas.threads() ?? 1, 1);
    assert.throws(() => blas.setThreads(0), /threads must be an integer ≥ 1, got 0/);
  },
});

Deno.test({
  name: "with no backend named, commands get wasm-blas, announced with its library and threads",
  ignore,
  fn: () => {
    const choice = chooseCpuBackend(undefined, 1);
    assert.equal(choice.backend, "wasm-blas");
    assert.match(choice.announcement, /^backend wasm-blas: .*OpenBLAS.*libopenblas.*, 1 thread$/);
    assert.equal(loadBlas().threads(), 1);
    assert.match(chooseCpuBackend(undefined, 2).announcement, /, 2 threads$/);
    assert.deepEqual(chooseCpuBackend("cpu"), { backend: "cpu", announcement: "backend cpu" });
    assert.throws(() => chooseCpuBackend(undefined, 0), /threads must be an integer ≥ 1, got 0/);
    loadBlas().setThreads(1);
  },
});

Deno.test({
  name: "Identity on wasm-blas shares the buffer: a clone outlives or predeceases its source, then both free",
  ignore,
  fn: async () => {
    await useBackend("wasm-blas");
    const before = tf.memory().numTensors;
    const heap = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    const buffers = heap();
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    assert.equal(heap(), buffers + 1, "one buffer for both");
    x.dispose();
    assert.deepEqual(Array.from(await y.data()), [1, 2, 3]);
    const z = tf.clone(y);
    z.dispose();
    assert.deepEqual(Array.from(await y.data()), [1, 2, 3]);
    y.dispose();
    assert.equal(tf.memory().numTensors, before);
    assert.equal(heap(), buffers);
  },
});

Deno.test({
  name:
    "AdamW's fused update on wasm-blas equals its tfjs ops on wasm (decay, learning-rate scales, 5 steps)",
  ignore,
  fn: async () => {
    const run = async (backend: string): Promise<Float32Array[]> => {
      await useBackend(backend);
      const vars = [
        tf.variable(tf.tensor(values([3, 4], 1), [3, 4])),
        tf.variable(tf.tensor(values([5], 2), [5])),
      ];
      const opt = new AdamW(vars, { weightDecay: 0.1, learningRateScale: [1, 3] });
      for (let step = 0; step < 5; step++) {
        const grads = vars.map((v, i) => tf.tensor(values(v.shape, 10 * step + i), v.shape));
        opt.apply(grads, 0.01 * (step + 1));
        tf.dispose(grads);
      }
      const state = opt.state();
      const out = await Promise.all(
        [...vars, ...state.values()].map(async (t) => (await t.data()) as Float32Array),
      );
      tf.dispose([...vars, ...state.values()]);
      opt.dispose();
      return out;
    };
    const want = await run("wasm");
    const got = await run("wasm-blas");
    got.forEach((g, i) =>
      assertAllClose(Array.from(g), Array.from(want[i] as Float32Array), 1e-5, 1e-7, `tensor ${i}`)
    );
  },
});
