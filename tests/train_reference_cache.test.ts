import * as tf from "@tensorflow/tfjs";
import { sumPairs } from "./_fixtures.ts";
import { assert } from "./_assert.ts";
import { useBackend } from "../lib/model/backend.ts";
import { Gpt } from "../lib/model/gpt.ts";
import type { EncodedPair } from "../lib/train/batch.ts";
import { pairLogProbs } from "../lib/train/logprobs.ts";
import { cachedPairLogProbs, referenceCacheDir, referenceCacheKey } from "../lib/train/reference_cache.ts";
import { train, type TrainConfig } from "../lib/train/mod.ts";

const SHAPE = { vocabSize: 16, contextLength: 8, dModel: 8, layers: 1, heads: 2 };

function pairs(seed: number, count: number): EncodedPair[] {
  return Array.from({ length: count }, (_, i) => ({
    chosen: { tokens: [1 + i % 5, 2, 3 + seed % 7, 4, 5], promptLength: 2 },
    rejected: { tokens: [1 + i % 5, 2, 6, (7 + i) % 16], promptLength: 2 },
    category: null,
  }));
}

Deno.test("the cache returns the computed log-probs on the second call, and recomputes a damaged entry", async () => {
  await useBackend("cpu");
  const dir = await Deno.makeTempDir();
  const model = new Gpt(SHAPE, { seed: 1 });
  const data = pairs(0, 5);
  const direct = await pairLogProbs(model, data, 2);
  const first = await cachedPairLogProbs(model, data, 2, "byte", dir);
  const again = await cachedPairLogProbs(model, data, 2, "byte", dir);
  assert.equal(first.cached, false);
  assert.equal(again.cached, true);
  assert.deepEqual(Array.from(again.chosen), Array.from(direct.chosen));
  assert.deepEqual(Array.from(again.rejected), Array.from(direct.rejected));
  const [entry] = [...Deno.readDirSync(dir)];
  assert.equal(entry?.name, `${await referenceCacheKey(model, data, "byte")}.f32`);
  // A truncated entry (an interrupted writer elsewhere) is not trusted.
  await Deno.writeFile(`${dir}/${entry?.name}`, new Uint8Array(12));
  const repaired = await cachedPairLogProbs(model, data, 2, "byte", dir);
  assert.equal(repaired.cached, false);
  assert.deepEqual(Array.from(repaired.chosen), Array.from(direct.chosen));
  // No folder: nothing cached.
  assert.equal((await cachedPairLogProbs(model, data, 2, "byte", undefined)).cached, false);
  model.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the key changes with the weights, the data, the tokenizer and the context, and with nothing else", async () => {
  await useBackend("cpu");
  const model = new Gpt(SHAPE, { seed: 1 });
  const data = pairs(0, 4);
  const key = await referenceCacheKey(model, data, "byte");
  // Same weights in another object, on another backend: the same key.
  const copy = model.clone({ trainable: false });
  assert.equal(await referenceCacheKey(copy, data, "byte"), key);
  await useBackend("wasm");
  assert.equal(await referenceCacheKey(copy, data, "byte"), key);
  copy.dispose();
  await useBackend("cpu");
  const changed: string[] = [];
  // One weight moved by 1e-6.
  const w = model.param("h.0.attn.c_attn.bias");
  const saved = tf.clone(w);
  w.assign(tf.add(w, tf.oneHot([3], w.shape[0] as number).reshape(w.shape).mul(1e-6)));
  changed.push(await referenceCacheKey(model, data, "byte"));
  w.assign(saved);
  assert.equal(await referenceCacheKey(model, data, "byte"), key, "restored weights, restored key");
  // One token of one pair; a prompt boundary; one pair fewer.
  const edited = pairs(0, 4);
  (edited[2] as EncodedPair).rejected.tokens[3] = 0;
  changed.push(await referenceCacheKey(model, edited, "byte"));
  const moved = pairs(0, 4);
  (moved[0] as EncodedPair).chosen.promptLength = 3;
  changed.push(await referenceCacheKey(model, moved, "byte"));
  changed.push(await referenceCacheKey(model, data.slice(0, 3), "byte"));
  // The tokenizer; the context length (same weights otherwise).
  changed.push(await referenceCacheKey(model, data, "gpt2"));
  const weights = new Map([...model.params].map(([n, v]) => [n, v as tf.Tensor]));
  const longer = new Gpt({ ...SHAPE, contextLength: 16 }, {
    weights: new Map([...weights].map(([n, v]) => [n, n === "wpe.weight" ? tf.concat([v, v]) : v])),
  });
  const shorter = new Gpt(SHAPE, { weights });
  assert.equal(await referenceCacheKey(shorter, data, "byte"), key);
  changed.push(await referenceCacheKey(longer, data, "byte"));
  assert.equal(new Set([key, ...changed]).size, changed.length + 1, "every change gives a new key");
  tf.dispose([saved, longer.param("wpe.weight")]);
  [model, longer, shorter].forEach((m) => m.dispose());
});

const EXAMPLES = sumPairs(24);

Deno.test("a second trainer run from the same reference reads its log-probs from the cache", async () => {
  const cache = await Deno.makeTempDir();
  const before = Deno.env.get("DPO_KERNELS_CACHE");
  Deno.env.set("DPO_KERNELS_CACHE", cache);
  try {
    const losses: number[][] = [];
    for (let run = 0; run < 2; run++) {
      const out = await Deno.makeTempDir();
      const config: TrainConfig = {
        data: EXAMPLES,
        out,
        model: { dModel: 8, layers: 1, heads: 2, contextLength: 16 },
        backend: "cpu",
        sft: { steps: 2, batchSize: 8 },
        steps: 3,
        batchSize: 4,
        evalEvery: 0,
        checkpointEvery: 0,
        seed: 3,
      };
      const seen: number[] = [];
      for await (const e of train(config)) {
        if (e.type === "step" && e.phase === "preference") seen.push(e.metrics.loss as number);
      }
      losses.push(seen);
      await Deno.remove(out, { recursive: true });
      // The training and held-out sets' entries exist after the first run and are reused by the second.
      const entries = [...Deno.readDirSync(cache)].map((e) => `${cache}/${e.name}`);
      assert.equal(entries.length, 2);
      if (run === 0) {
        // Tamper with them: ℓ_ref(y_w) + 0.5 moves every margin, so only a run that reads them trains alike.
        for (const file of entries) {
          const v = new Float32Array((await Deno.readFile(file)).buffer);
          // An entry holds [chosen, rejected, chosenTokens, rejectedTokens], n values each: shift ℓ_ref(y_w).
          for (let i = 0; i < v.length / 4; i++) v[i] = (v[i] as number) + 0.5;
          await Deno.writeFile(file, new Uint8Array(v.buffer));
        }
      }
    }
    const [first, second] = losses as [number[], number[]];
    assert.equal(second.length, 3);
    second.forEach((l, i) =>
      assert.ok(Math.abs(l - (first[i] as number)) > 1e-4, `step ${i}: ${l} vs ${first[i]}`)
    );
    assert.equal(referenceCacheDir(), cache);
  } finally {
    if (before === undefined) Deno.env.delete("DPO_KERNELS_CACHE");
    else Deno.env.set("DPO_KERNELS_CACHE", before);
    await Deno.remove(cache, { recursive: true });
  }
});
