/**
 * The Deno side of python/tests/test_checkpoints.py.
 *
 *   deno run … python/tests/deno_gpt2.ts export FOLDER IDS_JSON LOGITS_JSON
 *     trains a small Gpt for a few Adam steps on next-token prediction of IDS, exports it as a Hugging Face GPT-2
 *     folder, and writes its logits on IDS;
 *   deno run … python/tests/deno_gpt2.ts logits FOLDER IDS_JSON LOGITS_JSON
 *     loads a Hugging Face GPT-2 folder (as the trainer's loader does) and writes its logits on IDS.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { loadGpt2Folder } from "../../lib/io/gpt2.ts";
import { saveGpt2Folder } from "../../lib/io/gpt2_export.ts";
import { useBackend } from "../../lib/model/backend.ts";
import { Gpt } from "../../lib/model/gpt.ts";

const [command, folder, idsPath, logitsPath] = Deno.args;
if (command === undefined || folder === undefined || idsPath === undefined || logitsPath === undefined) {
  throw new TypeError("usage: deno_gpt2.ts export|logits FOLDER IDS_JSON LOGITS_JSON");
}
await useBackend("cpu");
const idRows = JSON.parse(await Deno.readTextFile(idsPath)) as number[][];
const ids = tf.tensor2d(idRows, undefined, "int32");

/** A few Adam steps of next-token cross-entropy, so the exported policy is a trained one. */
function train(gpt: Gpt, steps: number): number[] {
  const optimizer = tf.train.adam(3e-2);
  const [b, t] = ids.shape;
  const inputs = tf.slice(ids, [0, 0], [b, t - 1]);
  const targets = tf.oneHot(tf.reshape(tf.slice(ids, [0, 1], [b, t - 1]), [-1]), gpt.config.vocabSize);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const loss = optimizer.minimize(
      () => {
        const { logits, hidden } = gpt.forward(inputs as tf.Tensor2D);
        hidden.dispose();
        return tf.losses.softmaxCrossEntropy(targets, tf.reshape(logits, [-1, gpt.config.vocabSize]));
      },
      true,
      gpt.variables(),
    ) as tf.Scalar;
    losses.push(loss.dataSync()[0] as number);
    loss.dispose();
  }
  tf.dispose([inputs, targets]);
  optimizer.dispose();
  return losses;
}

let gpt: Gpt;
let losses: number[] = [];
if (command === "export") {
  gpt = new Gpt({ vocabSize: 50, contextLength: 16, dModel: 32, layers: 2, heads: 4 }, { seed: 13 });
  losses = train(gpt, 20);
  await saveGpt2Folder(folder, gpt.params, gpt.config);
} else if (command === "logits") {
  const checkpoint = await loadGpt2Folder(folder);
  gpt = new Gpt(checkpoint.config, { weights: checkpoint.weights, trainable: false });
  for (const w of checkpoint.weights.values()) w.dispose();
} else {
  throw new RangeError(`command must be export or logits, got ${command}`);
}
const { logits, hidden } = gpt.forward(ids);
await Deno.writeTextFile(logitsPath, JSON.stringify({ logits: await logits.array(), losses }));
tf.dispose([logits, hidden, ids]);
gpt.dispose();
