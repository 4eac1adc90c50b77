/**
 * The experiment grid behind Figs. 8–10: losses × divergences × seeds, each cell a preference-training run from
 * a shared supervised (SFT) reference per seed, evaluated on held-out pairs. Resumable: a finished cell's
 * result file is kept and the cell is skipped next time.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { weightedAlpha } from "../analysis/weighted_alpha.ts";
import { pairScores } from "../analysis/pairwise_accuracy.ts";
import type { LossName } from "../losses/preference_loss.ts";
import { loadCheckpoint } from "../io/checkpoint.ts";
import { checkpointTokenizerSpec } from "../io/checkpoint_config.ts";
import { loadCheckpointModel } from "../io/checkpoint_model.ts";
import { drainRun } from "../train/drain.ts";
import { loadTokenizer } from "../tokenizer/mod.ts";
import type { TrainConfig, TrainDivergence } from "../train/config.ts";
import { train, type TrainEvent } from "../train/trainer.ts";
import { cellConfig } from "./grid_cells.ts";
import { divergenceColumns } from "./divergence_columns.ts";
import { type EvaluateOptions, evaluatePolicy, type JudgeableExample, layerMatrices } from "./evaluate.ts";

/** One cell of the grid. */
export interface GridCell {
  /** The loss. */
  loss: LossName;
  /** The divergence regularizer (Wasserstein runs explicitly, the others implicitly). */
  divergence: TrainDivergence;
  /** The seed (of the SFT reference, the data order and the initialization). */
  seed: number;
}

/** A finished cell: its scores, as plain numbers. */
export interface GridResult extends GridCell {
  /** Preference F1 (implicit rewards) per category, and "overall". */
  preferenceF1: Record<string, number>;
  /** Preference accuracy per category, and "overall". */
  preferenceAccuracy: Record<string, number>;
  /** Generation F1 per category, and "overall" (with a judge). */
  generationF1: Record<string, number>;
  /**
   * Per held-out pair, in the test set's order: 1 if the implicit reward ranks the chosen response first, ½ on a
   * tie, 0 otherwise (`pairScores`; absent in results written before it was recorded). The measurement protocol
   * (`protocolRows`) reads it.
   */
  pairScores?: number[];
  /** Davies–Bouldin score of chosen vs rejected response embeddings. */
  daviesBouldin: number;
  /** Weighted alpha after training, and of the SFT reference. */
  weightedAlpha: number;
  /** Weighted alpha of the SFT reference. */
  weightedAlphaReference: number;
  /** Mean HMK / mixture weights at the end, when the loss has them. */
  kernelWeights?: Record<string, number>;
  /** Training wall time in seconds. */
  seconds: number;
  /** Preference steps trained (absent in results written before it was recorded). */
  steps?: number;
  /**
   * Every divergence this cell stands for (see {@link divergenceColumns}): `divergence` first, then those whose
   * implicit score is the same function at the run's settings and so were not trained again.
   */
  standsFor?: TrainDivergence[];
}

/** Options of {@link runGrid}. */
export interface GridOptions {
  /** Training pairs. */
  train: readonly JudgeableExample[];
  /** Held-out pairs (with labels, for generation). */
  test: readonly JudgeableExample[];
  /** Output folder: `sft-seed{s}/`, `runs/…`, `results/{cell}.json`. */
  out: string;
  /** Losses (default dpo, rbf, hmk). */
  losses?: readonly LossName[];
  /** Divergences (default kl). */
  divergences?: readonly TrainDivergence[];
  /** Seeds (default 0, 1, 2). */
  seeds?: readonly number[];
  /** Settings shared by every run (model shape, steps, batch size, β, …). */
  base?: Partial<TrainConfig>;
  /** SFT steps of each seed's reference (default 300). */
  sftSteps?: number;
  /**
   * Share one SFT reference, trained with this seed, across all seeds (default: one reference per seed). The
   * seeds then vary the preference phase only (data order, mixture initialization), at a fraction of the cost.
   */
  referenceSeed?: number;
  /** Evaluation options (judge, decoding). */
  evaluate?: EvaluateOptions;
  /** Progress callback. */
  onProgress?: (message: string, event?: TrainEvent) => void;
  /** Run only these cells (default every loss × column × seed); the others are neither run nor read. */
  cells?: readonly GridCell[];
  /**
   * A budget: a cell starts only if `Date.now()` plus its predicted seconds stays before `deadline` (epoch ms),
   * and a cell still training at the deadline stops after its current step, without a result. The first cell
   * that does not fit ends the grid: it and every later cell are left out of the results.
   */
  budget?: { deadline: number; predictSeconds: (cell: GridCell) => number };
}

/**
 * The file name of a cell's result.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cellName } from "./experiment.ts";
 * assert.equal(cellName({ loss: "rbf", divergence: "kl", seed: 2 }), "rbf-kl-seed2");
 * ```
 */
export function cellName(cell: GridCell): string {
  return `${cell.loss}-${cell.divergence}-seed${cell.seed}`;
}

/**
 * The SFT reference of one seed: trained once, reused by every cell of that seed.
 *
 * @param options The grid's options.
 * @param seed The seed.
 * @returns The reference checkpoint's folder.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sftReference } from "./experiment.ts";
 * const train = Array.from({ length: 8 }, (_, i) => ({ prompt: `${i}+1=`, chosen: `${i + 1}.`, rejected: "x." }));
 * const out = await Deno.makeTempDir();
 * const base = { backend: "cpu" as const, model: { dModel: 16, layers: 1, heads: 2, contextLength: 16 }, batchSize: 2 };
 * const options = { train, test: train, out, sftSteps: 2, base: { ...base, sft: { batchSize: 2 } } };
 * const dir = await sftReference(options, 0);
 * assert.equal(dir, `${out}/sft-seed0/reference`);
 * const written = (await Deno.stat(`${dir}/config.json`)).mtime;
 * assert.equal(await sftReference(options, 0), dir); // trained once: a second call reuses it
 * assert.deepEqual((await Deno.stat(`${dir}/config.json`)).mtime, written);
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export async function sftReference(options: GridOptions, seed: number): Promise<string> {
  const dir = `${options.out}/sft-seed${seed}`;
  const done = await Deno.stat(`${dir}/reference/config.json`).then(() => true, () => false);
  if (!done) {
    options.onProgress?.(`SFT reference, seed ${seed}`);
    await drainRun(
      train({
        ...options.base,
        data: options.train,
        out: dir,
        overwrite: true, // an interrupted SFT left a partial run: train it again
        seed,
        sft: { ...options.base?.sft, steps: options.sftSteps ?? 300 },
        steps: 0,
        evalFraction: 0,
        evalEvery: 0,
        checkpointEvery: 0,
      }),
      (event) => options.onProgress?.(`sft seed ${seed}`, event),
    );
  }
  return `${dir}/reference`;
}

/**
 * Runs (or resumes) the grid and returns every cell's result.
 *
 * @param options Data, output folder, axes, shared settings, evaluation options.
 * @returns One result per cell, in loss × divergence × seed order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runGrid } from "./experiment.ts";
 * const pairs = Array.from({ length: 8 }, (_, i) => ({ prompt: `${i}+1=`, chosen: `${i + 1}.`, rejected: "x." }));
 * const out = await Deno.makeTempDir();
 * const options = {
 *   train: pairs, test: pairs.slice(0, 4), out, losses: ["dpo"] as const, divergences: ["kl"] as const, seeds: [0],
 *   sftSteps: 2,
 *   base: { backend: "cpu" as const, model: { dModel: 16, layers: 1, heads: 2, contextLength: 16 }, batchSize: 2, steps: 2, sft: { batchSize: 2 } },
 * };
 * const [result] = await runGrid(options);
 * assert.equal(result!.pairScores!.length, 4); // one score per held-out pair: 1, ½ or 0
 * assert.ok(result!.pairScores!.every((s) => s === 0 || s === 0.5 || s === 1));
 * const [again] = await runGrid(options); // resumable: the saved cell is read, not trained again
 * assert.deepEqual(again!.pairScores, result!.pairScores);
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export async function runGrid(options: GridOptions): Promise<GridResult[]> {
  const losses = options.losses ?? ["dpo", "rbf", "hmk"];
  // Divergences whose regularizer is the same function train once; the result lists every name it stands for.
  const columns = divergenceColumns(options.divergences ?? ["kl"], options.base ?? {});
  const seeds = (options.seeds ?? [0, 1, 2]).filter((seed) =>
    options.cells === undefined || options.cells.some((c) => c.seed === seed)
  );
  const only = options.cells === undefined ? undefined : new Set(options.cells.map(cellName));
  const budget = options.budget;
  await Deno.mkdir(`${options.out}/results`, { recursive: true });
  const results: GridResult[] = [];
  for (const seed of seeds) {
    const referenceDir = await sftReference(options, options.referenceSeed ?? seed);
    const reference = await loadCheckpointModel(referenceDir);
    const tokenizer = await loadTokenizer(
      await loadCheckpoint(referenceDir).then((c) => {
        tf.dispose([...c.weights.values(), ...(c.optimizer?.values() ?? [])]);
        return checkpointTokenizerSpec(referenceDir, c);
      }),
    );
    const alphaReference = weightedAlpha(layerMatrices(reference)).weightedAlpha;
    try {
      for (const loss of losses) {
        for (const { divergence, standsFor } of columns) {
          const cell: GridCell = { loss, divergence, seed };
          if (only !== undefined && !only.has(cellName(cell))) continue;
          const file = `${options.out}/results/${cellName(cell)}.json`;
          const cached = await Deno.readTextFile(file).then(
            (t) => JSON.parse(t) as GridResult,
            () => undefined,
          );
          if (cached !== undefined) {
            results.push({ ...cached, standsFor });
            continue;
          }
          options.onProgress?.(`training ${cellName(cell)}`);
          const runDir = `${options.out}/runs/${cellName(cell)}`;
          const started = performance.now();
          let kernelWeights: Record<string, number> | undefined;
          if (budget !== undefined && Date.now() + 1000 * budget.predictSeconds(cell) > budget.deadline) {
            options.onProgress?.(
              `budget: ${cellName(cell)} would end past the deadline; the grid stops here`,
            );
            return results;
          }
          const stop = new AbortController();
          const timer = budget === undefined
            ? undefined
            : setTimeout(() => stop.abort(), Math.max(0, budget.deadline - Date.now()));
          const summary = await drainRun(
            train(cellConfig(options, cell, referenceDir, runDir), { signal: stop.signal }),
            (event) => {
              if (event?.type === "step" && event.phase === "preference") {
                const w = Object.entries(event.metrics).filter(([k]) => /^(weight_|tau|lambda_)/.test(k));
                if (w.length > 0) kernelWeights = Object.fromEntries(w);
              }
              options.onProgress?.(cellName(cell), event);
            },
          ).finally(() => clearTimeout(timer));
          if (summary.stopped) {
            options.onProgress?.(`budget: the deadline stopped ${cellName(cell)}; the grid stops here`);
            return results;
          }
          const seconds = (performance.now() - started) / 1000;
          const policy = await loadCheckpointModel(`${runDir}/final`);
          const evaluation = await evaluatePolicy(policy, reference, tokenizer, options.test, {
            seed,
            ...options.evaluate,
          });
          policy.dispose();
          const pick = (m: Record<string, { f1: number }>, key: "f1") =>
            Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v[key]]));
          const result: GridResult = {
            ...cell,
            preferenceF1: {
              ...pick(evaluation.preference.byCategory, "f1"),
              overall: evaluation.preference.overall.f1,
            },
            preferenceAccuracy: {
              ...Object.fromEntries(
                Object.entries(evaluation.preference.byCategory).map(([k, v]) => [k, v.accuracy]),
              ),
              overall: evaluation.preference.overall.accuracy,
            },
            generationF1: evaluation.generation
              ? { ...pick(evaluation.generation.byCategory, "f1"), overall: evaluation.generation.overall.f1 }
              : {},
            pairScores: pairScores(evaluation.pairMargins, evaluation.pairMargins.map(() => 0)),
            daviesBouldin: evaluation.daviesBouldin,
            weightedAlpha: evaluation.weightedAlpha,
            weightedAlphaReference: alphaReference,
            seconds,
            steps: summary.steps,
            standsFor,
          };
          if (kernelWeights !== undefined) result.kernelWeights = kernelWeights;
          await Deno.writeTextFile(file, JSON.stringify(result, null, 2) + "\n");
          results.push(result);
        }
      }
    } finally {
      reference.dispose();
    }
  }
  return results;
}
