// pairLogProbs returns the summed response log-probs and the response token counts that length-normalize them
// (TRL's IPO); checked against the model's per-token log-probs and the batch's response mask.
import * as tf from "@tensorflow/tfjs";
import { pairLogProbs } from "../lib/train/logprobs.ts";
import { disposeBatch, sequenceBatch } from "../lib/train/batch.ts";
import { Gpt } from "../lib/model/gpt.ts";
import { assert, assertClose } from "./_assert.ts";

await tf.setBackend("cpu");

Deno.test("pairLogProbs: sums and token counts per response, in the pairs' order, across batches", async () => {
  const config = { vocabSize: 9, contextLength: 8, dModel: 8, layers: 1, heads: 2 };
  const model = new Gpt(config, { seed: 1 });
  const pairs = [
    {
      chosen: { tokens: [1, 2, 3, 4], promptLength: 2 },
      rejected: { tokens: [1, 2, 5, 6, 7, 8], promptLength: 2 },
    },
    { chosen: { tokens: [3, 3, 3], promptLength: 1 }, rejected: { tokens: [3, 4], promptLength: 1 } },
    {
      chosen: { tokens: [5, 1, 2, 3, 4, 6, 7], promptLength: 3 },
      rejected: { tokens: [5, 1, 2, 8], promptLength: 3 },
    },
  ].map((p) => ({ ...p, category: null }));
  const got = await pairLogProbs(model, pairs, 2);
  assert.deepEqual([...got.chosenTokens], [2, 2, 4]);
  assert.deepEqual([...got.rejectedTokens], [4, 1, 1]);
  for (const [i, p] of pairs.entries()) {
    const batch = sequenceBatch([p.chosen, p.rejected], config.contextLength);
    const logps = tf.tidy(() => model.sequenceLogProbs(batch.ids, batch.targets, batch.responseMask).logps);
    const [c, r] = logps.dataSync();
    assertClose(got.chosen[i]!, c!, 1e-6, 1e-6, `chosen ${i}`);
    assertClose(got.rejected[i]!, r!, 1e-6, 1e-6, `rejected ${i}`);
    assert.deepEqual([...batch.responseTokens.dataSync()], [got.chosenTokens[i], got.rejectedTokens[i]]);
    logps.dispose();
    disposeBatch(batch);
  }
  model.dispose();
});
