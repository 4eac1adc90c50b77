// Needs --allow-ffi (transformers.js loads sharp on import) and --allow-sys besides read/write/env.
import { assert } from "./_assert.ts";
import { HfTokenizer, loadHfTokenizer } from "../lib/tokenizer/hf.ts";
import { loadTokenizer } from "../lib/tokenizer/load.ts";
import { tokenizerInfo } from "../lib/io/checkpoint_config.ts";

/** A WordLevel tokenizer (whitespace split, one id per word). */
const WORD_LEVEL = {
  version: "1.0",
  truncation: null,
  padding: null,
  added_tokens: [
    {
      id: 0,
      content: "<eos>",
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
    vocab: { "<eos>": 0, "<unk>": 1, hello: 2, world: 3, dpo: 4, kernels: 5 },
    unk_token: "<unk>",
  },
};

/** A byte-level BPE like GPT-2's, with five merges ("Ġ" is the space byte). */
const BYTE_BPE = {
  version: "1.0",
  truncation: null,
  padding: null,
  added_tokens: [
    {
      id: 11,
      content: "<|endoftext|>",
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: true,
      special: true,
    },
  ],
  normalizer: null,
  pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
  post_processor: { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
  decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
  model: {
    type: "BPE",
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: "",
    end_of_word_suffix: "",
    fuse_unk: false,
    byte_fallback: false,
    vocab: { h: 0, e: 1, l: 2, o: 3, "Ġ": 4, he: 5, ll: 6, hell: 7, hello: 8, "Ġhello": 9, "!": 10 },
    merges: ["h e", "l l", "he ll", "hell o", "Ġ hello"],
  },
};

async function tokenizerFolder(
  root: string,
  name: string,
  tokenizer: unknown,
  config: Record<string, unknown> = {},
): Promise<string> {
  const dir = `${root}/${name}`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/tokenizer.json`, JSON.stringify(tokenizer));
  await Deno.writeTextFile(`${dir}/tokenizer_config.json`, JSON.stringify(config));
  await Deno.writeTextFile(`${dir}/config.json`, "{}");
  return dir;
}

Deno.test("hf tokenizer: a byte-level BPE folder loads offline and round-trips", async () => {
  const root = await Deno.makeTempDir();
  try {
    const dir = await tokenizerFolder(root, "bpe", BYTE_BPE, { eos_token: "<|endoftext|>" });
    const tok = await loadTokenizer(dir);
    assert.ok(tok instanceof HfTokenizer);
    assert.equal(tok.name, dir);
    assert.equal(tok.vocabSize, 12);
    assert.equal(tok.eosId, 11);
    assert.deepEqual(tok.encode("hello hello!"), [8, 9, 10]);
    assert.deepEqual(tok.encode("hell"), [7]);
    assert.equal(tok.decode([8, 9, 10]), "hello hello!");
    assert.equal(tok.decode(tok.encode("hello ell oh")), "hello ell oh");
    assert.equal(tok.decode([8, 11]), "hello<|endoftext|>");
    assert.deepEqual(tokenizerInfo(tok), { name: dir, vocabSize: 12, eosId: 11 });
    assert.throws(() => tok.decode([12]), /ids\[0\] must be an integer in \[0, 12\), got 12/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("hf tokenizer: WordLevel with and without an unknown token", async () => {
  const root = await Deno.makeTempDir();
  try {
    const withUnk = await loadHfTokenizer(
      await tokenizerFolder(root, "words", WORD_LEVEL, { unk_token: "<unk>", eos_token: "<eos>" }),
    );
    assert.equal(withUnk.vocabSize, 6);
    assert.equal(withUnk.eosId, 0);
    assert.deepEqual(withUnk.encode("hello world dpo zzz kernels"), [2, 3, 4, 1, 5]);
    assert.equal(withUnk.decode([2, 3, 0]), "hello world <eos>");
    // tokenizer_config.json {}: no unknown token, so an unknown word is an error, never an undefined id.
    const bare = await loadHfTokenizer(await tokenizerFolder(root, "bare", WORD_LEVEL));
    assert.equal(bare.eosId, undefined);
    assert.deepEqual(bare.encode("dpo kernels"), [4, 5]);
    assert.throws(() => bare.encode("dpo zzz"), /token 1 of text "dpo zzz" is not in the vocabulary/);
    // Loads take turns on transformers.js's global env: concurrent loads each get their own folder.
    const [a, b] = await Promise.all([
      loadHfTokenizer(`${root}/words`),
      loadHfTokenizer(await tokenizerFolder(root, "bpe", BYTE_BPE)),
    ]);
    assert.deepEqual([a.vocabSize, b.vocabSize], [6, 12]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("hf tokenizer: a hub id loads through the cache (fake fetch, no network); missing files are errors", async () => {
  const root = await Deno.makeTempDir();
  try {
    const repo = await tokenizerFolder(root, "repo", BYTE_BPE, {});
    const requests: string[] = [];
    const fetch = async (url: string): Promise<Response> => {
      requests.push(url);
      const file = url.replace(/^https:\/\/huggingface\.co\/org\/tiny\/resolve\/main\//, "");
      return new Response(await Deno.readFile(`${repo}/${file}`));
    };
    const cacheDir = `${root}/cache`;
    const tok = await loadTokenizer("org/tiny", { cacheDir, fetch });
    assert.equal(tok.name, "org/tiny");
    assert.deepEqual(tok.encode("hello"), [8]);
    assert.equal(requests.length, 2);
    await loadTokenizer("org/tiny", { cacheDir, fetch: () => Promise.reject(new TypeError("offline")) });
    assert.equal(requests.length, 2, "cached: no second download");

    await Deno.remove(`${repo}/tokenizer_config.json`);
    await assert.rejects(
      loadHfTokenizer(repo),
      /repo\/tokenizer_config\.json: no such file \(a tokenizer folder needs/,
    );
    await Deno.writeTextFile(`${repo}/tokenizer_config.json`, "{}");
    await Deno.writeTextFile(`${repo}/tokenizer.json`, JSON.stringify({ model: { type: "Nope" } }));
    await assert.rejects(loadHfTokenizer(repo), /repo: transformers\.js could not load the tokenizer/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
