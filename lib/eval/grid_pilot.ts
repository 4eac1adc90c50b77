/**
 * The grid's timing pilot: a few preference steps of each loss (in the first divergence column) and of each
 * column (with the first loss), and one evaluation, timed on this machine, so that `grid_plan.ts` plans from
 * measured costs rather than guessed ones.
 *
 * @module
 */
import { loadTokenizer } from "../tokenizer/mod.ts";
import { train } from "../train/trainer.ts";
import { loadCheckpoint } from "../io/checkpoint.ts";
import { checkpointTokenizerSpec } from "../io/checkpoint_config.ts";
import * as tf from "@tensorflow/tfjs";
import { evaluatePolicy } from "./evaluate.ts";
import { cellName, type GridCell, type GridOptions } from "./experiment.ts";
import { loadCheckpointModel } from "../io/checkpoint_model.ts";
import { cellConfig } from "./grid_cells.ts";
import type { CellCost } from "./grid_plan.ts";

/** One pilot run's timing. */
export interface PilotTiming {
  /** The cell piloted. */
  cell: GridCell;
  /** Seconds per preference step (between the first and the last step's events). */
  secondsPerStep: number;
  /** Seconds of the run outside its steps (loading, setup, saving). */
  setupSeconds: number;
}

/** What {@link measureGridCosts} measured, and the costs it predicts for every cell. */
export interface GridPilot {
  /** The pilot runs. */
  timings: PilotTiming[];
  /** Seconds of one cell's evaluation (loading both models included). */
  evaluationSeconds: number;
  /** The predicted cost of every cell asked for. */
  costs: CellCost[];
  /** Wall seconds the pilot took. */
  seconds: number;
}

/**
 * Times the grid's cells on this machine. Runs `steps + 1` preference steps of every loss in the first
 * column and of the first loss in every column (after one untimed warm-up run that also fills the reference
 * cache), and evaluates one of them. A cell's per-step cost is then additive: its loss's time in the first
 * column plus its column's extra time with the first loss; likewise the fixed cost, plus the evaluation.
 * Pilot runs go to `OUT/pilot/` and are removed afterwards.
 *
 * @param options The grid's options (data, shared settings, evaluation).
 * @param cells The cells to cost (at least one).
 * @param referenceDir The reference checkpoint every cell starts from.
 * @param steps Timed steps per pilot run (default 5, fewer past 10 s; the median step counts).
 * @returns The timings and each cell's predicted cost.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { measureGridCosts } from "./grid_pilot.ts";
 * import { gridCells } from "./grid_cells.ts";
 * import { sftReference } from "./experiment.ts";
 * import assert from "node:assert/strict";
 * await tf.setBackend("cpu");
 * const pairs = Array.from({ length: 16 }, (_, i) => ({ prompt: `${i % 5}+1=`, chosen: `${i % 5 + 1}.`, rejected: "x." }));
 * const options = {
 *   train: pairs, test: pairs.slice(0, 4), out: await Deno.makeTempDir(),
 *   losses: ["dpo" as const], divergences: ["kl" as const], seeds: [0], sftSteps: 1,
 *   base: { model: { vocabSize: 256, dModel: 8, layers: 1, heads: 2, contextLength: 16 }, backend: "cpu" as const, batchSize: 4 },
 * };
 * const pilot = await measureGridCosts(options, gridCells(options), await sftReference(options, 0), 2);
 * assert.equal(pilot.costs.length, 1);
 * assert.ok(pilot.costs[0]!.secondsPerStep > 0);
 * await Deno.remove(options.out, { recursive: true });
 * ```
 */
export async function measureGridCosts(
  options: GridOptions,
  cells: readonly GridCell[],
  referenceDir: string,
  steps = 5,
): Promise<GridPilot> {
  const first = cells[0];
  if (first === undefined) throw new RangeError("cells must hold at least one cell, got none");
  if (!Number.isInteger(steps) || steps < 1) {
    throw new RangeError(`steps must be an integer ≥ 1, got ${steps}`);
  }
  const started = performance.now();
  const dir = `${options.out}/pilot`;
  const losses = [...new Set(cells.map((c) => c.loss))];
  const columns = [...new Set(cells.map((c) => c.divergence))];
  const checkpoints = new Map<string, string>(); // each pilot run's last checkpoint
  const run = async (cell: GridCell, n: number): Promise<PilotTiming> => {
    const t0 = performance.now();
    const at: number[] = [];
    const config = { ...cellConfig(options, cell, referenceDir, `${dir}/${cellName(cell)}`), steps: n };
    // A slow cell (Wasserstein) stops once 3 steps are in and 10 s have passed: 2 gaps are enough there.
    const stop = new AbortController();
    for await (const event of train(config, { signal: stop.signal })) {
      if (event.type === "step" && event.phase === "preference") at.push(performance.now());
      if (at.length >= 3 && performance.now() - t0 > 10_000) stop.abort();
      if (event.type === "stopped" || event.type === "checkpoint") {
        checkpoints.set(cellName(cell), event.path);
      }
    }
    const end = performance.now();
    // The median gap between step events: a slow first step (new shapes, a cold cache) does not count.
    const gaps = at.slice(1).map((t, i) => t - at[i]!).sort((a, b) => a - b);
    const perStep = (gaps.length === 0 ? end - t0 : gaps[Math.floor(gaps.length / 2)]!) / 1000;
    const setup = (end - t0) / 1000 - perStep * Math.max(1, at.length);
    return { cell, secondsPerStep: perStep, setupSeconds: Math.max(0, setup) };
  };
  options.onProgress?.(`pilot: warm-up run of ${cellName(first)}`);
  await run(first, 1);
  const timings: PilotTiming[] = [];
  for (
    const cell of [
      ...losses.map((loss) => ({ ...first, loss })),
      ...columns.slice(1).map((divergence) => ({ ...first, divergence })),
    ]
  ) {
    const timing = await run(cell, steps + 1);
    options.onProgress?.(
      `pilot: ${cellName(cell)} ${(timing.secondsPerStep * 1000).toFixed(0)} ms/step, ` +
        `${timing.setupSeconds.toFixed(1)} s setup`,
    );
    timings.push(timing);
  }
  const t0 = performance.now();
  const policy = await loadCheckpointModel(checkpoints.get(cellName(first))!);
  const reference = await loadCheckpointModel(referenceDir);
  const checkpoint = await loadCheckpoint(referenceDir);
  tf.dispose([...checkpoint.weights.values()]);
  const tokenizer = await loadTokenizer(checkpointTokenizerSpec(referenceDir, checkpoint));
  await evaluatePolicy(policy, reference, tokenizer, options.test, { seed: first.seed, ...options.evaluate });
  policy.dispose();
  reference.dispose();
  const evaluationSeconds = (performance.now() - t0) / 1000;
  options.onProgress?.(`pilot: evaluation ${evaluationSeconds.toFixed(1)} s`);
  await Deno.remove(dir, { recursive: true });
  const byLoss = new Map(timings.slice(0, losses.length).map((t) => [t.cell.loss, t]));
  const byColumn = new Map(timings.map((t) => [t.cell.divergence, t]));
  byColumn.set(first.divergence, byLoss.get(first.loss)!);
  const base = byLoss.get(first.loss)!;
  const costs = cells.map((cell) => {
    const l = byLoss.get(cell.loss)!;
    const c = byColumn.get(cell.divergence)!;
    return {
      cell,
      secondsPerStep: Math.max(0, l.secondsPerStep + c.secondsPerStep - base.secondsPerStep),
      fixedSeconds: Math.max(0, l.setupSeconds + c.setupSeconds - base.setupSeconds) + evaluationSeconds,
    };
  });
  return { timings, evaluationSeconds, costs, seconds: (performance.now() - started) / 1000 };
}
