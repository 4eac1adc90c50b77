import * as tf from "@tensorflow/tfjs";
import { assert } from "./_assert.ts";
import { loadCheckpoint, saveCheckpoint } from "../lib/io/checkpoint.ts";
import { CHECKPOINT_FORMAT_VERSION } from "../lib/io/checkpoint_config.ts";
import { loadGpt2Folder } from "../lib/io/gpt2.ts";
import { decodeSafetensors, encodeSafetensors } from "../lib/io/safetensors.ts";
import { useBackend } from "../lib/model/backend.ts";
import { Gpt } from "../lib/model/gpt.ts";
import { ByteTokenizer } from "../lib/tokenizer/byte.ts";

await useBackend("cpu");

const CONFIG = { vocabSize: 32, contextLength: 8, dModel: 8, layers: 2, heads: 2 };

async function logitsOf(gpt: Gpt, ids: number[][]): Promise<Float32Array> {
  const out = tf.tidy(() => gpt.forward(tf.tensor2d(ids, [ids.length, ids[0]!.length], "int32")).logits);
  const data = (await out.data()) as Float32Array;
  out.dispose();
  return data;
}

async function listDir(dir: string): Promise<string[]> {
  const names = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

Deno.test("checkpoint: save → load gives an identical forward, optimizer tensors and state", async () => {
  const root = await Deno.makeTempDir();
  try {
    const before = tf.memory().numTensors;
    const model = new Gpt(CONFIG, { seed: 7 });
    const m = tf.fill([8, 24], 0.25);
    const step = tf.scalar(12, "int32");
    const state = { step: 12, losses: [0.69, 0.5], rng: { seed: 7 }, done: false, note: null };
    const dir = `${root}/ckpt`;
    assert.equal(
      await saveCheckpoint(dir, {
        model,
        tokenizer: new ByteTokenizer(),
        state,
        optimizer: { "h.0.m": m, step },
      }),
      dir,
    );
    assert.deepEqual(await listDir(dir), [
      "config.json",
      "model.safetensors",
      "optimizer.safetensors",
      "trainer_state.json",
    ]);
    assert.deepEqual(await listDir(root), ["ckpt"], "no temporary folder left behind");

    const ckpt = await loadCheckpoint(dir);
    assert.equal(ckpt.formatVersion, CHECKPOINT_FORMAT_VERSION);
    assert.deepEqual(ckpt.config, { ...CONFIG, layerNormEpsilon: 1e-5 });
    assert.deepEqual(ckpt.tokenizer, { name: "byte", vocabSize: 256 });
    assert.deepEqual(ckpt.state, state);
    assert.deepEqual([...ckpt.weights.keys()], [...model.params.keys()]);
    assert.deepEqual([...ckpt.optimizer!.keys()], ["h.0.m", "step"]);
    assert.deepEqual(await ckpt.optimizer!.get("h.0.m")!.data(), await m.data());
    assert.equal(ckpt.optimizer!.get("step")!.dtype, "int32");
    const copy = new Gpt(ckpt.config, { weights: ckpt.weights });
    const ids = [[1, 2, 3, 4, 5, 6, 7, 8], [31, 0, 9, 9, 9, 1, 2, 3]];
    assert.deepEqual(await logitsOf(copy, ids), await logitsOf(model, ids));
    for (const t of [...ckpt.weights.values(), ...ckpt.optimizer!.values(), m, step]) t.dispose();
    copy.dispose();
    model.dispose();
    assert.equal(tf.memory().numTensors, before);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("checkpoint: a save replaces the previous one atomically; the folder is also a GPT-2 folder", async () => {
  const root = await Deno.makeTempDir();
  try {
    const dir = `${root}/latest`;
    const a = new Gpt(CONFIG, { seed: 1 });
    const b = new Gpt(CONFIG, { seed: 2 });
    await saveCheckpoint(dir, { model: a, state: { step: 1 } });
    await saveCheckpoint(dir, { model: b }); // no state this time: the old trainer_state.json must go
    assert.deepEqual(await listDir(root), ["latest"]);
    assert.deepEqual(await listDir(dir), ["config.json", "model.safetensors"]);
    const ckpt = await loadCheckpoint(dir);
    assert.equal(ckpt.state, undefined);
    assert.equal(ckpt.optimizer, undefined);
    assert.equal(ckpt.tokenizer, undefined);
    assert.deepEqual(await ckpt.weights.get("wte.weight")!.data(), await b.param("wte.weight").data());
    for (const w of ckpt.weights.values()) w.dispose();

    // A crash mid-save leaves a stray temporary folder; the last good checkpoint still loads.
    await Deno.mkdir(`${root}/.latest.tmp-crashed`);
    await Deno.writeFile(`${root}/.latest.tmp-crashed/model.safetensors`, new Uint8Array(3));
    const again = await loadCheckpoint(dir);
    assert.deepEqual(await again.weights.get("wte.weight")!.data(), await b.param("wte.weight").data());
    for (const w of again.weights.values()) w.dispose();

    // config.json has Hugging Face's GPT-2 keys: the GPT-2 loader reads the checkpoint too.
    const hf = await loadGpt2Folder(dir);
    assert.deepEqual(hf.config, { ...CONFIG, layerNormEpsilon: 1e-5 });
    for (const w of hf.weights.values()) w.dispose();
    a.dispose();
    b.dispose();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("checkpoint: bad state and non-checkpoint folders are refused before anything is written", async () => {
  const root = await Deno.makeTempDir();
  try {
    const model = new Gpt(CONFIG);
    await assert.rejects(saveCheckpoint(`${root}/x`, { model, state: { loss: NaN } }), (e: Error) => {
      return e instanceof TypeError &&
        /options\.state\.loss must be a finite number for JSON, got NaN/.test(e.message);
    });
    await assert.rejects(
      saveCheckpoint(`${root}/x`, { model, state: { at: [1, new Date()] } as never }),
      /options\.state\.at\[1\] must be JSON/,
    );
    await Deno.mkdir(`${root}/mine`);
    await Deno.writeTextFile(`${root}/mine/notes.txt`, "precious");
    await assert.rejects(
      saveCheckpoint(`${root}/mine`, { model }),
      /mine exists and is not a checkpoint folder/,
    );
    assert.equal(await Deno.readTextFile(`${root}/mine/notes.txt`), "precious");
    const words = tf.tensor(["a", "b"]);
    await assert.rejects(
      saveCheckpoint(`${root}/empty`, { model, optimizer: { words } }),
      /tensors\["words"\] must be float32, int32 or bool, got dtype string/,
    );
    words.dispose();
    await Deno.mkdir(`${root}/empty`);
    await saveCheckpoint(`${root}/empty`, { model }); // an empty folder is fine
    assert.deepEqual(await listDir(root), ["empty", "mine"]);
    model.dispose();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("checkpoint: missing files and mismatched shapes are clear errors", async () => {
  const root = await Deno.makeTempDir();
  try {
    const model = new Gpt(CONFIG);
    const dir = `${root}/c`;
    await assert.rejects(loadCheckpoint(dir), /c: no such checkpoint folder$/);
    await saveCheckpoint(dir, { model, state: { step: 3 } });
    model.dispose();
    const configText = await Deno.readTextFile(`${dir}/config.json`);
    const config = JSON.parse(configText);
    const weights = await Deno.readFile(`${dir}/model.safetensors`);

    // A wider model in config.json than in the weights.
    config.dpo_kernels.gpt.dModel = 16;
    await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify(config));
    await assert.rejects(
      loadCheckpoint(dir),
      (e: Error) =>
        e instanceof RangeError &&
        /model\.safetensors: tensor "wte\.weight" has shape \[32,8\], expected \[32,16\]/.test(e.message),
    );
    config.dpo_kernels.gpt.dModel = 8;
    config.dpo_kernels.format_version = 99;
    await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify(config));
    await assert.rejects(loadCheckpoint(dir), /format_version 99 is not supported/);
    const { dpo_kernels: _, ...hfOnly } = config;
    await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify(hfOnly));
    await assert.rejects(loadCheckpoint(dir), /no "dpo_kernels" block.*use loadGpt2/);
    await Deno.writeTextFile(`${dir}/config.json`, configText);

    // Missing and extra tensors.
    const file = decodeSafetensors(weights);
    const tensors = new Map([...file.tensors].map(([n, t]) => [n, { data: t.data, shape: t.shape }]));
    tensors.delete("h.1.ln_2.bias");
    await Deno.writeFile(`${dir}/model.safetensors`, encodeSafetensors(tensors));
    await assert.rejects(loadCheckpoint(dir), /model\.safetensors: missing tensor "h\.1\.ln_2\.bias"/);
    tensors.set("h.1.ln_2.bias", { data: new Float32Array(8), shape: [8] });
    tensors.set("h.9.extra", { data: new Float32Array(1), shape: [1] });
    await Deno.writeFile(`${dir}/model.safetensors`, encodeSafetensors(tensors));
    await assert.rejects(loadCheckpoint(dir), /unexpected tensor "h\.9\.extra"/);
    await Deno.remove(`${dir}/model.safetensors`);
    await assert.rejects(loadCheckpoint(dir), /c\/model\.safetensors: no such file/);
    await Deno.remove(`${dir}/config.json`);
    await assert.rejects(loadCheckpoint(dir), /c\/config\.json: no such file/);

    // The window between the two renames of a save: the old checkpoint is aside, and the error says where.
    await Deno.remove(dir, { recursive: true });
    await Deno.mkdir(`${root}/.c.old-1234`);
    await assert.rejects(
      loadCheckpoint(dir),
      /interrupted save left the previous checkpoint at .*\.c\.old-1234: rename it to/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
