// Needs --allow-ffi (transformers.js loads sharp and onnxruntime-node) and --allow-sys besides read/write/env.
//
// A tiny feature-extraction model is written into a temp folder (a WordLevel tokenizer and an ONNX graph
// last_hidden_state = Gather(E, input_ids) · attention_mask), so the real transformers.js loading path is
// tested offline; the expected embeddings are the normalized means of the words' rows of E, computed here.
import { assert, assertAllClose, assertClose } from "./_assert.ts";
import { DataType, encodeOnnxModel } from "./_onnx.ts";
import { frozenEmbeddingMargins, loadTextEmbedder, type TextEmbedder } from "../lib/train/embedder.ts";
import type { PreferenceExample } from "../lib/data/preference.ts";
import { env } from "@huggingface/transformers";

const VOCAB = ["[UNK]", "the", "cat", "sat", "on", "mat", "dog", "ran", "fast", "red", "blue"] as const;
const DIM = 4;

/** The embedding table E [vocab, 4]: fixed, distinct, non-collinear rows (row 0 is [UNK]). */
const E: number[][] = VOCAB.map((_, i) => [
  Math.sin(i + 1),
  Math.cos(2 * i + 0.5),
  ((i * 7) % 5) - 2 + 0.25,
  0.5 + 0.1 * i,
]);

const TOKENIZER = {
  version: "1.0",
  truncation: null,
  padding: null,
  added_tokens: [
    {
      id: 0,
      content: "[UNK]",
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    },
  ],
  normalizer: null,
  pre_tokenizer: { type: "Whitespace" },
  post_processor: null,
  decoder: null,
  model: {
    type: "WordLevel",
    vocab: Object.fromEntries(VOCAB.map((w, i) => [w, i])),
    unk_token: "[UNK]",
  },
};

function tinyOnnxModel(): Uint8Array {
  return encodeOnnxModel({
    opset: 13,
    nodes: [
      { opType: "Gather", inputs: ["E", "input_ids"], outputs: ["rows"], attributes: { axis: 0 } },
      { opType: "Cast", inputs: ["attention_mask"], outputs: ["mask_f"], attributes: { to: DataType.FLOAT } },
      { opType: "Unsqueeze", inputs: ["mask_f", "last_axis"], outputs: ["mask_3d"] },
      { opType: "Mul", inputs: ["rows", "mask_3d"], outputs: ["last_hidden_state"] },
    ],
    initializers: [
      { name: "E", dataType: DataType.FLOAT, dims: [VOCAB.length, DIM], values: E.flat() },
      { name: "last_axis", dataType: DataType.INT64, dims: [1], values: [-1] },
    ],
    inputs: [
      { name: "input_ids", elemType: DataType.INT64, shape: ["batch", "seq"] },
      { name: "attention_mask", elemType: DataType.INT64, shape: ["batch", "seq"] },
    ],
    outputs: [{ name: "last_hidden_state", elemType: DataType.FLOAT, shape: ["batch", "seq", DIM] }],
  });
}

/** Writes the model folder `<dir>/tiny-embedder` and returns its path. */
async function writeTinyModel(dir: string): Promise<string> {
  const folder = `${dir}/tiny-embedder`;
  await Deno.mkdir(`${folder}/onnx`, { recursive: true });
  await Deno.writeTextFile(`${folder}/config.json`, "{}");
  // @huggingface/tokenizers 0.2 builds a WordLevel model as its "Legacy" model, which takes the unknown token
  // from tokenizer_config.json, not from tokenizer.json's model.unk_token: without it an unknown word gets
  // the id undefined and encoding fails ("Cannot convert undefined to a BigInt").
  await Deno.writeTextFile(`${folder}/tokenizer_config.json`, JSON.stringify({ unk_token: "[UNK]" }));
  await Deno.writeTextFile(`${folder}/tokenizer.json`, JSON.stringify(TOKENIZER));
  await Deno.writeFile(`${folder}/onnx/model.onnx`, tinyOnnxModel());
  return folder;
}

/** The expected embedding: the unit-length mean of the words' rows of E ([UNK] for unknown words). */
function expectedEmbedding(text: string): number[] {
  const ids = text.split(/\s+/).filter((w) => w.length > 0).map((w) => {
    const i = (VOCAB as readonly string[]).indexOf(w);
    return i < 0 ? 0 : i;
  });
  const mean = new Array<number>(DIM).fill(0);
  for (const id of ids) {
    for (let d = 0; d < DIM; d++) {
      mean[d] = (mean[d] as number) + Math.fround((E[id] as number[])[d] as number);
    }
  }
  const scaled = mean.map((v) => v / ids.length);
  const n = Math.hypot(...scaled);
  return scaled.map((v) => v / n);
}

/** transformers.js's global model-location settings. */
function settings(): { allowRemoteModels: boolean; allowLocalModels: boolean; localModelPath: string } {
  const { allowRemoteModels, allowLocalModels, localModelPath } = env;
  return { allowRemoteModels, allowLocalModels, localModelPath };
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += (a[i] as number) * (b[i] as number);
  return dot / (Math.hypot(...a) * Math.hypot(...b));
}

const EXAMPLES: PreferenceExample[] = [
  { prompt: "the cat", chosen: "the cat sat on the mat", rejected: "dog ran fast" },
  { prompt: "red dog", chosen: "blue mat", rejected: "red dog ran" },
  { prompt: "the fast cat", chosen: "cat sat", rejected: "the zebra sat" }, // "zebra" is [UNK]
];

// Float32 ONNX arithmetic against float64 by hand.
const RTOL = 1e-5;
const ATOL = 1e-6;

Deno.test("loadTextEmbedder: a local folder embeds a text as the normalized mean of its words' rows", async () => {
  const dir = await Deno.makeTempDir({ prefix: "embedder-" });
  try {
    const folder = await writeTinyModel(dir);
    const before = settings();
    const embed = await loadTextEmbedder(folder);
    // The offline settings used for the folder are restored, so a later hub id is not looked up there.
    assert.deepEqual(settings(), before);
    const texts = ["the cat sat on the mat", "red", "blue dog ran fast", "the zebra"];
    let got: number[][];
    try {
      got = await embed(texts);
    } finally {
      // Released before the process exits (onnxruntime's exit-time teardown of a live session can crash).
      await embed.dispose();
      await embed.dispose(); // twice is harmless
    }
    await assert.rejects(embed(["red"]), /was disposed/);
    assert.equal(got.length, texts.length);
    texts.forEach((t, i) => {
      const e = got[i] as number[];
      assert.equal(e.length, DIM, `dims of "${t}"`);
      assertAllClose(e, expectedEmbedding(t), RTOL, ATOL, `embedding of "${t}"`);
      assertClose(Math.hypot(...e), 1, RTOL, ATOL, `norm of "${t}"`);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("frozenEmbeddingMargins: cos(e_x, e_w) − cos(e_x, e_l) per pair, cached and reused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "embedder-" });
  try {
    const folder = await writeTinyModel(dir);
    const cacheDir = `${dir}/cache`;
    const margins = await frozenEmbeddingMargins(folder, EXAMPLES, cacheDir);
    const expected = EXAMPLES.map((e) => {
      const x = expectedEmbedding(e.prompt);
      return cosine(x, expectedEmbedding(e.chosen)) - cosine(x, expectedEmbedding(e.rejected));
    });
    assertAllClose(margins, expected, RTOL, ATOL, "margins");
    // Not all the same sign, so the test would notice swapped chosen/rejected.
    assert.ok(expected.some((m) => m > 0) && expected.some((m) => m < 0), `margins ${expected}`);

    const files = [...Deno.readDirSync(cacheDir)].map((f) => f.name);
    assert.equal(files.length, 1, `cache files ${files}`);
    assert.match(files[0] as string, /^embedding-margins-[0-9a-f]{16}\.json$/);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(`${cacheDir}/${files[0]}`)), margins);

    // The second call reads the cache: the model is neither loaded nor called. A "model" that cannot load
    // would throw, so the same name with the folder removed proves it.
    await Deno.remove(folder, { recursive: true });
    const again = await frozenEmbeddingMargins(folder, EXAMPLES, cacheDir);
    assert.deepEqual(again, margins);

    // With an embedder function the key is "custom": a first call computes and caches, a second one reuses.
    let calls = 0;
    const byHand: TextEmbedder = (texts) => {
      calls++;
      return Promise.resolve(texts.map((t) => expectedEmbedding(t)));
    };
    const custom = await frozenEmbeddingMargins(byHand, EXAMPLES, cacheDir);
    assertAllClose(custom, expected, 1e-12, 1e-12, "custom margins");
    assert.equal(calls, EXAMPLES.length);
    const throwing: TextEmbedder = () => {
      throw new Error("the embedder must not be called when the cache holds the margins");
    };
    assert.deepEqual(await frozenEmbeddingMargins(throwing, EXAMPLES, cacheDir), custom);
    // A different set of examples is a different key: the throwing embedder is called and its error surfaces.
    await assert.rejects(
      frozenEmbeddingMargins(throwing, EXAMPLES.slice(0, 2), cacheDir),
      /must not be called/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadTextEmbedder: a missing folder or a bad model is an error naming the model", async () => {
  const dir = await Deno.makeTempDir({ prefix: "embedder-" });
  const namesIt = (model: string) => (e: Error) => {
    assert.ok(e.message.startsWith(`cannot load the embedding model ${model}: `), e.message);
    return true;
  };
  try {
    // A path that does not exist is taken as a hub id; transformers.js rejects an absolute path as an
    // invalid model id before any download, so this needs no network.
    await assert.rejects(loadTextEmbedder(`${dir}/no-such-model`), namesIt(`${dir}/no-such-model`));
    // A folder without the model files.
    await Deno.mkdir(`${dir}/empty-model`);
    await assert.rejects(loadTextEmbedder(`${dir}/empty-model`), namesIt(`${dir}/empty-model`));
    // A folder whose onnx/model.onnx is not an ONNX model.
    const folder = await writeTinyModel(dir);
    await Deno.writeTextFile(`${folder}/onnx/model.onnx`, "not a protobuf");
    await assert.rejects(loadTextEmbedder(folder), namesIt(folder));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
