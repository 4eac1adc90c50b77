/**
 * Which kernel × divergence combinations collapse, and why (issue 12, item 4). Trains a small grid of
 * (loss × implicit divergence) at the trainer's defaults from ONE shared SFT reference on the shortest pairs of
 * a real preference set, and records per cell the held-out accuracy, the implicit rewards, the log-prob drifts
 * from the reference, whether the collapse warning fired, and the kernel's non-linear share.
 *
 * Run (about 1 CPU-minute per cell at the defaults below; the data are read in place, never copied):
 *
 *   nice -n 10 deno run --allow-read --allow-write --allow-env --allow-ffi --allow-sys --unstable-webgpu \
 *     bench/collapse_sweep.ts --out out/collapse --data "$DPO_KERNELS_DATA_DIR/alpacaeval_gpt4.jsonl"
 *
 * Flags: --losses a,b  --divergences a,b  --sft-steps N (60)  --steps N (60)  --pairs N (171: the N pairs with
 * the shortest prompt + longer response)  --eval-fraction X (0.2)  --seed N (0)  --backend NAME (wasm-blas,
 * else wasm)  --kernel-scale data|fixed (fixed)  --scale-from RUN (a finished run folder of this script, e.g.
 * OUT/dpo-kl: the kernels' scales are set by `dataKernelScales` from the margins its final policy reaches on
 * the training pairs, β·((ℓ_w − ℓ^ref_w) − (ℓ_l − ℓ^ref_l)), instead of the reference's own). Writes
 * OUT/results.jsonl and prints a Markdown table.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { dispose } from "@tensorflow/tfjs";
import { encodePair, pairLogProbs, train, type TrainConfig } from "../lib/train/mod.ts";
import { Gpt, useBackend } from "../lib/model/mod.ts";
import { loadCheckpoint } from "../lib/io/mod.ts";
import { loadTokenizer } from "../lib/tokenizer/mod.ts";
import type { PreferenceExample } from "../lib/data/mod.ts";
import { dataKernelScales, describeKernelScales } from "../lib/analysis/kernel_regime.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    out: { type: "string" },
    data: { type: "string" },
    losses: { type: "string", default: "dpo,rbf,poly,spectral,mahalanobis" },
    divergences: { type: "string", default: "kl,hellinger,js,renyi,bhattacharyya" },
    "sft-steps": { type: "string", default: "60" },
    steps: { type: "string", default: "60" },
    pairs: { type: "string", default: "171" },
    "eval-fraction": { type: "string", default: "0.2" },
    seed: { type: "string", default: "0" },
    backend: { type: "string", default: "wasm-blas" },
    "kernel-scale": { type: "string", default: "fixed" },
    "scale-from": { type: "string" },
  },
  strict: true,
}).values;

if (args.out === undefined) throw new RangeError("--out is required");
const dataDir = Deno.env.get("DPO_KERNELS_DATA_DIR");
const dataPath = args.data ?? (dataDir ? `${dataDir}/alpacaeval_gpt4.jsonl` : undefined);
if (dataPath === undefined) throw new RangeError("--data is required when DPO_KERNELS_DATA_DIR is unset");

/** The `n` pairs with the shortest prompt + longer response, in file order (a stable, seed-free choice). */
function shortestPairs(text: string, n: number): PreferenceExample[] {
  const rows = text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as PreferenceExample);
  const size = (r: PreferenceExample) => r.prompt.length + Math.max(r.chosen.length, r.rejected.length);
  const keep = new Set(
    rows.map((r, i) => [size(r), i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .slice(0, n).map(([, i]) => i),
  );
  return rows.filter((_, i) => keep.has(i)).map(({ prompt, chosen, rejected }) => ({
    prompt,
    chosen,
    rejected,
  }));
}

const pairs = shortestPairs(await Deno.readTextFile(dataPath), Number(args.pairs));
const nEval = Math.round(pairs.length * Number(args["eval-fraction"]));
const data = pairs.slice(0, pairs.length - nEval);
const evalData = pairs.slice(pairs.length - nEval);
const out = args.out;
const backend = args.backend as TrainConfig["backend"];
const seed = Number(args.seed);

async function run(config: TrainConfig): Promise<{ notes: string[]; eval: Record<string, number> }> {
  const notes: string[] = [];
  const events = train(config);
  for (;;) {
    const next = await events.next();
    if (next.done) return { notes, eval: next.value.eval };
    if (next.value.type === "note") notes.push(next.value.message);
  }
}

// 1. One SFT reference for every cell (the trainer saves it as OUT/sft/reference).
const sftOut = `${out}/sft`;
const haveReference = await Deno.stat(`${sftOut}/reference`).then(() => true, () => false);
if (!haveReference) {
  await run({
    data,
    evalData,
    out: sftOut,
    backend,
    seed,
    sft: { steps: Number(args["sft-steps"]) },
    steps: 0,
    overwrite: true,
  });
}

/** β·((ℓ_w − ℓ^ref_w) − (ℓ_l − ℓ^ref_l)) of a finished run's final policy on the pairs (byte tokenizer). */
async function trainedMargins(run: string, examples: PreferenceExample[], beta = 0.1): Promise<number[]> {
  await useBackend(backend ?? "wasm");
  const load = async (dir: string) => {
    const c = await loadCheckpoint(dir);
    const model = new Gpt(c.config, { weights: c.weights, trainable: false });
    dispose([...c.weights.values()]);
    return model;
  };
  const [policy, reference] = [await load(`${run}/final`), await load(`${run}/reference`)];
  const tokenizer = await loadTokenizer("byte");
  const encoded = examples.map((e) => encodePair(e, tokenizer, policy.config.contextLength));
  const p = await pairLogProbs(policy, encoded, 16);
  const r = await pairLogProbs(reference, encoded, 16);
  policy.dispose();
  reference.dispose();
  return Array.from(p.chosen, (c, i) => beta * (c - r.chosen[i]! - (p.rejected[i]! - r.rejected[i]!)));
}
const scaledKernels = args["scale-from"] === undefined
  ? undefined
  : dataKernelScales(await trainedMargins(args["scale-from"], data));
if (scaledKernels) console.error(`from ${args["scale-from"]}: ${describeKernelScales(scaledKernels)}`);

// 2. The grid, every cell from the same reference.
const results: Record<string, unknown>[] = [];
const resultsFile = `${out}/results.jsonl`;
await Deno.writeTextFile(resultsFile, "");
for (const loss of args.losses!.split(",")) {
  for (const divergence of args.divergences!.split(",")) {
    const cellOut = `${out}/${loss}-${divergence}`;
    const started = performance.now();
    const row: Record<string, unknown> = {
      loss,
      divergence,
      kernelScale: args["scale-from"] ? "trained" : args["kernel-scale"],
    };
    try {
      const { notes, eval: ev } = await run({
        data,
        evalData,
        out: cellOut,
        model: `${sftOut}/reference`,
        backend,
        seed,
        sft: { steps: 0 },
        steps: Number(args.steps),
        loss: loss as TrainConfig["loss"],
        divergence: divergence as TrainConfig["divergence"],
        evalEvery: 0,
        checkpointEvery: 0,
        overwrite: true,
        ...(args["kernel-scale"] === "data" ? { kernelScale: "data" } : {}),
        ...(scaledKernels ? { kernels: scaledKernels } : {}),
      } as TrainConfig);
      const lines = (await Deno.readTextFile(`${cellOut}/metrics.jsonl`)).trim().split("\n")
        .map((l) => JSON.parse(l) as Record<string, number | string>);
      const steps = lines.filter((l) => l.phase === "preference");
      const last = steps.at(-1) ?? {};
      const mean = (key: string) => {
        const v = steps.map((l) => l[key]).filter((x): x is number => typeof x === "number");
        return v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
      };
      Object.assign(row, {
        accuracy: ev["eval/accuracy"],
        rewardsChosen: ev["eval/rewards/chosen"],
        rewardsRejected: ev["eval/rewards/rejected"],
        logpsChosen: ev["eval/logps/chosen"],
        logpsRejected: ev["eval/logps/rejected"],
        driftChosen: last["drift/chosen"],
        driftRejected: last["drift/rejected"],
        driftChosenPerToken: last["drift/chosen_per_token"],
        driftRejectedPerToken: last["drift/rejected_per_token"],
        trainAccuracy: last["rewards/accuracies"],
        nonlinearShare: mean("kernel/nonlinear_share"),
        warning: notes.find((n) => n.startsWith("collapse warning")) ?? null,
        scales: notes.find((n) => n.startsWith("kernel scales")) ??
          (scaledKernels ? `from ${args["scale-from"]}: ${describeKernelScales(scaledKernels)}` : null),
      });
    } catch (e) {
      row.error = (e as Error).message;
    }
    row.seconds = Math.round((performance.now() - started) / 1000);
    results.push(row);
    await Deno.writeTextFile(resultsFile, JSON.stringify(row) + "\n", { append: true });
    console.error(JSON.stringify(row));
  }
}

const fmt = (x: unknown) =>
  typeof x === "number" ? (Math.abs(x) >= 1e4 ? x.toExponential(1) : x.toFixed(2)) : String(x ?? "—");
console.log(`data: ${dataPath} (${data.length} train / ${evalData.length} held-out pairs), seed ${seed}`);
console.log(
  "| loss | divergence | held-out acc | rewards w / l | logps w / l | drift/token w / l | warned | non-linear share |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const r of results) {
  console.log(
    `| ${r.loss} | ${r.divergence} | ${r.error ? "error" : fmt(r.accuracy)} | ${fmt(r.rewardsChosen)} / ` +
      `${fmt(r.rewardsRejected)} | ${fmt(r.logpsChosen)} / ${fmt(r.logpsRejected)} | ` +
      `${fmt(r.driftChosenPerToken)} / ${fmt(r.driftRejectedPerToken)} | ${r.warning ? "yes" : "no"} | ` +
      `${fmt(r.nonlinearShare)} |`,
  );
}
