/**
 * How the training step's cost grows, on both sides: the trainer's DPO step (bench/step.ts) and PyTorch's,
 * along three axes from a base model (d_model 128, 4 layers, context 128, heads = d_model/32): d_model, layers,
 * context. Writes `scaling.json` (every point) and one figure per axis (`scaling_<axis>.svg/.png`: ms per step
 * on a log scale, both sides) into `--out`, and prints one JSON line per point.
 *
 * Usage: deno task bench:scaling [--dmodel 64,128,256,512] [--layers 2,4,8] [--context 64,128,256,512]
 *          [--threads 1] [--steps 3] [--warmup 1] [--batch 8] [--backend NAME] [--no-torch] [--out out/scaling]
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { Gpt } from "../lib/model/gpt.ts";
import { useBackend } from "../lib/model/backend.ts";
import { loadBlas } from "../lib/model/blas.ts";
import { chooseCpuBackend } from "../lib/model/cpu_backend.ts";
import { Plot, saveFigure } from "../lib/plot/render.ts";
import { makeBatch, median, sigmoidDpo, type Size, torchMs, trainerStep } from "./step.ts";

const list = (flag: string, value: string): number[] =>
  value.split(",").map((s) => {
    const v = Number(s);
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`--${flag} takes integers ≥ 1, got ${JSON.stringify(s)}`);
    }
    return v;
  });

const { values } = parseArgs({
  args: Deno.args,
  options: {
    dmodel: { type: "string", default: "64,128,256,512" },
    layers: { type: "string", default: "2,4,8" },
    context: { type: "string", default: "64,128,256,512" },
    threads: { type: "string", default: "1" },
    steps: { type: "string", default: "3" },
    warmup: { type: "string", default: "1" },
    batch: { type: "string", default: "8" },
    backend: { type: "string" },
    "no-torch": { type: "boolean", default: false },
    out: { type: "string", default: "out/scaling" },
  },
  strict: true,
});
const [threads] = list("threads", values.threads) as [number];
const steps = list("steps", values.steps)[0] as number;
const warmup = Number(values.warmup);
const batch = list("batch", values.batch)[0] as number;
const base: Size = { d: 128, layers: 4, heads: 4, context: 128 };
const points: { axis: string; value: number; size: Size }[] = [
  ...list("dmodel", values.dmodel).map((d) => ({
    axis: "d_model",
    value: d,
    size: { ...base, d, heads: d / 32 },
  })),
  ...list("layers", values.layers).map((layers) => ({
    axis: "layers",
    value: layers,
    size: { ...base, layers },
  })),
  ...list("context", values.context).map((context) => ({
    axis: "context",
    value: context,
    size: { ...base, context },
  })),
];

const choice = chooseCpuBackend(values.backend, threads);
console.log(choice.announcement);
const backend = await useBackend(choice.backend);
tf.enableProdMode();
if (backend === "wasm-blas") loadBlas().setThreads(threads);

/** Median ms of the trainer's step at one size. */
async function tfjsMs(size: Size): Promise<number> {
  const policy = new Gpt({
    vocabSize: 256,
    contextLength: size.context,
    dModel: size.d,
    layers: size.layers,
    heads: Math.max(1, size.heads),
  }, { seed: 0 });
  const data = makeBatch(2 * batch, size.context, 256, 1);
  const ref = tf.tidy(() => policy.sequenceLogProbs(data.ids, data.targets, data.mask).logps);
  const { step, optimizer } = trainerStep(policy, data, ref, sigmoidDpo(batch));
  for (let i = 0; i < warmup; i++) await step();
  const ts: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await step();
    ts.push(performance.now() - t0);
  }
  optimizer.dispose();
  policy.dispose();
  tf.dispose([ref, data.ids, data.targets, data.mask]);
  return median(ts);
}

const rows: Record<string, unknown>[] = [];
for (const p of points) {
  const size = { ...p.size, heads: Math.max(1, p.size.heads) };
  const tfjs = await tfjsMs(size);
  const torch = values["no-torch"] ? null : await torchMs(size, threads, { batch, steps, warmup });
  const row = {
    axis: p.axis,
    value: p.value,
    config: `d${size.d}/${size.layers}L/T${size.context}`,
    threads,
    tfjs_ms: Math.round(tfjs * 100) / 100,
    torch_ms: torch,
    ratio: torch === null ? null : Math.round((tfjs / torch) * 100) / 100,
  };
  console.log(JSON.stringify(row));
  rows.push(row);
}

await Deno.mkdir(values.out, { recursive: true });
await Deno.writeTextFile(
  `${values.out}/scaling.json`,
  JSON.stringify({ backend: choice.announcement, batch_pairs: batch, steps, rows }, null, 2) + "\n",
);
for (const axis of ["d_model", "layers", "context"]) {
  const data = rows.filter((r) => r.axis === axis).flatMap((r) => [
    { x: r.value as number, ms: r.tfjs_ms as number, side: `tfjs ${backend}` },
    ...(r.torch_ms === null ? [] : [{ x: r.value as number, ms: r.torch_ms as number, side: "PyTorch" }]),
  ]);
  if (data.length === 0) continue;
  await saveFigure(`${values.out}/scaling_${axis}`, {
    title: `DPO step time vs ${axis}`,
    subtitle: `base d128/4L/T128, ${batch} pairs, ${threads} thread${threads === 1 ? "" : "s"}`,
    width: 560,
    height: 340,
    marginRight: 120,
    x: { label: axis, type: "log", ticks: [...new Set(data.map((d) => d.x))] },
    y: { label: "ms per step", type: "log", grid: true },
    marks: [
      Plot.line(data, { x: "x", y: "ms", stroke: "side", z: "side" }),
      Plot.dot(data, { x: "x", y: "ms", fill: "side" }),
      // Each series named at its last point (an HTML legend would not survive the SVG render).
      Plot.text(
        data,
        Plot.selectLast({ x: "x", y: "ms", z: "side", text: "side", dx: 8, textAnchor: "start" }),
      ),
    ],
  });
}
console.log(`wrote ${values.out}/scaling.json and scaling_{d_model,layers,context}.png`);
