import { assert } from "./_assert.ts";
import { ByteTokenizer } from "../lib/tokenizer/byte.ts";
import { loadTokenizer, TOKENIZERS } from "../lib/tokenizer/load.ts";
import { tokenizerInfo } from "../lib/io/checkpoint_config.ts";

Deno.test("byte tokenizer: UTF-8 bytes, vocabulary 256, exact round trip", () => {
  const tok = new ByteTokenizer();
  assert.equal(tok.name, "byte");
  assert.equal(tok.vocabSize, 256);
  assert.equal(tok.eosId, undefined);
  assert.deepEqual(tok.encode(""), []);
  assert.deepEqual(tok.encode("A€"), [65, 0xe2, 0x82, 0xac]);
  for (const text of ["", "plain ascii", "naïve café", "日本語", "emoji 😀👍🏽", "tabs\tand\nnewlines\0nul"]) {
    const ids = tok.encode(text);
    assert.ok(ids.every((i) => Number.isInteger(i) && i >= 0 && i < 256));
    assert.equal(tok.decode(ids), text);
  }
  // A character cut in half decodes to U+FFFD rather than throwing.
  assert.equal(tok.decode([0xe2, 0x82]), "\ufffd");
  assert.deepEqual(tokenizerInfo(tok), { name: "byte", vocabSize: 256 });
});

Deno.test("byte tokenizer: bad ids and non-strings are errors naming the value", () => {
  const tok = new ByteTokenizer();
  assert.throws(() => tok.decode([65, 256]), /ids\[1\] must be an integer in \[0, 255\], got 256/);
  assert.throws(() => tok.decode([-1]), RangeError);
  assert.throws(() => tok.decode([1.5]), /ids\[0\]/);
  assert.throws(() => tok.encode(42 as unknown as string), TypeError);
});

Deno.test("loadTokenizer: 'byte' from the table; bad specs are clear errors", async () => {
  assert.deepEqual(Object.keys(TOKENIZERS), ["byte"]);
  const tok = await loadTokenizer("byte");
  assert.ok(tok instanceof ByteTokenizer);
  await assert.rejects(loadTokenizer(""), TypeError);
  await assert.rejects(loadTokenizer("./no/such/folder"), /no such folder, and not a hub id/);
  // Not a table entry (prototype names included): a hub id, here with a fake offline hub (no network).
  const cacheDir = await Deno.makeTempDir();
  const offline = () => Promise.reject(new TypeError("dns error"));
  await assert.rejects(
    loadTokenizer("toString", { cacheDir, fetch: offline }),
    /hub is unreachable \(https:\/\/huggingface\.co\/toString\/resolve\/main\/tokenizer\.json/,
  );
  await Deno.remove(cacheDir, { recursive: true });
});
