/**
 * `deno task grid`: the kernel × divergence experiment grid behind Figs. 8–10, resumable, with the selection
 * check — where the pair the paper's rules recommend for the data ranks among the measured ones.
 *
 *   deno task grid [--losses dpo,poly,rbf,spectral,mahalanobis,hmk] [--divergences kl,js,…] [--seeds 3]
 *                  [--steps 300] [--sft-steps 1500] [--budget 60] [--parallel 2] [--data FILE --test FILE]
 *                  [--out out/grid]
 *
 * Finished cells are kept in `OUT/results/` and skipped when the command runs again. Under a budget (default
 * 60 minutes, counted from the start) a timing pilot measures every loss and column, the plan (steps per
 * cell, cells that fit, predicted minutes) is printed before the first cell, the grid stops at the deadline,
 * and the cells not run are listed on screen and in `grid.md`. With `--parallel N` the cells are split among N
 * worker processes of this CLI (`grid_workers.ts`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { judge, readSyntheticJsonl } from "../data/synthetic/mod.ts";
import type { Judge, JudgeableExample } from "../eval/evaluate.ts";
import { cellName, type GridOptions, runGrid, sftReference } from "../eval/experiment.ts";
import { gridCells } from "../eval/grid_cells.ts";
import { aggregate, heatmapFigure, markdownTable, rankOf } from "../eval/report.ts";
import { selectionCheck } from "../eval/selection_check.ts";
import { LOSSES, type LossName } from "../losses/preference_loss.ts";
import { type BackendName, useBackend } from "../model/backend.ts";
import { chooseCpuBackend } from "../model/cpu_backend.ts";
import { saveFigure } from "../plot/render.ts";
import { TRAIN_DIVERGENCES, type TrainDivergence } from "../train/config.ts";
import { readPreferenceJsonl } from "../data/preference.ts";
import { planToBudget, runWorkers, type WorkerJob } from "./grid_workers.ts";

const HELP = `Run the kernel × divergence grid (resumable) and the selection check.

Usage: deno task grid [options]

  --losses LIST       comma-separated, from: ${
  Object.keys(LOSSES).join(" ")
} (default dpo,poly,rbf,spectral,mahalanobis,hmk)
  --divergences LIST  comma-separated, from: ${TRAIN_DIVERGENCES.join(" ")} (default all seven)
                      divergences with the same implicit score train once, in a column named by all of them
  --seeds N           seeds per cell (default 3)
  --steps N           preference steps per run (default 300; fewer if the budget needs it)
  --budget MINUTES    wall-time budget from the start, SFT included (default 60; 0: no budget, no pilot):
                      a pilot times each loss and column, the plan picks the steps (at least 100, else it
                      drops Wasserstein's column, then seeds, then columns) and is printed first; the grid
                      stops at the deadline and lists the cells not run
  --sft-steps N       SFT steps of the shared reference (default 1500)
  --data FILE         training pairs (default: the embedded synthetic suite)
  --test FILE         held-out pairs (default: the suite's test split); generation F1 only on the suite
  --out DIR           output folder (default out/grid)
  --backend NAME      wasm-blas (default if a BLAS loads, else wasm) | wasm | cpu | webgpu
  --threads N         BLAS threads for wasm-blas (default: every core; 1 per worker with --parallel)
  --parallel N        cells trained at a time, in N worker processes (default 2 on ≥ 2 cores, else 1:
                      two cells at once beat one cell with two BLAS threads, see README)
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

/** Seconds kept back from the budget for the report (table, figure) after the last cell. */
const REPORT_SECONDS = 15;

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      losses: { type: "string" },
      divergences: { type: "string" },
      seeds: { type: "string", default: "3" },
      steps: { type: "string", default: "300" },
      budget: { type: "string", default: "60" },
      parallel: { type: "string", default: String(Math.min(2, navigator.hardwareConcurrency)) },
      worker: { type: "string" }, // internal: a worker's job file (see runWorkers)
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
  const budgetMinutes = Number(values.budget);
  if (!Number.isFinite(budgetMinutes) || budgetMinutes < 0) {
    console.error(`error: --budget takes minutes ≥ 0, got ${JSON.stringify(values.budget)}`);
    return 2;
  }
  const deadline = Date.now() + budgetMinutes * 60_000 - REPORT_SECONDS * 1000;
  const parallel = Number(values.parallel);
  if (!Number.isInteger(parallel) || parallel < 1) {
    console.error(`error: --parallel takes an integer ≥ 1, got ${JSON.stringify(values.parallel)}`);
    return 2;
  }
  if (parallel > 1 && values.threads === undefined && values.worker === undefined) values.threads = "1";
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
  if (values.worker !== undefined) {
    const job = JSON.parse(await Deno.readTextFile(values.worker)) as WorkerJob;
    options.base = { ...options.base, steps: job.steps };
    options.cells = job.cells;
    if (job.deadline !== null) {
      options.budget = { deadline: job.deadline, predictSeconds: (c) => job.predicted[cellName(c)] ?? 0 };
    }
    await runGrid(options);
    return 0;
  }
  const referenceDir = await sftReference(options, 0);
  const selection = await selectionCheck(referenceDir, train);
  console.log(`[${elapsed()}] kernel selection: ${selection.kernel.kernel} — ${selection.kernel.reason}`);
  console.log(
    `[${elapsed()}] divergence selection: ${selection.divergence.divergence} — ${selection.divergence.reason}`,
  );
  const asked = gridCells(options);
  let stepsNote = `${options.base?.steps} steps per cell`;
  if (budgetMinutes > 0) {
    stepsNote = await planToBudget(options, asked, referenceDir, deadline, parallel, elapsed);
  }
  const results = parallel > 1
    ? await runWorkers(options, asked, parallel, values, elapsed)
    : await runGrid(options);
  const ran = new Set(results.map(cellName));
  const notRun = asked.filter((c) => !ran.has(cellName(c)));
  const notRunNote = notRun.length === 0
    ? "Every cell ran."
    : `Not run (budget): ${notRun.map(cellName).join(", ")}.`;
  console.log(`[${elapsed()}] ${results.length} of ${asked.length} cells done (${stepsNote}). ${notRunNote}`);
  if (results.length === 0) {
    await Deno.writeTextFile(
      `${options.out}/grid.md`,
      `# Grid

No cell ran. ${notRunNote}
`,
    );
    return 0;
  }
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
    `# Grid: ${metric}\n\n${table}\n\n${stepsNote}. ${notRunNote}\n\nSelection check: ${verdict}.\n`,
  );
  console.log(`[${elapsed()}] wrote ${options.out}/grid.md, grid_${metric}.png, selection_check.json`);
  return 0;
}

if (import.meta.main) Deno.exit(await main());
