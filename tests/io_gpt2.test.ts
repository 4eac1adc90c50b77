import * as tf from "@tensorflow/tfjs";
import { assert, assertAllClose } from "./_assert.ts";
import { TINY_GPT2_CASES } from "./golden/tiny_gpt2_values.ts";
import {
  GPT2_HUB_FILES,
  gpt2ParameterName,
  gptConfigFromHf,
  loadGpt2,
  loadGpt2Folder,
} from "../lib/io/gpt2.ts";
import { downloadFromHub, hubCacheFolder } from "../lib/hub/hub.ts";
import { isHubId } from "../lib/hub/safe_path.ts";
import { decodeSafetensors, encodeSafetensors } from "../lib/io/safetensors.ts";
import { useBackend } from "../lib/model/backend.ts";
import { Gpt } from "../lib/model/gpt.ts";

await useBackend("cpu");

const FIXTURE = new URL("./fixtures/tiny-gpt2/", import.meta.url).pathname;

function disposeAll(weights: Map<string, tf.Tensor>): void {
  for (const w of weights.values()) w.dispose();
}

/** A fetch that serves files from a folder as the hub would, counting requests; no network. */
function fakeHub(folder: string, options: { fail?: boolean; status?: number } = {}) {
  const requests: string[] = [];
  const fetch = async (url: string): Promise<Response> => {
    requests.push(url);
    if (options.fail) throw new TypeError("error sending request: dns error: failed to lookup address");
    if (options.status !== undefined) return new Response("denied", { status: options.status });
    const m = url.match(/^https:\/\/huggingface\.co\/(.+)\/resolve\/main\/(.+)$/);
    if (m === null) return new Response("bad url", { status: 400 });
    try {
      return new Response(await Deno.readFile(`${folder}/${m[2]}`));
    } catch {
      return new Response("Entry not found", { status: 404 });
    }
  };
  return { fetch, requests };
}

Deno.test("gpt2: the tiny fixture loads into Gpt and matches PyTorch's logits", async () => {
  const before = tf.memory().numTensors;
  const { config, weights, hfConfig, folder } = await loadGpt2(FIXTURE);
  assert.equal(folder, FIXTURE);
  assert.equal(hfConfig.model_type, "gpt2");
  assert.deepEqual(config, {
    vocabSize: 64,
    contextLength: 16,
    dModel: 16,
    layers: 2,
    heads: 2,
    layerNormEpsilon: 1e-5,
  });
  // The buffers and the tied head are skipped; all parameters are there, in Gpt's order.
  assert.ok(
    ![...weights.keys()].some((n) =>
      /\.attn\.(masked_)?bias$/.test(n) || n.includes("lm_head") || n.startsWith("transformer.")
    ),
  );
  const gpt = new Gpt(config, { weights, trainable: false });
  assert.deepEqual([...weights.keys()], [...gpt.params.keys()]);
  disposeAll(weights);
  for (const { ids, logits: expected } of TINY_GPT2_CASES) {
    const logits = tf.tidy(() => gpt.forward(tf.tensor2d([ids], [1, ids.length], "int32")).logits);
    assert.deepEqual(logits.shape, [1, ids.length, 64]);
    const actual = await logits.data();
    logits.dispose();
    assertAllClose(actual, expected.flat(), 1e-4, 1e-4, `logits of [${ids}]`);
  }
  gpt.dispose();
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("gpt2: F16 weights load (converted to f32) and give logits close to f32's", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.copyFile(`${FIXTURE}/config.json`, `${dir}/config.json`);
    // Rewrite the fixture as F16, no prefix (as openai-community/gpt2 stores names), with a raw encoder.
    const src = decodeSafetensors(await Deno.readFile(`${FIXTURE}/model.safetensors`));
    const header: Record<string, unknown> = {};
    const chunks: Uint8Array[] = [];
    let offset = 0;
    for (const [name, t] of src.tensors) {
      const half = new Uint16Array(t.data.length);
      for (let i = 0; i < half.length; i++) half[i] = toHalf(t.data[i] as number);
      const bytes = new Uint8Array(half.buffer);
      header[name.replace(/^transformer\./, "")] = {
        dtype: "F16",
        shape: t.shape,
        data_offsets: [offset, offset + bytes.length],
      };
      chunks.push(bytes);
      offset += bytes.length;
    }
    const json = new TextEncoder().encode(JSON.stringify(header));
    const out = new Uint8Array(8 + json.length + offset);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    let at = 8 + json.length;
    for (const c of chunks) out.set(c, (at += c.length) - c.length);
    await Deno.writeFile(`${dir}/model.safetensors`, out);

    const { config, weights } = await loadGpt2Folder(dir);
    const gpt = new Gpt(config, { weights });
    disposeAll(weights);
    const { ids, logits: expected } = TINY_GPT2_CASES[1]!;
    const logits = tf.tidy(() => gpt.forward(tf.tensor2d([ids], [1, ids.length], "int32")).logits);
    assertAllClose(await logits.data(), expected.flat(), 0, 0.05, "f16 logits");
    logits.dispose();
    gpt.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** float → IEEE half bits, round to nearest (normal range only; enough for these weights). */
function toHalf(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0]!;
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  if (exp <= 0) return sign; // flush tiny values to ±0
  const mant = u & 0x7fffff;
  let h = sign | (exp << 10) | (mant >> 13);
  if (mant & 0x1000) h += 1;
  return h;
}

Deno.test("gpt2: Hugging Face config conversion and its errors", () => {
  const base = { n_embd: 16, n_layer: 2, n_head: 2, n_positions: 16, vocab_size: 64 };
  assert.deepEqual(gptConfigFromHf({ ...base, layer_norm_epsilon: 1e-6 }), {
    vocabSize: 64,
    contextLength: 16,
    dModel: 16,
    layers: 2,
    heads: 2,
    layerNormEpsilon: 1e-6,
  });
  const { n_positions: _, ...noPositions } = base;
  assert.equal(gptConfigFromHf({ ...noPositions, n_ctx: 8 }).contextLength, 8);
  assert.throws(
    () => gptConfigFromHf({ ...base, n_embd: undefined }, "x/config.json"),
    /x\/config\.json: n_embd must be a positive integer/,
  );
  assert.throws(() => gptConfigFromHf({ ...base, n_head: 3 }), /heads \(3\) must divide/);
  assert.throws(
    () => gptConfigFromHf({ ...base, activation_function: "relu" }),
    /activation_function "relu": Gpt uses the tanh GELU/,
  );
  assert.throws(() => gptConfigFromHf({ ...base, model_type: "llama" }), /model_type "llama"/);
  assert.throws(() => gptConfigFromHf({ ...base, tie_word_embeddings: false }), /tie_word_embeddings false/);
  assert.throws(() => gptConfigFromHf({ ...base, n_inner: 32 }), /n_inner 32/);
  assert.equal(
    gptConfigFromHf({ ...base, n_inner: null, activation_function: "gelu_pytorch_tanh" }).dModel,
    16,
  );
});

Deno.test("gpt2: names, skipped buffers, hub ids, cache folders", () => {
  assert.equal(gpt2ParameterName("transformer.wte.weight"), "wte.weight");
  assert.equal(gpt2ParameterName("ln_f.bias"), "ln_f.bias");
  assert.equal(gpt2ParameterName("transformer.h.3.attn.bias"), undefined);
  assert.equal(gpt2ParameterName("h.3.attn.masked_bias"), undefined);
  assert.equal(gpt2ParameterName("lm_head.weight"), undefined);
  assert.equal(gpt2ParameterName("h.0.attn.c_attn.bias"), "h.0.attn.c_attn.bias");
  for (const id of ["gpt2", "distilgpt2", "openai-community/gpt2", "a.b/c_d-e"]) assert.ok(isHubId(id), id);
  for (const id of ["", "./gpt2", "/abs/gpt2", "a/b/c", "../x", "a/..", "a b", "~/gpt2"]) {
    assert.ok(!isHubId(id), id);
  }
  assert.equal(hubCacheFolder("owner/name", { cacheDir: "/c" }), "/c/owner/name");
  assert.equal(hubCacheFolder("gpt2", { cacheDir: "/c", revision: "abc" }), "/c/gpt2@abc");
  assert.match(hubCacheFolder("gpt2"), /dpo-kernels\/hub\/gpt2$/);
  assert.throws(() => hubCacheFolder("../etc"), RangeError);
});

Deno.test("gpt2: bad checkpoints fail naming the file and the tensor", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const config = JSON.parse(await Deno.readTextFile(`${FIXTURE}/config.json`));
    const src = decodeSafetensors(await Deno.readFile(`${FIXTURE}/model.safetensors`));
    const write = async (mutate: (m: Map<string, { data: Float32Array; shape: number[] }>) => void) => {
      const m = new Map(
        [...src.tensors].map(([n, t]) => [n, { data: t.data as Float32Array, shape: t.shape }]),
      );
      mutate(m);
      await Deno.writeFile(`${dir}/model.safetensors`, encodeSafetensors(m));
    };
    await assert.rejects(loadGpt2Folder(dir), /config\.json: no such file/);
    await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify(config));
    await assert.rejects(loadGpt2Folder(dir), /model\.safetensors: no such file/);

    await write((m) => m.delete("transformer.h.1.mlp.c_fc.bias"));
    await assert.rejects(loadGpt2Folder(dir), /model\.safetensors: missing tensor "h\.1\.mlp\.c_fc\.bias"/);
    await write((m) => m.set("transformer.h.0.ln_1.weight", { data: new Float32Array(8), shape: [8] }));
    await assert.rejects(
      loadGpt2Folder(dir),
      (e: Error) =>
        e instanceof RangeError &&
        /tensor "transformer\.h\.0\.ln_1\.weight" has shape \[8\], expected \[16\]/.test(e.message),
    );
    await write((m) =>
      m.set("transformer.h.0.attn.q_proj.weight", { data: new Float32Array(1), shape: [1] })
    );
    await assert.rejects(
      loadGpt2Folder(dir),
      /tensor "transformer\.h\.0\.attn\.q_proj\.weight" is not a GPT-2 parameter/,
    );
    await write((m) => m.set("wte.weight", m.get("transformer.wte.weight")!));
    await assert.rejects(loadGpt2Folder(dir), /parameter "wte\.weight" is stored twice/);
    // A config that disagrees with the weights.
    await write(() => {});
    await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify({ ...config, n_layer: 3 }));
    await assert.rejects(loadGpt2Folder(dir), /missing tensors "h\.2\.ln_1\.weight"/);
    await assert.rejects(loadGpt2(`${dir}/nope`), /no such folder, and not a hub id/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gpt2: a hub id downloads into the cache once, then loads from it (fake fetch, no network)", async () => {
  const cacheDir = await Deno.makeTempDir();
  const hubRepo = await Deno.makeTempDir();
  try {
    await Deno.copyFile(`${FIXTURE}/config.json`, `${hubRepo}/config.json`);
    await Deno.copyFile(`${FIXTURE}/model.safetensors`, `${hubRepo}/model.safetensors`);
    await Deno.writeTextFile(`${hubRepo}/tokenizer_config.json`, "{}");
    const hub = fakeHub(hubRepo);
    const first = await loadGpt2("someone/tiny-gpt2", { cacheDir, fetch: hub.fetch });
    disposeAll(first.weights);
    assert.equal(first.folder, `${cacheDir}/someone/tiny-gpt2`);
    assert.deepEqual(
      hub.requests,
      [
        ...GPT2_HUB_FILES.required,
        ...GPT2_HUB_FILES.optional,
      ].map((f) => `https://huggingface.co/someone/tiny-gpt2/resolve/main/${f}`),
    );
    assert.deepEqual(
      await Deno.readFile(`${first.folder}/model.safetensors`),
      await Deno.readFile(`${FIXTURE}/model.safetensors`),
    );
    // tokenizer.json was a 404: remembered, not fetched again; nothing left half-written.
    await Deno.stat(`${first.folder}/tokenizer.json.absent`);
    const names = [];
    for await (const e of Deno.readDir(first.folder)) names.push(e.name);
    assert.ok(!names.some((n) => n.endsWith(".part")));
    // Second load: everything cached, and the hub is offline.
    const offline = fakeHub(hubRepo, { fail: true });
    const second = await loadGpt2("someone/tiny-gpt2", { cacheDir, fetch: offline.fetch });
    disposeAll(second.weights);
    assert.deepEqual(offline.requests, []);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
    await Deno.remove(hubRepo, { recursive: true });
  }
});

Deno.test("gpt2: an unreachable hub is a clear error that says how to pass a local folder", async () => {
  const cacheDir = await Deno.makeTempDir();
  try {
    const offline = fakeHub(cacheDir, { fail: true });
    await assert.rejects(loadGpt2("gpt2", { cacheDir, fetch: offline.fetch }), (e: Error) => {
      assert.match(
        e.message,
        /the Hugging Face hub is unreachable \(https:\/\/huggingface\.co\/gpt2\/resolve\/main\/config\.json/,
      );
      assert.match(e.message, /pass a local folder instead of the hub id "gpt2"/);
      assert.match(e.message, new RegExp(`copy the files into the cache folder ${cacheDir}/gpt2`));
      return true;
    });
    const denied = fakeHub(cacheDir, { status: 401 });
    await assert.rejects(
      downloadFromHub("org/gated", { cacheDir, fetch: denied.fetch, files: ["config.json"] }),
      /HTTP 401.*gated or private.*HF_TOKEN/,
    );
    const missing = fakeHub(cacheDir);
    await assert.rejects(
      downloadFromHub("org/none", { cacheDir, fetch: missing.fetch, files: ["nothing.json"] }),
      /HTTP 404.*check the id "org\/none"/,
    );
    await assert.rejects(
      downloadFromHub("gpt2", { cacheDir, fetch: missing.fetch, files: ["../escape"] }),
      RangeError,
    );
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});
