// lib/train/step.ts: the one optimizer step SFT and preference training share.
import * as tf from "@tensorflow/tfjs";
import { Gpt } from "../lib/model/gpt.ts";
import { ByteTokenizer } from "../lib/tokenizer/byte.ts";
import { encodePair } from "../lib/train/batch.ts";
import { type Forward, sftForward } from "../lib/train/forward.ts";
import { AdamW } from "../lib/train/optimizer.ts";
import { optimizerStep } from "../lib/train/step.ts";
import { assert } from "./_assert.ts";

await tf.setBackend("cpu");

function fixture() {
  const policy = new Gpt({ vocabSize: 256, contextLength: 16, dModel: 16, layers: 1, heads: 2 }, { seed: 1 });
  const pairs = [encodePair({ prompt: "1+1=", chosen: "2.", rejected: "3." }, new ByteTokenizer(), 16)];
  return { policy, pairs, optimizer: new AdamW(policy.variables()) };
}

const weights = (policy: Gpt) => policy.variables().map((v) => Array.from(v.dataSync()));

Deno.test("a non-finite loss applies no update, and the step returns its loss, grad norm and named statistics", async () => {
  const { policy, pairs, optimizer } = fixture();
  const before = weights(policy);
  const poisoned = (): Forward => {
    const f = sftForward(policy, pairs, [0]);
    return {
      batch: f.batch,
      run: () => {
        const r = f.run();
        return { loss: tf.mul(r.loss, NaN) as tf.Scalar, stats: { "probe/one": tf.keep(tf.scalar(1)) } };
      },
    };
  };
  const live = tf.memory().numTensors;
  const bad = await optimizerStep(optimizer, policy.variables(), poisoned(), {
    gradClip: 1,
    learningRate: 0.1,
  });
  assert.equal(bad.applied, false);
  assert.ok(Number.isNaN(bad.loss));
  assert.deepEqual(bad.stats, { "probe/one": 1 });
  assert.deepEqual(weights(policy), before, "weights changed by a NaN step");
  assert.equal(tf.memory().numTensors, live, "the step leaked tensors");

  const good = await optimizerStep(optimizer, policy.variables(), sftForward(policy, pairs, [0]), {
    gradClip: 1,
    learningRate: 0.1,
  });
  assert.equal(good.applied, true);
  assert.ok(Number.isFinite(good.loss) && good.gradNorm > 0);
  assert.notDeepEqual(weights(policy), before);
  assert.equal(tf.memory().numTensors, live);
  optimizer.dispose();
  policy.dispose();
});
