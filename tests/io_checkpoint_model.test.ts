import * as tf from "@tensorflow/tfjs";
import { assert } from "./_assert.ts";
import { saveCheckpoint } from "../lib/io/checkpoint.ts";
import { loadCheckpointModel } from "../lib/io/checkpoint_model.ts";
import { useBackend } from "../lib/model/backend.ts";
import { Gpt } from "../lib/model/gpt.ts";

await useBackend("cpu");

Deno.test("loadCheckpointModel: same weights, frozen by default, and no loaded tensor left behind", async () => {
  const dir = await Deno.makeTempDir();
  const model = new Gpt({ vocabSize: 16, contextLength: 4, dModel: 8, layers: 1, heads: 2 }, { seed: 5 });
  try {
    const optimizer = new Map([["m/wte.weight", tf.zeros([16, 8])]]);
    await saveCheckpoint(`${dir}/ckpt`, { model, optimizer });
    tf.dispose([...optimizer.values()]);
    const before = tf.memory().numTensors;
    const fresh = new Gpt(model.config); // what one model holds (its parameters and buffers)
    const perModel = tf.memory().numTensors - before;
    fresh.dispose();
    const frozen = await loadCheckpointModel(`${dir}/ckpt`);
    // Only the model's own tensors stay: the checkpoint's weights and optimizer tensors were freed.
    assert.equal(tf.memory().numTensors - before, perModel);
    for (const [name, p] of model.params) {
      assert.deepEqual(await frozen.param(name).data(), await p.data(), name);
    }
    assert.ok([...frozen.params.values()].every((v) => !v.trainable));
    frozen.dispose();
    const trainable = await loadCheckpointModel(`${dir}/ckpt`, { trainable: true });
    assert.ok([...trainable.params.values()].every((v) => v.trainable));
    trainable.dispose();
    assert.equal(tf.memory().numTensors, before);
    await assert.rejects(loadCheckpointModel(`${dir}/missing`), /no such checkpoint folder/);
  } finally {
    model.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});
