// The hybrid term's embedder choice (lib/train/frozen_embedder.ts): the reference's margins against an
// independent float64 computation from separately pooled embeddings, the cache, the config's validation, the
// frozen embedder staying fixed (and off the gradient) while the policy trains, the trainable one on it
// (finite differences), and a flat tensor count.
import * as tf from "@tensorflow/tfjs";
import {
  cachedReferenceEmbeddingMargins,
  hybridEmbeddingMargins,
  isHybridEmbedder,
  pairEmbeddingMargin,
  referenceEmbeddingMargins,
} from "../lib/train/frozen_embedder.ts";
import { disposeBatch, encodePair, sequenceBatch } from "../lib/train/batch.ts";
import { resolveTrainConfig } from "../lib/train/config.ts";
import { tensorPreferenceLoss } from "../lib/train/tensor_losses.ts";
import { tripletEmbeddings } from "../lib/eval/embeddings.ts";
import { Gpt } from "../lib/model/gpt.ts";
import { createRandom } from "../lib/math/random.ts";
import { ByteTokenizer } from "../lib/tokenizer/mod.ts";
import { loadCheckpoint } from "../lib/io/mod.ts";
import { train } from "../lib/train/mod.ts";
import { sumPairs, TINY_MODEL } from "./_fixtures.ts";
import { assert, assertClose } from "./_assert.ts";

await tf.setBackend("cpu");

const tokenizer = new ByteTokenizer();
const CONFIG = { vocabSize: 256, contextLength: 16, dModel: 8, layers: 1, heads: 2 };
const EXAMPLES = sumPairs(9);
const PAIRS = EXAMPLES.map((e) => encodePair(e, tokenizer, CONFIG.contextLength));

function cos64(a: readonly number[], b: readonly number[]): number {
  let ab = 0, aa = 0, bb = 0;
  a.forEach((x, i) => {
    ab += x * b[i]!;
    aa += x * x;
    bb += b[i]! * b[i]!;
  });
  return ab / (Math.sqrt(aa) * Math.sqrt(bb));
}

Deno.test("the reference's margins equal cos(e_x, e_w) − cos(e_x, e_l) of separately pooled embeddings, at any batch size", async () => {
  const reference = new Gpt(CONFIG, { seed: 5, trainable: false });
  // tripletEmbeddings pools the prompt alone (causal attention: the same states as in the pair) — a second path.
  const triplets = await tripletEmbeddings(reference, tokenizer, EXAMPLES);
  const want = triplets.map((r) => cos64(r.prompt, r.chosen) - cos64(r.prompt, r.rejected));
  assert.ok(want.some((w) => Math.abs(w) > 1e-3), "degenerate fixture: every margin is 0");
  for (const batchSize of [1, 4, 32]) {
    const got = await referenceEmbeddingMargins(reference, PAIRS, batchSize);
    assert.equal(got.length, want.length);
    got.forEach((g, i) => assertClose(g, want[i]!, 1e-4, 1e-5, `pair ${i}, batch ${batchSize}`));
  }
  await assert.rejects(() => referenceEmbeddingMargins(reference, PAIRS, 0), RangeError);
  reference.dispose();
});

Deno.test("the reference's margins are cached by its weights and data; the tensor count stays flat", async () => {
  const dir = await Deno.makeTempDir({ prefix: "frozen-embedder-" });
  const reference = new Gpt(CONFIG, { seed: 5, trainable: false });
  const before = tf.memory().numTensors;
  const first = await cachedReferenceEmbeddingMargins(reference, PAIRS, 4, "byte", dir);
  const again = await cachedReferenceEmbeddingMargins(reference, PAIRS, 4, "byte", dir);
  assert.equal(tf.memory().numTensors, before);
  assert.ok(!first.cached && again.cached);
  assert.deepEqual(Array.from(again.margins), Array.from(first.margins));
  // Other data: another entry, computed afresh.
  const other = await cachedReferenceEmbeddingMargins(reference, PAIRS.slice(1), 4, "byte", dir);
  assert.ok(!other.cached);
  assert.deepEqual(Array.from(other.margins), Array.from(first.margins.slice(1)));
  // Other weights: another entry too.
  const changed = new Gpt(CONFIG, { seed: 6, trainable: false });
  const moved = await cachedReferenceEmbeddingMargins(changed, PAIRS, 4, "byte", dir);
  assert.ok(!moved.cached);
  assert.notDeepEqual(Array.from(moved.margins), Array.from(first.margins));
  changed.dispose();
  reference.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("config.embedder defaults to the frozen reference and rejects what is neither a choice nor a folder", async () => {
  assert.equal(resolveTrainConfig({ data: EXAMPLES, out: "o", loss: "hybrid" }).embedder, "reference");
  assert.equal(resolveTrainConfig({ data: EXAMPLES, out: "o", embedder: "policy" }).embedder, "policy");
  for (const bad of ["", 3, { model: 2 }, ["policy"]]) {
    assert.ok(!isHybridEmbedder(bad));
    assert.throws(
      // deno-lint-ignore no-explicit-any
      () => resolveTrainConfig({ data: EXAMPLES, out: "o", embedder: bad as any }),
      (e: Error) => e instanceof RangeError && e.message.includes("config.embedder"),
      `accepted ${JSON.stringify(bad)}`,
    );
  }
  const reference = new Gpt(CONFIG, { seed: 5, trainable: false });
  const inputs = { reference, pairs: PAIRS, examples: EXAMPLES, batchSize: 4, tokenizer: "byte", out: "." };
  await assert.rejects(
    () => hybridEmbeddingMargins("no/such/model-folder", inputs),
    (e: Error) => e instanceof RangeError && e.message.includes("no/such/model-folder"),
  );
  await assert.rejects(
    () => hybridEmbeddingMargins("reference", { ...inputs, examples: EXAMPLES.slice(1) }),
    RangeError,
  );
  assert.equal(await hybridEmbeddingMargins("policy", inputs), undefined);
  const viaChoice = await hybridEmbeddingMargins("reference", inputs);
  assert.deepEqual(Array.from(viaChoice!), Array.from(await referenceEmbeddingMargins(reference, PAIRS, 4)));
  reference.dispose();
});

/** One hybrid-loss SGD step on the policy, with the embedding margin from `margin`; returns the graded names. */
function hybridStep(policy: Gpt, margin: (hidden: tf.Tensor3D) => tf.Tensor1D): string[] {
  const batch = sequenceBatch(
    [...PAIRS.map((p) => p.chosen), ...PAIRS.map((p) => p.rejected)],
    CONFIG.contextLength,
  );
  const names = tf.tidy(() => {
    const { grads } = tf.variableGrads(() => {
      const out = policy.sequenceLogProbs(batch.ids, batch.targets, batch.responseMask);
      const [pc, pr] = tf.split(out.logps, 2) as [tf.Tensor1D, tf.Tensor1D];
      return tensorPreferenceLoss({
        policyChosen: pc,
        policyRejected: pr,
        referenceChosen: tf.zerosLike(pc),
        referenceRejected: tf.zerosLike(pr),
        embeddingMargin: margin(out.hidden),
      }, { loss: "hybrid", beta: 0.1, gamma: 2 }).loss;
    });
    for (const v of policy.variables()) v.assign(tf.sub(v, tf.mul(0.5, grads[v.name]!)));
    return Object.keys(grads);
  });
  disposeBatch(batch);
  return names;
}

Deno.test("the frozen embedder's margins do not change while the policy trains on them, and get no gradient", async () => {
  const reference = new Gpt(CONFIG, { seed: 5, trainable: false });
  const policy = reference.clone();
  const referenceNames = new Set([...reference.params.values()].map((v) => v.name));
  const frozen = await referenceEmbeddingMargins(reference, PAIRS, 4);
  const before = tf.memory().numTensors;
  for (let step = 0; step < 3; step++) {
    const graded = hybridStep(policy, () => tf.tensor1d(frozen));
    assert.ok(
      graded.length > 0 && graded.every((n) => !referenceNames.has(n)),
      "a reference weight was graded",
    );
    assert.equal(tf.memory().numTensors, before, `tensors leaked at step ${step}`);
  }
  assert.deepEqual(Array.from(await referenceEmbeddingMargins(reference, PAIRS, 4)), Array.from(frozen));
  // The policy did move: its own margins (what "policy" would use) are no longer the frozen ones.
  const moved = await referenceEmbeddingMargins(policy, PAIRS, 4);
  assert.ok(moved.some((m, i) => Math.abs(m - frozen[i]!) > 1e-4), "the policy did not train");
  policy.dispose();
  reference.dispose();
});

Deno.test("the policy embedder's margin carries gradient, equal to finite differences", () => {
  const policy = new Gpt(CONFIG, { seed: 7 });
  const batch = sequenceBatch(
    [...PAIRS.map((p) => p.chosen), ...PAIRS.map((p) => p.rejected)],
    CONFIG.contextLength,
  );
  const f = () => tf.sum(pairEmbeddingMargin(policy.forward(batch.ids).hidden, batch)) as tf.Scalar;
  const vars = ["h.0.ln_1.weight", "h.0.attn.c_attn.weight", "h.0.mlp.c_fc.weight"].map((n) =>
    policy.param(n)
  );
  const r = createRandom(4);
  const dirs = vars.map((v) => tf.tensor(Array.from({ length: v.size }, () => r.normal()), v.shape));
  const got = tf.tidy(() => {
    const { grads } = tf.variableGrads(f, vars);
    return vars.reduce(
      (s, v, i) => s + (tf.sum(tf.mul(grads[v.name]!, dirs[i]!)).dataSync()[0] as number),
      0,
    );
  });
  const originals = vars.map((v) => tf.clone(v));
  const at = (s: number) => {
    vars.forEach((v, i) => v.assign(tf.tidy(() => tf.add(originals[i]!, tf.mul(dirs[i]!, s)))));
    const value = tf.tidy(() => f().dataSync()[0] as number);
    vars.forEach((v, i) => v.assign(originals[i]!));
    return value;
  };
  const h = 2.5e-4;
  const want = (at(h) - at(-h)) / (2 * h);
  assert.ok(Math.abs(want) > 1e-2, `degenerate direction: ${want}`);
  assertClose(got, want, 1e-2, 1e-3);
  tf.dispose([...dirs, ...originals]);
  disposeBatch(batch);
  policy.dispose();
});

Deno.test("a hybrid run with the default embedder caches the reference's margins, unchanged by training", async () => {
  const out = await Deno.makeTempDir({ prefix: "frozen-embedder-run-" });
  const cache = await Deno.makeTempDir({ prefix: "frozen-embedder-cache-" });
  const saved = Deno.env.get("DPO_KERNELS_CACHE");
  Deno.env.set("DPO_KERNELS_CACHE", cache);
  try {
    const data = sumPairs(24);
    const config = {
      data,
      out,
      model: TINY_MODEL,
      backend: "cpu" as const,
      loss: "hybrid" as const,
      sft: { steps: 3, batchSize: 8 },
      steps: 4,
      batchSize: 4,
      evalFraction: 0,
      evalEvery: 0,
      checkpointEvery: 0,
      seed: 3,
    };
    for await (const _ of train(config)) { /* run to the end */ }
    const files = [...Deno.readDirSync(cache)].map((e) => e.name).filter((n) => n.endsWith(".embedding.f32"));
    assert.equal(files.length, 1, `cache: ${files}`);
    const ckpt = await loadCheckpoint(`${out}/reference`);
    const reference = new Gpt(ckpt.config, { weights: ckpt.weights, trainable: false });
    tf.dispose([...ckpt.weights.values()]);
    const pairs = data.map((e) => encodePair(e, tokenizer, ckpt.config.contextLength));
    const stored = new Float32Array((await Deno.readFile(`${cache}/${files[0]}`)).buffer);
    assert.deepEqual(Array.from(await referenceEmbeddingMargins(reference, pairs, 4)), Array.from(stored));
    reference.dispose();
  } finally {
    if (saved === undefined) Deno.env.delete("DPO_KERNELS_CACHE");
    else Deno.env.set("DPO_KERNELS_CACHE", saved);
    await Deno.remove(out, { recursive: true });
    await Deno.remove(cache, { recursive: true });
  }
});
