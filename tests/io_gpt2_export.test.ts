import * as tf from "@tensorflow/tfjs";
import { assert, assertAllClose } from "./_assert.ts";
import { gptConfigFromHf, loadGpt2Folder } from "../lib/io/gpt2.ts";
import { hfGpt2Config, saveGpt2Folder } from "../lib/io/gpt2_export.ts";
import { readSafetensors } from "../lib/io/safetensors_file.ts";
import { useBackend } from "../lib/model/backend.ts";
import { Gpt } from "../lib/model/gpt.ts";

await useBackend("cpu");

const CONFIG = { vocabSize: 40, contextLength: 12, dModel: 16, layers: 2, heads: 4, layerNormEpsilon: 1e-5 };

Deno.test("gpt2 export: a Deno GPT round-trips through a Hugging Face folder with identical weights and logits", async () => {
  const folder = await Deno.makeTempDir();
  const gpt = new Gpt(CONFIG, { seed: 7 });
  try {
    await saveGpt2Folder(folder, gpt.params, gpt.config);
    const file = await readSafetensors(`${folder}/model.safetensors`);
    assert.equal(file.metadata.format, "pt"); // transformers refuses safetensors without it
    assert.ok([...file.tensors.keys()].every((k) => k.startsWith("transformer.")));
    assert.ok(![...file.tensors.keys()].some((k) => k.includes("lm_head")));
    const back = await loadGpt2Folder(folder);
    assert.deepEqual(back.config, gpt.config);
    for (const [name, w] of back.weights) {
      assert.deepEqual(Array.from(await w.data()), Array.from(await gpt.param(name).data()), name);
    }
    const reloaded = new Gpt(back.config, { weights: back.weights, trainable: false });
    for (const w of back.weights.values()) w.dispose();
    const ids = tf.tensor2d([[1, 5, 9, 39, 0, 3], [2, 2, 7, 11, 30, 4]], [2, 6], "int32");
    const a = gpt.forward(ids);
    const b = reloaded.forward(ids);
    assertAllClose(Array.from(await b.logits.data()), Array.from(await a.logits.data()), 0, 0);
    tf.dispose([ids, a.logits, a.hidden, b.logits, b.hidden]);
    reloaded.dispose();
  } finally {
    gpt.dispose();
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("gpt2 export: the written config reads back as the same GptConfig and names transformers' settings", () => {
  const hf = hfGpt2Config(CONFIG);
  assert.deepEqual(gptConfigFromHf(hf), CONFIG);
  assert.equal(hf.activation_function, "gelu_new");
  assert.equal(hf.tie_word_embeddings, true);
  assert.deepEqual(hf.architectures, ["GPT2LMHeadModel"]);
});

Deno.test("gpt2 export: missing, unknown or misshapen parameters are refused, naming them", async () => {
  const gpt = new Gpt(CONFIG, { seed: 1 });
  const folder = await Deno.makeTempDir();
  try {
    const missing = new Map(gpt.params as Map<string, tf.Tensor>);
    missing.delete("wpe.weight");
    await assert.rejects(() => saveGpt2Folder(folder, missing, CONFIG), /lacks the parameter "wpe.weight"/);
    const extra = new Map(gpt.params as Map<string, tf.Tensor>);
    const stray = tf.zeros([2]);
    extra.set("lm_head.weight", stray);
    await assert.rejects(() => saveGpt2Folder(folder, extra, CONFIG), /"lm_head.weight", which is not/);
    const wrong = new Map(gpt.params as Map<string, tf.Tensor>);
    const small = tf.zeros([3, 16]);
    wrong.set("wte.weight", small);
    await assert.rejects(
      () => saveGpt2Folder(folder, wrong, CONFIG),
      /params\["wte.weight"\] must have shape \[40,16\]/,
    );
    tf.dispose([stray, small]);
  } finally {
    gpt.dispose();
    await Deno.remove(folder, { recursive: true });
  }
});
