/**
 * `deno task grid`: the kernel × divergence experiment grid behind Figs. 8–10, resumable, with the selection
 * check — where the pair the paper's rules recommend for the data ranks among the measured ones.
 *
 *   deno task grid [--losses dpo,poly,rbf,spectral,mahalanobis,hmk] [--divergences kl,js,…] [--seeds 3]
 *                  [--steps 300] [--sft-steps 1500] [--data FILE --test FILE] [--out out/grid]
 *
 * Finished cells are kept in `OUT/results/` and skipped when the command runs again.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { judge, readSyntheticJsonl } from "../data/synthetic/mod.ts";
import type { Judge, JudgeableExample } from "../eval/evaluate.ts";
import { type GridOptions, runGrid, sftReference } from "../eval/experiment.ts";
import { aggregate, heatmapFigure, markdownTable, rankOf } from "../eval/report.ts";
import { selectionCheck } from "../eval/selection_check.ts";
import { LOSSES, type LossName } from "../losses/preference_loss.ts";
import { type BackendName, useBackend } from "../model/backend.ts";
import { chooseCpuBackend } from "../model/cpu_backend.ts";
import { saveFigure } from "../plot/render.ts";
import { TRAIN_DIVERGENCES, type TrainDivergence } from "../train/config.ts";
import { readPreferenceJsonl } from "../data/preference.ts";

const HELP = `Run the kernel × divergence grid (resumable) and the selection check.

Usage: deno task grid [options]

  --losses LIST       comma-separated, from: ${
  Object.keys(LOSSES).join(" ")
} (default dpo,poly,rbf,spectral,mahalanobis,hmk)
  --divergences LIST  comma-separated, from: ${TRAIN_DIVERGENCES.join(" ")} (default all seven)
                      divergences with the same implicit score train once, in a column named by all of them
  --seeds N           seeds per cell (default 3)
  --steps N           preference steps per run (default 300)
  --sft-steps N       SFT steps of the shared reference (default 1500)
  --data FILE         training pairs (default: the embedded synthetic suite)
  --test FILE         held-out pairs (default: the suite's test split); generation F1 only on the suite
  --out DIR           output folder (default out/grid)
  --backend NAME      wasm-blas (default if a BLAS loads, else wasm) | wasm | cpu | webgpu
  --threads N         BLAS threads for wasm-blas (default: every core)
  --help              this text
`;

function list<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  flag: string,
  fallback: T[],
): T[] {
  if (value === undefined) return fallback;
  const items = value.split(",").map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item as T)) {
      throw new RangeError(`--${flag}: "${item}" is not one of ${allowed.join(", ")}`);
    }
  }
  return items as T[];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      losses: { type: "string" },
      divergences: { type: "string" },
      seeds: { type: "string", default: "3" },
      steps: { type: "string", default: "300" },
      "sft-steps": { type: "string", default: "1500" },
      data: { type: "string" },
      test: { type: "string" },
      out: { type: "string", default: "out/grid" },
      backend: { type: "string" },
      threads: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  let losses: LossName[];
  let divergences: TrainDivergence[];
  try {
    losses = list(values.losses, Object.keys(LOSSES) as LossName[], "losses", [
      "dpo",
      "poly",
      "rbf",
      "spectral",
      "mahalanobis",
      "hmk",
    ]);
    divergences = list(values.divergences, TRAIN_DIVERGENCES, "divergences", [...TRAIN_DIVERGENCES]);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 2;
  }
  tf.enableProdMode();
  const choice = chooseCpuBackend(
    values.backend,
    values.threads === undefined ? undefined : Number(values.threads),
  );
  console.log(choice.announcement);
  values.backend = choice.backend;
  await useBackend(values.backend);
  // Every run from the same reference on the same data reads its log-probs once computed (reference_cache.ts).
  if (Deno.env.get("DPO_KERNELS_CACHE") === undefined) {
    Deno.env.set("DPO_KERNELS_CACHE", `${values.out}/.reference-cache`);
  }
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)}s`;
  const suiteDir = new URL("../../data/", import.meta.url).pathname;
  const train: JudgeableExample[] = values.data
    ? (await readPreferenceJsonl(values.data)).examples
    : await readSyntheticJsonl(`${suiteDir}synthetic_train.jsonl`);
  const test: JudgeableExample[] = values.test
    ? (await readPreferenceJsonl(values.test)).examples
    : await readSyntheticJsonl(`${suiteDir}synthetic_test.jsonl`);
  const synthetic = values.test === undefined;
  const sftSteps = Number(values["sft-steps"]);
  const options: GridOptions = {
    train,
    test,
    out: values.out!,
    losses,
    divergences,
    seeds: Array.from({ length: Number(values.seeds) }, (_, i) => i),
    sftSteps,
    referenceSeed: 0,
    base: {
      model: { dModel: 64, layers: 2, heads: 2, contextLength: 64 },
      backend: values.backend as BackendName,
      batchSize: 8,
      steps: Number(values.steps),
      learningRate: 5e-4,
      sft: { steps: sftSteps, batchSize: 16, learningRate: 2e-3 },
    },
    evaluate: synthetic ? { judge: judge as Judge } : {},
    onProgress: (message, event) => {
      if (event === undefined) console.log(`[${elapsed()}] ${message}`);
    },
  };
  const referenceDir = await sftReference(options, 0);
  const selection = await selectionCheck(referenceDir, train);
  console.log(`[${elapsed()}] kernel selection: ${selection.kernel.kernel} — ${selection.kernel.reason}`);
  console.log(
    `[${elapsed()}] divergence selection: ${selection.divergence.divergence} — ${selection.divergence.reason}`,
  );
  const results = await runGrid(options);
  const metric = synthetic ? "generationF1" : "preferenceF1";
  // A column stands for every divergence with the same regularizer function (e.g. "hellinger = bhattacharyya").
  const labelOf = new Map<string, string>();
  for (const r of results) {
    for (const d of r.standsFor ?? [r.divergence]) {
      labelOf.set(d, (r.standsFor ?? [r.divergence]).join(" = "));
    }
  }
  const rows = aggregate(results, metric).map((r) => ({
    ...r,
    divergence: labelOf.get(r.divergence) ?? r.divergence,
  }));
  const table = markdownTable(rows);
  console.log(`\n${metric} (mean ± std over seeds):\n\n${table}\n`);
  await saveFigure(`${options.out}/grid_${metric}`, heatmapFigure(rows, `${metric}, mean over seeds`));
  const pair = { loss: selection.loss, divergence: selection.trainDivergence };
  const rank = rankOf(rows, { ...pair, divergence: labelOf.get(pair.divergence) ?? pair.divergence });
  const verdict = rank === undefined
    ? `the recommended pair ${pair.loss} / ${pair.divergence} is not in this grid`
    : `the recommended pair ${pair.loss} / ${pair.divergence} ranks ${rank.rank} of ${rank.of} by overall ${metric}`;
  console.log(`selection check: ${verdict}`);
  await Deno.writeTextFile(
    `${options.out}/selection_check.json`,
    JSON.stringify({ selection, rank: rank ?? null, metric }, null, 2) + "\n",
  );
  await Deno.writeTextFile(
    `${options.out}/grid.md`,
    `# Grid: ${metric}\n\n${table}\n\nSelection check: ${verdict}.\n`,
  );
  console.log(`[${elapsed()}] wrote ${options.out}/grid.md, grid_${metric}.png, selection_check.json`);
  return 0;
}

if (import.meta.main) Deno.exit(await main());
