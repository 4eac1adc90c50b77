import * as tf from "@tensorflow/tfjs";
import { evaluatePolicy, runGrid } from "../lib/eval/mod.ts";
import { ByteTokenizer } from "../lib/tokenizer/mod.ts";

import { Gpt } from "../lib/model/mod.ts";
import { judge, readSyntheticJsonl } from "../lib/data/mod.ts";
import { assert } from "./_assert.ts";

await tf.setBackend("cpu");
const TINY = { vocabSize: 256, dModel: 16, layers: 1, heads: 2, contextLength: 48 };

Deno.test("evaluatePolicy and a resumable grid on the synthetic suite", async () => {
  const train = (await readSyntheticJsonl("data/synthetic_train.jsonl")).slice(0, 60);
  const test = (await readSyntheticJsonl("data/synthetic_test.jsonl")).slice(0, 30);
  const out = await Deno.makeTempDir();
  const options = {
    train,
    test,
    out,
    losses: ["dpo", "hmk"] as const,
    seeds: [0],
    sftSteps: 2,
    base: { model: TINY, backend: "cpu" as const, steps: 2, batchSize: 4 },
    evaluate: { judge: judge as never, decode: { maxTokens: 4 } },
  };
  const first = await runGrid({ ...options, losses: [...options.losses] });
  assert.equal(first.length, 2);
  for (const r of first) {
    assert.ok(r.generationF1.overall! >= 0 && r.generationF1.overall! <= 1);
    assert.ok(Number.isFinite(r.daviesBouldin) && Number.isFinite(r.weightedAlpha));
    assert.ok(Object.keys(r.preferenceF1).includes("safety"));
  }
  assert.ok(first[1]!.kernelWeights !== undefined, "HMK logs its weights");
  const cachedAt = (await Deno.stat(`${out}/results/dpo-kl-seed0.json`)).mtime;
  const again = await runGrid({ ...options, losses: [...options.losses] });
  assert.deepEqual(again, first, "a second run reads the cached cells");
  assert.deepEqual((await Deno.stat(`${out}/results/dpo-kl-seed0.json`)).mtime, cachedAt);
  const model = new Gpt(TINY, { seed: 2 });
  const ev = await evaluatePolicy(model, model, new ByteTokenizer(), test, {
    judge: judge as never,
    decode: { maxTokens: 3 },
  });
  assert.equal(ev.preference.overall.accuracy, 0, "a policy equal to its reference has zero margins");
  assert.equal(ev.generation?.samples.length, test.length);
  model.dispose();
  await Deno.remove(out, { recursive: true });
});
