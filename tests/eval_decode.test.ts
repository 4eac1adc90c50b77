import * as tf from "@tensorflow/tfjs";
import { greedyDecode } from "../lib/eval/mod.ts";
import { ByteTokenizer } from "../lib/tokenizer/mod.ts";

import { Gpt } from "../lib/model/mod.ts";

import { assert } from "./_assert.ts";

await tf.setBackend("cpu");
const TINY = { vocabSize: 256, dModel: 16, layers: 1, heads: 2, contextLength: 48 };

Deno.test("greedy decoding is deterministic, bounded, and stops at the stop text", async () => {
  const model = new Gpt(TINY, { seed: 1 });
  const tok = new ByteTokenizer();
  const a = await greedyDecode(model, tok, ["2+2=", "Hello "], { maxTokens: 5, stop: "\u0000" });
  const b = await greedyDecode(model, tok, ["2+2=", "Hello "], {
    maxTokens: 5,
    stop: "\u0000",
    batchSize: 1,
  });
  assert.deepEqual(a, b, "batched and one-by-one decoding agree (right padding is causal-safe)");
  assert.ok(a.every((s) => [...s].length <= 5), `at most 5 tokens each: ${JSON.stringify(a)}`);
  model.dispose();
});
