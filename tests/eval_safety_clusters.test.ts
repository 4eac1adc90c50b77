// Fig. 11 on safe vs unsafe prompts (lib/eval/safety_clusters.ts): the GPT prompt embedder against a second
// pooling path, the groups of the suite and of the real sets, and the bootstrap (stratified, paired).
import * as tf from "@tensorflow/tfjs";
import {
  gptPromptEmbedder,
  type LabelledPrompt,
  type PromptEmbedder,
  realSafetyPrompts,
  safetyClusters,
  suiteSafetyPrompts,
} from "../lib/eval/safety_clusters.ts";
import { tripletEmbeddings } from "../lib/eval/embeddings.ts";
import { daviesBouldinScore } from "../lib/analysis/davies_bouldin.ts";
import { readSyntheticJsonl } from "../lib/data/mod.ts";
import { Gpt } from "../lib/model/gpt.ts";
import { createRandom } from "../lib/math/random.ts";
import { ByteTokenizer } from "../lib/tokenizer/mod.ts";
import { assert, assertClose } from "./_assert.ts";

await tf.setBackend("cpu");

const tokenizer = new ByteTokenizer();
const CONFIG = { vocabSize: 256, contextLength: 12, dModel: 8, layers: 1, heads: 2 };

Deno.test("gptPromptEmbedder pools the prompt's hidden states as tripletEmbeddings does, at any batch size", async () => {
  const model = new Gpt(CONFIG, { seed: 2, trainable: false });
  // Short prompts and one longer than the context (both keep its last T tokens).
  const prompts = ["hurt my boss", "kill a proc", "a", "Teach me to destroy old letters. "];
  const triplets = await tripletEmbeddings(
    model,
    tokenizer,
    prompts.map((prompt) => ({ prompt, chosen: "x", rejected: "y" })),
  );
  const before = tf.memory().numTensors;
  for (const batchSize of [1, 3, 32]) {
    const rows = await gptPromptEmbedder(model, tokenizer, { batchSize })(prompts);
    assert.equal(rows.length, prompts.length);
    rows.forEach((r, i) =>
      r.forEach((v, d) => assertClose(v, triplets[i]!.prompt[d]!, 1e-5, 1e-6, `prompt ${i}`))
    );
  }
  assert.equal(tf.memory().numTensors, before);
  // A prompt longer than the context is embedded by its last T = 12 bytes.
  const [long, tail] = await gptPromptEmbedder(model, tokenizer)(["Help me hurt my boss. ", "rt my boss. "]);
  assert.deepEqual(long, tail);
  await assert.rejects(
    () => gptPromptEmbedder(model, tokenizer)(["ok", ""]),
    (e: Error) => e.message.includes("prompts[1]"),
  );
  assert.throws(() => gptPromptEmbedder(model, tokenizer, { batchSize: 0 }), RangeError);
  model.dispose();
});

Deno.test("suiteSafetyPrompts labels the suite's safety prompts by check.unsafe, each once", async () => {
  const suite = await readSyntheticJsonl(new URL("../data/synthetic_test.jsonl", import.meta.url).pathname);
  const safety = suite.filter((e) => e.category === "safety");
  const rows = suiteSafetyPrompts([...suite, ...safety]); // duplicates are dropped
  const unsafe = new Set(safety.filter((e) => (e.check as { unsafe: boolean }).unsafe).map((e) => e.prompt));
  const safe = new Set(safety.filter((e) => !(e.check as { unsafe: boolean }).unsafe).map((e) => e.prompt));
  assert.ok(unsafe.size >= 2 && safe.size >= 2, `suite: ${unsafe.size} unsafe, ${safe.size} safe`);
  assert.equal(rows.length, unsafe.size + safe.size);
  for (const r of rows) assert.ok((r.group === "unsafe" ? unsafe : safe).has(r.prompt), r.prompt);
  assert.throws(
    () => suiteSafetyPrompts([{ prompt: "p", chosen: "a", rejected: "b", category: "safety", check: {} }]),
    (e: Error) => e instanceof RangeError && e.message.includes("examples[0].check.unsafe"),
  );
});

Deno.test("realSafetyPrompts: first human turns; harmless-set prompts unsafe, helpful-set prompts safe, shared ones dropped, capped", () => {
  const pair = (prompt: string) => ({ prompt, chosen: "a", rejected: "b" });
  const rows = realSafetyPrompts(
    [pair("steal"), pair("shared"), pair("steal"), pair("rob"), pair("hack")],
    [pair("bake"), pair("\n\nHuman: shared\n\nAssistant: ok"), pair("sew")],
    { perGroup: 2 },
  );
  assert.deepEqual(rows, [
    { prompt: "steal", group: "unsafe" },
    { prompt: "rob", group: "unsafe" },
    { prompt: "bake", group: "safe" },
    { prompt: "sew", group: "safe" },
  ]);
  assert.throws(
    () => realSafetyPrompts([], [], { perGroup: 0 }),
    (e: Error) => e.message.includes("perGroup"),
  );
  // The whole conversation when asked: the shared request is then no longer shared.
  const whole = realSafetyPrompts([pair("shared")], [pair("Human: shared\n\nAssistant: ok")], {
    firstTurn: false,
  });
  assert.equal(whole.length, 2);
});

/** `n` prompts per group in 3-d: safe around the origin, unsafe around (gap, 0, 0). */
function clusters(nSafe: number, nUnsafe: number, gap: number, seed = 1) {
  const r = createRandom(seed);
  const prompts: LabelledPrompt[] = [];
  const coords = new Map<string, number[]>();
  for (let i = 0; i < nSafe + nUnsafe; i++) {
    const group = i < nSafe ? "safe" : "unsafe";
    prompts.push({ prompt: `p${i}`, group });
    coords.set(`p${i}`, [(group === "unsafe" ? gap : 0) + r.normal(), r.normal(), r.normal()]);
  }
  const embed: PromptEmbedder = (ps) => Promise.resolve(ps.map((p) => coords.get(p)!));
  return { prompts, embed, coords };
}

Deno.test("safetyClusters: the observed score, an interval around it, paired differences, stratified draws", async () => {
  const { prompts, embed, coords } = clusters(20, 20, 3);
  const far = clusters(20, 20, 8, 1).embed; // the same noise, groups further apart
  const rows = await safetyClusters({ reference: embed, same: embed, far }, prompts, {
    baseline: "reference",
    resamples: 500,
  });
  const direct = daviesBouldinScore(prompts.map((p) => coords.get(p.prompt)!), prompts.map((p) => p.group));
  const [ref, same, farRow] = rows as [typeof rows[0], typeof rows[0], typeof rows[0]];
  assert.equal(ref.daviesBouldin, direct);
  assert.ok(ref.lower < direct && direct < ref.upper, `${ref.lower} < ${direct} < ${ref.upper}`);
  // Separated groups beat every label permutation; groups drawn from one distribution do not.
  assert.equal(ref.pValue, 1 / 501);
  const mixed = clusters(20, 20, 0);
  const [noise] = await safetyClusters({ a: mixed.embed }, mixed.prompts, { resamples: 500 });
  assert.ok(noise!.pValue > 0.05, `p ${noise!.pValue} for one distribution`);
  // Paired resamples: an embedder equal to the baseline differs by exactly 0 in every resample.
  assert.deepEqual([same.difference, same.differenceLower, same.differenceUpper], [0, 0, 0]);
  assert.ok(farRow.difference < 0 && farRow.differenceUpper < 0, "further groups must score lower (better)");
  assert.ok(Number.isNaN((await safetyClusters({ a: embed }, prompts, { resamples: 10 }))[0]!.difference));
  // A group of 2 among 40: every resample keeps 2 safe prompts (unstratified draws would often lose a group).
  const small = clusters(2, 40, 3);
  const [row] = await safetyClusters({ a: small.embed }, small.prompts, { resamples: 300 });
  assert.ok(Number.isFinite(row!.lower) && Number.isFinite(row!.upper));
  // Deterministic in the seed.
  const again = await safetyClusters({ reference: embed }, prompts, { resamples: 500 });
  assert.equal(again[0]!.lower, ref.lower);
});

Deno.test("safetyClusters rejects a group of fewer than 2, an unknown baseline, bad options", async () => {
  const { prompts, embed } = clusters(5, 5, 3);
  await assert.rejects(
    () => safetyClusters({ a: embed }, prompts.slice(0, 6)),
    (e: Error) => e.message.includes("2 unsafe"),
  );
  await assert.rejects(
    () => safetyClusters({ a: embed }, prompts, { baseline: "b" }),
    (e: Error) => e.message.includes("baseline"),
  );
  await assert.rejects(() => safetyClusters({ a: embed }, prompts, { resamples: 0 }), RangeError);
  await assert.rejects(() => safetyClusters({ a: embed }, prompts, { level: 1 }), RangeError);
});
