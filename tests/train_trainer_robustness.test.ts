// Issue 8 (trainer side): the non-finite guard, resume checks, up-front validation, own-property lookups,
// the data policy and the output folder. Each test reproduces a case that misbehaved before.
import * as tf from "@tensorflow/tfjs";
import { Gpt } from "../lib/model/mod.ts";
import { loadCheckpoint, saveCheckpoint } from "../lib/io/mod.ts";
import { parsePreferenceJsonl, type PreferenceExample, readPreferenceJsonl } from "../lib/data/mod.ts";
import {
  resolveTrainConfig,
  train,
  type TrainConfig,
  type TrainEvent,
  TrainingError,
} from "../lib/train/mod.ts";
import { lookup, preferenceLoss } from "../mod.ts";
import { decodeSafetensors } from "../lib/io/safetensors.ts";
import { readRows } from "../lib/data/loaders/formats.ts";
import { sumPairs, TINY_MODEL } from "./_fixtures.ts";
import { assert } from "./_assert.ts";

const EXAMPLES = sumPairs(24);
const TINY = TINY_MODEL;

function base(out: string): TrainConfig {
  return {
    data: EXAMPLES,
    out,
    model: TINY,
    backend: "cpu",
    sft: { steps: 1, batchSize: 4 },
    steps: 6,
    batchSize: 4,
    evalEvery: 0,
    checkpointEvery: 3,
    seed: 1,
  };
}

async function run(config: TrainConfig): Promise<{ events: TrainEvent[]; error?: unknown }> {
  const events: TrainEvent[] = [];
  try {
    for await (const e of train(config)) events.push(e);
  } catch (error) {
    return { events, error };
  }
  return { events };
}

async function entries(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) names.push(e.name);
  } catch {
    // missing folder: no entries
  }
  return names.sort();
}

async function metricLines(out: string): Promise<Record<string, unknown>[]> {
  return (await Deno.readTextFile(`${out}/metrics.jsonl`)).trim().split("\n").map((l) => JSON.parse(l));
}

async function allFinite(dir: string): Promise<boolean> {
  const ckpt = await loadCheckpoint(dir);
  const ok = [...ckpt.weights.values()].every((w) => w.dataSync().every(Number.isFinite));
  tf.dispose([...ckpt.weights.values(), ...(ckpt.optimizer?.values() ?? [])]);
  return ok;
}

// ---- 2. the non-finite guard ---------------------------------------------------------------------------------

Deno.test("lr 1e20 for one step: no final checkpoint is written, and no metric is null without a reason", async () => {
  const out = await Deno.makeTempDir();
  const { error } = await run({ ...base(out), steps: 1, learningRate: 1e20, evalFraction: 0.25 });
  assert.ok(error instanceof TrainingError, `expected a TrainingError, got ${error}`);
  assert.match(error.message, /Last verified good checkpoint: .*reference/);
  assert.ok(!(await entries(out)).includes("final"), "a final checkpoint with broken weights was written");
  for (const line of await metricLines(out)) {
    for (const [key, value] of Object.entries(line)) {
      if (value === null) {
        const reason = line.reason as Record<string, string> | undefined;
        assert.ok(reason?.[key] !== undefined, `${key} is null without a reason: ${JSON.stringify(line)}`);
      }
    }
  }
  await Deno.remove(out, { recursive: true });
});

Deno.test("checkpointEvery 1 with lr 1e20: the error names a checkpoint written before the update that broke the weights", async () => {
  const out = await Deno.makeTempDir();
  const { error } = await run({ ...base(out), checkpointEvery: 1, learningRate: 1e20 });
  assert.ok(error instanceof TrainingError, `expected a TrainingError, got ${error}`);
  assert.ok(error.lastCheckpoint !== undefined);
  // Every checkpoint on disk, the one named included, has finite weights that give a finite next loss: so it
  // can be resumed. Before, checkpoint-1 (weights ~1e20 after the first update) was written and named.
  const written = (await entries(out)).filter((n) => n.startsWith("checkpoint-"));
  assert.deepEqual(written, [], `checkpoints written after the runaway update: ${written}`);
  assert.ok(await allFinite(error.lastCheckpoint));
  await Deno.remove(out, { recursive: true });
});

Deno.test("the weight checks and checkpoint verification leak no tensor", async () => {
  const out = await Deno.makeTempDir();
  const counts: number[] = [];
  for await (
    const e of train({
      ...base(out),
      steps: 24,
      checkpointEvery: 4,
      finiteCheckEvery: 1,
      evalEvery: 4,
      evalFraction: 0.25,
    })
  ) {
    if (e.type === "step" && e.phase === "preference") counts.push(tf.memory().numTensors);
  }
  assert.equal(counts.length, 24);
  assert.equal(counts[23], counts[4], `tensors grew from ${counts[4]} to ${counts[23]}`);
  await Deno.remove(out, { recursive: true });
});

Deno.test("a runaway SFT learning rate: the reference is not written, nothing is called good", async () => {
  const out = await Deno.makeTempDir();
  const { error } = await run({ ...base(out), sft: { steps: 1, batchSize: 4, learningRate: 1e20 } });
  assert.ok(error instanceof TrainingError, `expected a TrainingError, got ${error}`);
  assert.match(error.message, /reference was not written\. Last verified good checkpoint: none/);
  assert.deepEqual(await entries(out), ["metrics.jsonl"]);
  await Deno.remove(out, { recursive: true });
});

Deno.test("non-finite or absurd settings are rejected before anything is written (lr, beta, gamma, alpha, sizes)", async () => {
  const cases: [Partial<TrainConfig>, RegExp][] = [
    [{ learningRate: Infinity }, /config.learningRate must be a finite number > 0, got Infinity/],
    [{ learningRate: NaN }, /config.learningRate/],
    [{ beta: Infinity }, /config.beta/],
    [{ gamma: Infinity, loss: "hybrid" }, /config.gamma/],
    [{ alpha: Infinity }, /config.alpha/],
    [{ divergence: "renyi", alpha: 1 }, /renyi.*alpha/],
    [{ divergence: "renyi", alpha: 1, regularizer: "explicit" }, /renyi.*alpha must not be 1/],
    [{ batchSize: 1e9 }, /config.batchSize must be an integer in \[1, 65536\]/],
    [{ batchSize: 30 }, /config.batchSize 30 exceeds the 24 training pairs/],
    [{ steps: 2.5 }, /config.steps/],
    [{ sft: { steps: 1, batchSize: 1.5 } }, /config.sft.batchSize/],
    [{ finiteCheckEvery: 0 }, /config.finiteCheckEvery/],
    [{ kernels: { rbf: { sigma: -1 } }, loss: "rbf" }, /config.kernels.rbf/],
  ];
  for (const [patch, pattern] of cases) {
    const out = (await Deno.makeTempDir()) + "/run";
    const { events, error } = await run({ ...base(out), evalFraction: 0, ...patch });
    assert.ok(error instanceof RangeError, `${JSON.stringify(patch)}: expected a RangeError, got ${error}`);
    assert.match(error.message, pattern);
    assert.equal(events.length, 0, `${JSON.stringify(patch)}: events before the error`);
    assert.deepEqual(await entries(out), [], `${JSON.stringify(patch)}: SFT ran before the error`);
  }
});

Deno.test("a model whose vocabulary is smaller than the tokenizer's is refused before training", async () => {
  const dir = await Deno.makeTempDir();
  const model = new Gpt({ vocabSize: 100, contextLength: 16, dModel: 16, layers: 1, heads: 2 });
  await saveCheckpoint(`${dir}/small`, { model, tokenizer: { name: "byte", vocabSize: 256 } });
  model.dispose();
  const { events, error } = await run({ ...base(`${dir}/out`), model: `${dir}/small` });
  assert.ok(error instanceof RangeError, `expected a RangeError, got ${error}`);
  assert.match(error.message, /vocabulary \(100\) is smaller than the tokenizer's \(256, byte\)/);
  assert.equal(events.length, 0);
  await Deno.remove(dir, { recursive: true });
});

// ---- 3. resume ---------------------------------------------------------------------------------------------

Deno.test("--resume: a missing or bad trainer_state.json or optimizer is an error naming the file", async () => {
  const a = await Deno.makeTempDir();
  await run(base(a));
  const ck = `${a}/checkpoint-3`;
  const copy = async (name: string, edit: (dir: string) => Promise<void>) => {
    const dir = `${a}/${name}`;
    await Deno.mkdir(dir);
    for await (const e of Deno.readDir(ck)) await Deno.copyFile(`${ck}/${e.name}`, `${dir}/${e.name}`);
    await edit(dir);
    return dir;
  };
  const state = (text: string) => (dir: string) => Deno.writeTextFile(`${dir}/trainer_state.json`, text);
  const cases: [string, (dir: string) => Promise<void>, RegExp][] = [
    ["checkpoint-90", (dir) => Deno.remove(`${dir}/trainer_state.json`), /trainer_state.json: missing/],
    ["checkpoint-91", state("[]"), /trainer_state.json: expected an object/],
    ["checkpoint-92", state('{"phase":"warmup","step":1}'), /trainer_state.json: phase must be/],
    [
      "checkpoint-93",
      state('{"phase":"preference","step":-5}'),
      /trainer_state.json: step must be an integer >= 0, got -5/,
    ],
    ["checkpoint-94", state('{"phase":"preference","step":99}'), /step 99 is beyond the run's 6/],
    [
      "checkpoint-95",
      (dir) => Deno.remove(`${dir}/optimizer.safetensors`),
      /optimizer.safetensors: missing; pass --resume-weights-only/,
    ],
    ["checkpoint-96", (dir) => Deno.writeTextFile(`${dir}/config.json`, ""), /config.json: empty/],
    ["checkpoint-97", (dir) => Deno.remove(`${dir}/config.json`), /config.json: missing/],
  ];
  for (const [name, edit, pattern] of cases) {
    const dir = await copy(name, edit);
    const b = await Deno.makeTempDir();
    const { events, error } = await run({ ...base(b), resume: dir });
    assert.ok(error instanceof Error, `${name}: expected an error, got none`);
    assert.match(error.message, pattern, name);
    assert.equal(events.length, 0, `${name}: training started`);
    assert.deepEqual(await entries(b), [], `${name}: the new run wrote files`);
  }
  // The reference is not resumable; a misspelt folder is not a hub id.
  const ref = await run({ ...base(await Deno.makeTempDir()), resume: `${a}/reference` });
  assert.match(String(ref.error), /frozen SFT reference.*--model .*--sft-steps 0/);
  const typo = await run({ ...base(await Deno.makeTempDir()), resume: `${a}/chekpoint-3` });
  assert.match(String(typo.error), /chekpoint-3: no such checkpoint folder/);
  // --resume-weights-only accepts the missing optimizer, with a note.
  const w = await run({
    ...base(await Deno.makeTempDir()),
    resume: `${a}/checkpoint-95`,
    resumeWeightsOnly: true,
  });
  assert.equal(w.error, undefined);
  assert.ok(w.events.some((e) => e.type === "note" && /optimizer starts fresh/.test(e.message)));
  await Deno.remove(a, { recursive: true });
});

Deno.test("resuming an earlier checkpoint in the same folder drops the later metrics lines, with a note", async () => {
  const out = await Deno.makeTempDir();
  await run({ ...base(out), evalFraction: 0.25, evalEvery: 2 });
  const before = await metricLines(out);
  const { events, error } = await run({
    ...base(out),
    evalFraction: 0.25,
    evalEvery: 2,
    resume: `${out}/checkpoint-3`,
  });
  assert.equal(error, undefined);
  assert.ok(events.some((e) => e.type === "note" && /dropped \d+ later lines/.test(e.message)));
  const after = await metricLines(out);
  assert.equal(after.length, before.length, "every step once, as in the uninterrupted run");
  const pref = after.filter((l) => l.phase === "preference").map((l) => l.step);
  assert.deepEqual(pref, [0, 1, 2, 3, 4, 5]);
  // The checkpoint names its reference relative to itself, not to the working directory.
  const state = JSON.parse(await Deno.readTextFile(`${out}/checkpoint-3/trainer_state.json`));
  assert.equal(state.reference, "reference");
  await Deno.remove(out, { recursive: true });
});

Deno.test("resuming into another folder copies the reference, so that the new folder's checkpoints resume", async () => {
  const a = await Deno.makeTempDir();
  await run(base(a));
  const b = await Deno.makeTempDir();
  assert.equal((await run({ ...base(b), steps: 5, resume: `${a}/checkpoint-3` })).error, undefined);
  assert.ok((await entries(b)).includes("reference"));
  await Deno.remove(a, { recursive: true });
  const c = await Deno.makeTempDir();
  assert.equal((await run({ ...base(c), resume: `${b}/final` })).error, undefined);
  await Deno.remove(b, { recursive: true });
  await Deno.remove(c, { recursive: true });
});

// ---- 6. own-property lookups and unknown keys ----------------------------------------------------------------

Deno.test("a user's name never finds a prototype property; unknown option keys name the nearest valid one", () => {
  const b = { data: EXAMPLES, out: "x" };
  assert.throws(
    () => resolveTrainConfig({ ...b, loss: "toString" as "dpo" }),
    /config.loss must be one of dpo/,
  );
  assert.throws(
    () => resolveTrainConfig({ ...b, backend: "toString" as "cpu" }),
    /config.backend must be one of/,
  );
  assert.throws(
    () => resolveTrainConfig({ ...b, betta: 0.5 } as TrainConfig),
    /config.betta .*did you mean beta\?/,
  );
  assert.throws(
    () => resolveTrainConfig({ ...b, sft: { step: 3 } } as unknown as TrainConfig),
    /config.sft.step .*did you mean steps\?/,
  );
  const pair = { policyChosen: -1, policyRejected: -2, referenceChosen: -1, referenceRejected: -1 };
  assert.throws(() => preferenceLoss(pair, { divergence: "toString" }), /divergence must be one of kl/);
  assert.throws(() => preferenceLoss(pair, { divergence: "__proto__" }), /divergence must be one of kl/);
  assert.throws(() => preferenceLoss(pair, { loss: "constructor" as "dpo" }), /options.loss must be one of/);
  assert.throws(() => preferenceLoss(pair, { betta: 0.5 } as never), /options.betta .*did you mean beta\?/);
  assert.throws(
    () => lookup({ a: 1 }, "hasOwnProperty", "name"),
    /name must be one of a, got "hasOwnProperty"/,
  );
});

// ---- 8. data policy and the output folder --------------------------------------------------------------------

Deno.test("data policy: identical pairs, blank responses and invalid UTF-8 are malformed lines; JSON arrays are named", async () => {
  const dir = await Deno.makeTempDir();
  const good = '{"prompt":"p","chosen":"a","rejected":"b"}';
  const lines = [
    good,
    '{"prompt":"p","chosen":"same","rejected":"same"}',
    '{"prompt":"p","chosen":"  \\n ","rejected":"b"}',
    good,
  ];
  assert.throws(
    () => parsePreferenceJsonl(lines.join("\n"), "d.jsonl"),
    /d.jsonl:2: "chosen" and "rejected" are identical/,
  );
  assert.throws(
    () => parsePreferenceJsonl([good, lines[2]].join("\n"), "d.jsonl"),
    /d.jsonl:2: field "chosen" must not be empty/,
  );
  const skipped = parsePreferenceJsonl(lines.join("\n"), "d.jsonl", { skipBadLines: true });
  assert.equal(skipped.examples.length, 2);
  assert.deepEqual(skipped.skippedLines, [2, 3]);
  // Invalid UTF-8 (a lone 0xff byte) is never replaced silently.
  const bytes = new Uint8Array([
    ...new TextEncoder().encode(good + "\n"),
    0x7b,
    0xff,
    0x7d,
    0x0a,
    ...new TextEncoder().encode(good),
  ]);
  await Deno.writeFile(`${dir}/bin.jsonl`, bytes);
  await assert.rejects(() => readPreferenceJsonl(`${dir}/bin.jsonl`), /bin.jsonl:2: not valid UTF-8/);
  const utf = await readPreferenceJsonl(`${dir}/bin.jsonl`, { skipBadLines: true });
  assert.equal(utf.examples.length, 2);
  assert.deepEqual(utf.skippedLines, [2]);
  // A JSON array gets the format's name, even when skipping bad lines.
  await Deno.writeTextFile(`${dir}/arr.json`, `[\n${good},\n${good}\n]\n`);
  await assert.rejects(
    () => readPreferenceJsonl(`${dir}/arr.json`, { skipBadLines: true }),
    /arr.json:1: expected JSON Lines: one object per line, got a JSON array/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--skip-bad-lines applies to --eval-data and reports the first line numbers of both files", async () => {
  const dir = await Deno.makeTempDir();
  const jsonl = (xs: readonly PreferenceExample[]) => xs.map((x) => JSON.stringify(x)).join("\n") + "\n";
  await Deno.writeTextFile(`${dir}/clean.jsonl`, jsonl(EXAMPLES));
  await Deno.writeTextFile(`${dir}/train.jsonl`, jsonl(EXAMPLES) + "not json\n");
  await Deno.writeTextFile(`${dir}/eval.jsonl`, "{}\n" + jsonl(EXAMPLES.slice(0, 4)));
  const out = `${dir}/out`;
  const config = { ...base(out), data: `${dir}/clean.jsonl`, evalData: `${dir}/eval.jsonl`, steps: 1 };
  const failed = await run(config);
  assert.match(String(failed.error), /eval.jsonl:1:/);
  const { events, error } = await run({
    ...config,
    data: `${dir}/train.jsonl`,
    skipBadLines: true,
    overwrite: true,
  });
  assert.equal(error, undefined);
  const start = events.find((e) => e.type === "start");
  assert.ok(start?.type === "start");
  assert.deepEqual([start.skipped, start.skippedLines, start.evalSkipped, start.evalSkippedLines], [
    1,
    [25],
    1,
    [1],
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("--out: a folder holding another run is refused unless overwrite, which removes that run only", async () => {
  const out = await Deno.makeTempDir();
  await run({ ...base(out), steps: 3 });
  await Deno.writeTextFile(`${out}/notes.txt`, "mine");
  const again = await run({ ...base(out), steps: 3 });
  assert.ok(again.error instanceof RangeError);
  assert.match(again.error.message, /holds another run .*--overwrite/);
  assert.ok((await entries(out)).includes("final"), "the old run was touched");
  // Stale folders of an interrupted save are there too; the next save removes them.
  const stale = `.final.tmp-${crypto.randomUUID()}`;
  await Deno.mkdir(`${out}/${stale}`);
  const { error } = await run({ ...base(out), steps: 2, overwrite: true });
  assert.equal(error, undefined);
  assert.deepEqual(await entries(out), ["final", "metrics.jsonl", "notes.txt", "reference", "summary.json"]);
  assert.equal((await metricLines(out)).filter((l) => l.phase === "preference").length, 2);
  await Deno.remove(out, { recursive: true });
});

Deno.test("saveCheckpoint removes folders interrupted saves left, keeping an aside copy whose original is gone", async () => {
  const dir = await Deno.makeTempDir();
  const model = new Gpt({ vocabSize: 8, contextLength: 4, dModel: 8, layers: 1, heads: 2 });
  const id = () => crypto.randomUUID();
  await saveCheckpoint(`${dir}/ck`, { model });
  const tmp = `.ck.tmp-${id()}`;
  const old = `.ck.old-${id()}`;
  const orphan = `.lost.old-${id()}`;
  for (const name of [tmp, old, orphan]) await Deno.mkdir(`${dir}/${name}`);
  await saveCheckpoint(`${dir}/ck`, { model });
  assert.deepEqual(await entries(dir), [orphan, "ck"].sort());
  model.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("names read from files are own-property lookups too: a safetensors dtype, a data format", async () => {
  const header = new TextEncoder().encode(
    JSON.stringify({ w: { dtype: "toString", shape: [1], data_offsets: [0, 4] } }),
  );
  const bytes = new Uint8Array(8 + header.length + 4);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
  bytes.set(header, 8);
  assert.throws(() => decodeSafetensors(bytes), /unknown dtype "toString"/);
  await assert.rejects(() => readRows("x.jsonl", "constructor" as "jsonl"), /format must be one of/);
});
