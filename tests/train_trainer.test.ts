import * as tf from "@tensorflow/tfjs";
import { loadCheckpoint } from "../lib/io/mod.ts";
import {
  resolveTrainConfig,
  train,
  type TrainConfig,
  type TrainEvent,
  TrainingError,
} from "../lib/train/mod.ts";
import { sumPairs, TINY_MODEL } from "./_fixtures.ts";
import { assert, assertClose } from "./_assert.ts";

// A tiny learnable task: answer with the sum's last digit (chosen) rather than a wrong digit (rejected).
const EXAMPLES = sumPairs(40, { categories: true });
const TINY = TINY_MODEL;

async function run(config: TrainConfig, onEvent?: (e: TrainEvent) => void, signal?: AbortSignal) {
  const events: TrainEvent[] = [];
  const gen = train(config, { signal });
  let r = await gen.next();
  while (!r.done) {
    events.push(r.value);
    onEvent?.(r.value);
    r = await gen.next();
  }
  return { events, summary: r.value };
}

function base(out: string): TrainConfig {
  return {
    data: EXAMPLES,
    out,
    model: TINY,
    backend: "cpu",
    sft: { steps: 3, batchSize: 8 },
    steps: 6,
    batchSize: 4,
    evalEvery: 3,
    checkpointEvery: 3,
    seed: 3,
  };
}

async function metricLines(out: string): Promise<Record<string, number | string>[]> {
  return (await Deno.readTextFile(`${out}/metrics.jsonl`)).trim().split("\n").map((l) => JSON.parse(l));
}

Deno.test("a run writes TRL-named metrics every step, evaluates, checkpoints and summarizes", async () => {
  const out = await Deno.makeTempDir();
  const { summary } = await run({ ...base(out), loss: "hmk" });
  const lines = await metricLines(out);
  const pref = lines.filter((l) => l.phase === "preference");
  assert.equal(lines.filter((l) => l.phase === "sft").length, 3);
  assert.equal(pref.length, 6);
  for (
    const key of [
      "step",
      "loss",
      "rewards/chosen",
      "rewards/rejected",
      "rewards/accuracies",
      "rewards/margins",
      "logps/chosen",
      "logps/rejected",
      "grad_norm",
      "learning_rate",
      "tokens_per_second",
      "tau1",
      "tau2",
      "lambda_rbf",
      "lambda_poly",
      "lambda_spec",
      "lambda_maha",
    ]
  ) {
    assert.ok(typeof pref[0]![key] === "number", `metrics lack ${key}`);
  }
  const evals = lines.filter((l) => l.phase === "eval");
  assert.ok(evals.length >= 2 && typeof evals[0]!["eval/accuracy"] === "number");
  assert.ok(typeof evals[0]!["eval/accuracy/reasoning"] === "number", "per-category accuracy");
  assert.equal(summary.steps, 6);
  const ckpt = await loadCheckpoint(summary.checkpoint);
  assert.equal(ckpt.config.dModel, 16);
  tf.dispose([...ckpt.weights.values(), ...(ckpt.optimizer?.values() ?? [])]);
  await Deno.remove(out, { recursive: true });
});

Deno.test("--resume from a checkpoint reproduces the next losses of an uninterrupted run (cpu, 1e-6)", async () => {
  for (const loss of ["dpo", "hmk"] as const) {
    const a = await Deno.makeTempDir();
    await run({ ...base(a), loss });
    const full = (await metricLines(a)).filter((l) => l.phase === "preference").map((l) => l.loss as number);
    const b = await Deno.makeTempDir();
    await run({ ...base(b), loss, resume: `${a}/checkpoint-3` });
    const resumed = (await metricLines(b)).filter((l) => l.phase === "preference").map((l) =>
      l.loss as number
    );
    assert.equal(resumed.length, 3);
    resumed.forEach((v, i) => assertClose(v, full[3 + i]!, 1e-6, 0, `${loss} step ${3 + i}`));
    await Deno.remove(a, { recursive: true });
    await Deno.remove(b, { recursive: true });
  }
});

Deno.test("a non-finite loss stops training naming the step; the last good checkpoint stays intact", async () => {
  const out = await Deno.makeTempDir();
  // Adam moves every weight by about the learning rate: 1e30 overflows the next forward pass.
  const config = {
    ...base(out),
    steps: 8,
    learningRate: 1e30,
    warmupSteps: 0,
    minLearningRateRatio: 1,
    gradClip: Infinity,
  };
  let error: unknown;
  try {
    await run(config);
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof TrainingError, `expected a TrainingError, got ${error}`);
  assert.match(error.message, /at step \d+/);
  assert.ok(error.lastCheckpoint !== undefined);
  const ckpt = await loadCheckpoint(error.lastCheckpoint);
  for (const w of ckpt.weights.values()) {
    assert.ok(w.dataSync().every(Number.isFinite), "checkpoint weights finite");
  }
  tf.dispose([...ckpt.weights.values(), ...(ckpt.optimizer?.values() ?? [])]);
  await Deno.remove(out, { recursive: true });
});

Deno.test("the live tensor count is flat across 50 preference steps", async () => {
  const out = await Deno.makeTempDir();
  const counts: number[] = [];
  await run(
    { ...base(out), loss: "hmk", steps: 50, evalEvery: 10, checkpointEvery: 0, sft: { steps: 1 } },
    (e) => {
      if (e.type === "step" && e.phase === "preference") counts.push(tf.memory().numTensors);
    },
  );
  assert.equal(counts.length, 50);
  assert.equal(counts[49], counts[5], `tensors grew from ${counts[5]} to ${counts[49]}`);
  await Deno.remove(out, { recursive: true });
});

Deno.test("an abort writes a checkpoint and stops; explicit regularizers and the hybrid term train", async () => {
  const out = await Deno.makeTempDir();
  const controller = new AbortController();
  const { events, summary } = await run({ ...base(out), loss: "rbf" }, (e) => {
    if (e.type === "step" && e.phase === "preference" && e.step === 1) controller.abort();
  }, controller.signal);
  assert.ok(summary.stopped);
  assert.ok(events.some((e) => e.type === "stopped" && e.step === 2));
  await Deno.remove(out, { recursive: true });
  for (const divergence of ["js", "wasserstein"] as const) {
    const o = await Deno.makeTempDir();
    await run({
      ...base(o),
      loss: "hybrid",
      steps: 2,
      divergence,
      regularizer: "explicit",
      wasserstein: { topK: 4, iterations: 5 },
    });
    const pref = (await metricLines(o)).filter((l) => l.phase === "preference");
    assert.ok(
      typeof pref[0]!.divergence === "number" && Number.isFinite(pref[1]!.loss as number),
      divergence,
    );
    await Deno.remove(o, { recursive: true });
  }
});

Deno.test("bad configuration values and malformed data lines are errors that name them", async () => {
  assert.throws(
    () => resolveTrainConfig({ data: EXAMPLES, out: "x", learningRate: -1 }),
    /config.learningRate/,
  );
  assert.throws(() => resolveTrainConfig({ data: EXAMPLES, out: "x", loss: "nope" as "dpo" }), /config.loss/);
  assert.throws(
    () => resolveTrainConfig({ data: EXAMPLES, out: "x", divergence: "wasserstein" }),
    /explicit/,
  );
  assert.throws(
    () => resolveTrainConfig({ data: EXAMPLES, out: "x", model: { heads: 3, dModel: 16 } }),
    /heads/,
  );
  assert.throws(
    () => resolveTrainConfig({ data: EXAMPLES, out: "x", stepz: 1 } as TrainConfig),
    /config.stepz/,
  );
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/d.jsonl`,
    '{"prompt":"a","chosen":"b","rejected":"c"}\n{"prompt":"a","chosen":"b"}\n',
  );
  let error: unknown;
  try {
    await run({ ...base(dir), data: `${dir}/d.jsonl` });
  } catch (e) {
    error = e;
  }
  assert.match(String(error), /d\.jsonl:2: field "rejected"/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("an abort during SFT writes checkpoint-sft-N; resuming it finishes SFT and training as an uninterrupted run does", async () => {
  const config = (out: string): TrainConfig => ({ ...base(out), sft: { steps: 5, batchSize: 8 }, steps: 2 });
  const full = await Deno.makeTempDir();
  await run(config(full));
  const out = await Deno.makeTempDir();
  const controller = new AbortController();
  const { events, summary } = await run(config(out), (e) => {
    if (e.type === "step" && e.phase === "sft" && e.step === 1) controller.abort();
  }, controller.signal);
  const stopped = events.find((e) => e.type === "stopped");
  assert.ok(summary.stopped && stopped?.type === "stopped" && stopped.step === 2);
  assert.equal(stopped.path, `${out}/checkpoint-sft-2`);
  assert.equal(summary.checkpoint, stopped.path);
  assert.deepEqual(JSON.parse(await Deno.readTextFile(`${stopped.path}/trainer_state.json`)), {
    phase: "sft",
    step: 2,
  });
  assert.ok(!events.some((e) => e.type === "step" && e.phase === "preference"));
  await run({ ...config(out), resume: stopped.path });
  const losses = async (dir: string) =>
    (await metricLines(dir)).filter((l) => l.phase !== "eval").map((l) => l.loss as number);
  const [expected, resumed] = [await losses(full), await losses(out)];
  assert.equal(
    resumed.length,
    expected.length,
    "one metrics line per SFT and preference step, none repeated",
  );
  resumed.forEach((v, i) => assertClose(v, expected[i]!, 1e-6, 0, `line ${i}`));
  await Deno.remove(full, { recursive: true });
  await Deno.remove(out, { recursive: true });
});
