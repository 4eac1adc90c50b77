import * as tf from "@tensorflow/tfjs";
import { assert, assertAllClose, assertClose } from "./_assert.ts";
import { preferVulkanOnLinux, useBackend } from "../lib/model/backend.ts";
import { Gpt } from "../lib/model/gpt.ts";
import {
  causalSelfAttention,
  embed,
  gelu,
  layerNorm,
  linear,
  matMul,
  tokenLogProbs,
} from "../lib/model/ops.ts";
import { createRandom } from "../lib/math/random.ts";
import type { GptConfig } from "../lib/model/config.ts";

// Before any adapter request in this process (issue 8): wgpu on Vulkan only, as useBackend("webgpu") sets it.
preferVulkanOnLinux();

const TINY: GptConfig = { vocabSize: 32, contextLength: 12, dModel: 16, layers: 2, heads: 2 };

/** A seeded DPO-shaped batch: `2·pairs` rows, the response is the second half of each row. */
function batch(config: GptConfig, pairs: number, seed: number) {
  const rand = createRandom(seed);
  const t = config.contextLength;
  const n = 2 * pairs * t;
  return {
    ids: tf.tensor2d(
      Int32Array.from({ length: n }, () => rand.int(config.vocabSize)),
      [2 * pairs, t],
      "int32",
    ),
    targets: tf.tensor2d(
      Int32Array.from({ length: n }, () => rand.int(config.vocabSize)),
      [2 * pairs, t],
      "int32",
    ),
    mask: tf.tensor2d(Float32Array.from({ length: n }, (_, i) => (i % t) >= t / 2 ? 1 : 0), [2 * pairs, t]),
  };
}

/** Sigmoid DPO (β = 0.1) against a reference's precomputed log-probs: mean softplus(−β·margin). */
function dpoLoss(logps: tf.Tensor1D, ref: tf.Tensor1D, pairs: number): tf.Scalar {
  const z = tf.sub(logps, ref);
  return tf.mean(
    tf.softplus(tf.mul(-0.1, tf.sub(tf.slice(z, 0, pairs), tf.slice(z, pairs, pairs)))),
  ) as tf.Scalar;
}

/** Losses of `steps` Adam steps of DPO on the given backend, from seed 3. */
async function trainLosses(backend: string, steps: number): Promise<number[]> {
  await useBackend(backend);
  const pairs = 2;
  const policy = new Gpt(TINY, { seed: 3 });
  const reference = policy.clone({ trainable: false });
  const data = batch(TINY, pairs, 5);
  // Make the reference differ from the policy so the loss has a signal from the first step.
  const ref = tf.tidy(() =>
    tf.mul(reference.sequenceLogProbs(data.ids, data.targets, data.mask).logps, 1.01)
  ) as tf.Tensor1D;
  const opt = tf.train.adam(1e-2);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const cost = opt.minimize(
      () => dpoLoss(policy.sequenceLogProbs(data.ids, data.targets, data.mask).logps, ref, pairs),
      true,
    );
    losses.push((await cost!.data())[0] as number);
    cost!.dispose();
  }
  opt.dispose();
  policy.dispose();
  reference.dispose();
  tf.dispose([ref, data.ids, data.targets, data.mask]);
  return losses;
}

Deno.test("cpu and wasm give the same DPO losses over Adam steps", async () => {
  const cpu = await trainLosses("cpu", 4);
  const wasm = await trainLosses("wasm", 4);
  assert.ok(cpu[0] !== cpu[3], "the loss moves");
  assertAllClose(wasm, cpu, 1e-4, 1e-6, "wasm vs cpu losses");
});

/** Random tensor from a seeded generator. */
function randn(shape: number[], seed: number): tf.Tensor {
  const rand = createRandom(seed);
  return tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand.normal()),
    shape,
  );
}

/** Gradients of Σ w ⊙ f(inputs) with respect to the inputs. */
function gradsOf(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], seed: number): Float32Array[] {
  return tf.tidy(() => {
    const out = f(...inputs);
    const w = randn(out.shape, seed);
    return tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), w)))(inputs).map((g) =>
      g.dataSync() as Float32Array
    );
  });
}

Deno.test("the custom matMul's gradient equals tf.matMul's on cpu", async () => {
  await useBackend("cpu");
  const cases: [number[], number[]][] = [
    [[5, 3], [3, 4]],
    [[2, 5, 3], [3, 4]], // rank 3 × rank 2
    [[2, 3, 5, 3], [3, 4]], // rank 4 × rank 2
    [[2, 5, 3], [2, 3, 4]],
    [[2, 3, 5, 6], [2, 3, 6, 4]], // rank 4 × rank 4
    [[300, 8], [8, 40]], // tall: the transposing path of the weight gradient
    [[320, 40], [40, 8]], // tall and wide: the other path
  ];
  for (const [i, [sa, sb]] of cases.entries()) {
    const a = randn(sa, 10 + i);
    const b = randn(sb, 20 + i);
    const ours = gradsOf((x, y) => matMul(x as tf.Tensor, y as tf.Tensor), [a, b], 30 + i);
    // tf.matMul's own gradient does not sum a rank-2 b's gradient over a's batch dims, so that case goes
    // through a reshape to 2-D (still tf.matMul's gradient).
    const builtIn = (x: tf.Tensor, y: tf.Tensor) =>
      y.rank === 2 && x.rank > 2
        ? tf.reshape(tf.matMul(tf.reshape(x, [-1, sa.at(-1)!]), y), [...sa.slice(0, -1), sb[1]!])
        : tf.matMul(x, y);
    const theirs = gradsOf((x, y) => builtIn(x!, y!), [a, b], 30 + i);
    assertAllClose(ours[0]!, theirs[0]!, 1e-4, 1e-4, `∂a ${sa}×${sb}`);
    assertAllClose(ours[1]!, theirs[1]!, 1e-4, 1e-4, `∂b ${sa}×${sb}`);
    tf.dispose([a, b]);
  }
});

Deno.test("the other custom-gradient ops match autodiff of their plain formulas on cpu", async () => {
  await useBackend("cpu");
  const check = (name: string, ours: Float32Array[], theirs: Float32Array[]) => {
    ours.forEach((g, i) => assertAllClose(g, theirs[i]!, 1e-4, 1e-4, `${name} ∂input ${i}`));
  };
  const x = randn([3, 4, 8], 1),
    w = randn([8, 6], 2),
    b = randn([6], 3),
    gamma = randn([8], 4),
    beta = randn([8], 5);
  check(
    "linear",
    gradsOf((x, w, b) => linear(x!, w!, b), [x, w, b], 6),
    gradsOf((x, w, b) => tf.add(tf.matMul(tf.reshape(x!, [-1, 8]), w!), b!).reshape([3, 4, 6]), [x, w, b], 6),
  );
  check(
    "layerNorm",
    gradsOf((x, g, b) => layerNorm(x!, g!, b!, 1e-5), [x, gamma, beta], 7),
    gradsOf(
      (x, g, b) => {
        const { mean, variance } = tf.moments(x!, -1, true);
        return tf.add(tf.mul(tf.div(tf.sub(x!, mean), tf.sqrt(tf.add(variance, 1e-5))), g!), b!);
      },
      [x, gamma, beta],
      7,
    ),
  );
  const big = tf.mul(x, 3);
  check(
    "gelu",
    gradsOf((x) => gelu(x!), [big], 8),
    gradsOf(
      (x) => {
        const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x!, tf.mul(0.044715, tf.pow(x!, 3))));
        return tf.mul(tf.mul(0.5, x!), tf.add(1, tf.tanh(inner)));
      },
      [big],
      8,
    ),
  );
  const ids = tf.tensor2d([[1, 3, 3], [0, 5, 1]], [2, 3], "int32");
  const table = randn([6, 8], 9);
  check(
    "embed",
    gradsOf((t) => embed(ids, t as tf.Tensor2D), [table], 10),
    gradsOf((t) => tf.reshape(tf.matMul(tf.oneHot(tf.reshape(ids, [-1]), 6).toFloat(), t!), [2, 3, 8]), [
      table,
    ], 10),
  );
  const logits = randn([2, 3, 6], 11);
  check(
    "tokenLogProbs",
    gradsOf((l) => tokenLogProbs(l as tf.Tensor3D, ids), [logits], 12),
    gradsOf((l) => tf.sum(tf.mul(tf.logSoftmax(l!, -1), tf.oneHot(ids, 6).toFloat()), -1), [logits], 12),
  );
  // Attention: time-major q|k|v [T, B, 3D] against the textbook batch-major computation.
  const [t, bsz, d, h] = [5, 2, 8, 2];
  const qkv = randn([t, bsz, 3 * d], 13);
  const mask = tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([t, t]), -1, 0)), -1e9) as tf.Tensor2D;
  const reference = (x: tf.Tensor) => {
    const [q, k, v] = tf.split(x, 3, -1).map((m) =>
      tf.transpose(tf.reshape(m, [t, bsz, h, d / h]), [1, 2, 0, 3])
    );
    const s = tf.add(tf.div(tf.matMul(q!, k!, false, true), Math.sqrt(d / h)), mask);
    const o = tf.matMul(tf.softmax(s, -1), v!); // [B, H, T, dh]
    return tf.reshape(tf.transpose(o, [2, 0, 1, 3]), [t, bsz, d]);
  };
  const ours = tf.tidy(() => causalSelfAttention(qkv as tf.Tensor3D, h, mask).dataSync());
  const theirs = tf.tidy(() => reference(qkv).dataSync());
  assertAllClose(ours, theirs, 1e-4, 1e-5, "attention value");
  check(
    "attention",
    gradsOf((x) => causalSelfAttention(x as tf.Tensor3D, h, mask), [qkv], 14),
    gradsOf((x) => reference(x!), [qkv], 14),
  );
  tf.dispose([x, w, b, gamma, beta, big, ids, table, logits, qkv, mask]);
});

Deno.test("the wasm attention (depthwise convolutions) matches cpu's", async () => {
  const [t, bsz, d, h] = [6, 3, 12, 3];
  const run = async (backend: string) => {
    await useBackend(backend);
    const qkv = randn([t, bsz, 3 * d], 15) as tf.Tensor3D;
    const mask = tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([t, t]), -1, 0)), -1e9) as tf.Tensor2D;
    const value = tf.tidy(() => causalSelfAttention(qkv, h, mask).dataSync() as Float32Array);
    const [grad] = gradsOf((x) => causalSelfAttention(x as tf.Tensor3D, h, mask), [qkv], 16);
    tf.dispose([qkv, mask]);
    return [value, grad as Float32Array] as const;
  };
  const [cpuValue, cpuGrad] = await run("cpu");
  const [wasmValue, wasmGrad] = await run("wasm");
  assertAllClose(wasmValue, cpuValue, 1e-4, 1e-5, "value");
  assertAllClose(wasmGrad, cpuGrad, 1e-4, 1e-5, "gradient");
});

Deno.test({
  name: "a tiny forward runs on webgpu",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (ctx) => {
    const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    if (gpu === undefined) {
      console.log("skipped: navigator.gpu is undefined (run deno test with --unstable-webgpu)");
      return;
    }
    if ((await gpu.requestAdapter()) === null) {
      console.log("skipped: no WebGPU adapter (install a GPU driver or Mesa's mesa-vulkan-drivers)");
      return;
    }
    const data = {
      ids: [[1, 2, 3, 4, 5, 6, 7, 8], [8, 7, 6, 5, 4, 3, 2, 1]],
      targets: [[2, 3, 4, 5, 6, 7, 8, 9], [7, 6, 5, 4, 3, 2, 1, 0]],
    };
    const forward = async (backend: string) => {
      // The project's own test runs the path on whatever adapter there is, Mesa's llvmpipe included.
      await useBackend(backend, { allowSoftwareGpu: true, log: () => {} });
      const model = new Gpt(TINY, { seed: 1 });
      const ids = tf.tensor2d(data.ids, [2, 8], "int32");
      const targets = tf.tensor2d(data.targets, [2, 8], "int32");
      const mask = tf.onesLike(ids).toFloat() as tf.Tensor2D;
      const out = tf.tidy(() => {
        const r = model.sequenceLogProbs(ids, targets, mask);
        return [r.logits, r.logps];
      });
      const [logits, logps] = [await out[0]!.data(), await out[1]!.data()];
      tf.dispose([...out, ids, targets, mask]);
      model.dispose();
      return { logits, logps };
    };
    const gpuOut = await forward("webgpu");
    const cpuOut = await forward("cpu");
    assert.equal(gpuOut.logits.length, 2 * 8 * TINY.vocabSize);
    assertAllClose(gpuOut.logps, cpuOut.logps, 1e-3, 1e-3, `${ctx.name}: logps`);
  },
});

Deno.test("tensor count stays flat across 50 training steps", async () => {
  await useBackend("wasm");
  const config: GptConfig = { vocabSize: 16, contextLength: 8, dModel: 8, layers: 1, heads: 2 };
  const policy = new Gpt(config, { seed: 2 });
  const data = batch(config, 2, 4);
  const ref = tf.zeros([4]) as tf.Tensor1D;
  const opt = tf.train.adam(1e-3);
  const step = () => {
    const cost = opt.minimize(
      () => dpoLoss(policy.sequenceLogProbs(data.ids, data.targets, data.mask).logps, ref, 2),
      true,
    );
    cost!.dispose();
  };
  step(); // Adam creates its moments on the first step.
  const before = tf.memory().numTensors;
  for (let i = 0; i < 50; i++) step();
  assert.equal(tf.memory().numTensors, before, "numTensors after 50 more steps");
  // A forward outside a gradient leaks nothing either, once disposed.
  const out = tf.tidy(() => policy.sequenceLogProbs(data.ids, data.targets, data.mask).logps);
  out.dispose();
  assert.equal(tf.memory().numTensors, before, "numTensors after a forward");
  opt.dispose();
  policy.dispose();
  tf.dispose([ref, data.ids, data.targets, data.mask]);
});

Deno.test("a bad config or input names the field", async () => {
  await useBackend("cpu");
  const bad: [Partial<GptConfig>, RegExp][] = [
    [{ dModel: 0 }, /config\.dModel/],
    [{ layers: 1.5 }, /config\.layers/],
    [{ vocabSize: -1 }, /config\.vocabSize/],
    [{ contextLength: Number.NaN }, /config\.contextLength/],
    [{ heads: 3 }, /config\.heads/],
    [{ layerNormEpsilon: 0 }, /config\.layerNormEpsilon/],
  ];
  for (const [patch, pattern] of bad) {
    assert.throws(
      () => new Gpt({ ...TINY, ...patch }),
      (e: unknown) => e instanceof RangeError && pattern.test(e.message),
    );
  }
  const wrong = tf.zeros([3, 3]);
  assert.throws(
    () => new Gpt(TINY, { weights: { "wte.weight": wrong } }),
    (e: unknown) => e instanceof RangeError && /wte\.weight/.test(e.message),
  );
  wrong.dispose();
  const model = new Gpt(TINY);
  const ids = tf.zeros([1, TINY.contextLength + 1], "int32") as tf.Tensor2D;
  assert.throws(
    () => model.forward(ids),
    (e: unknown) => e instanceof RangeError && /contextLength/.test(e.message),
  );
  assert.throws(() => model.param("nope"), /nope/);
  assertClose(model.parameterCount(), model.variables().reduce((s, v) => s + v.size, 0));
  ids.dispose();
  model.dispose();
});
