/**
 * The trainer: supervised fine-tuning on chosen responses, then preference optimization with any loss of the
 * core's table and any divergence regularizer, implicit or explicit. It reads top to bottom:
 *
 *   setup → SFT steps → freeze the reference → precompute reference log-probs → preference steps
 *
 * and yields a progress event per step, so notebooks and the CLI can show, log or stop it. Every step writes
 * one line of `OUT/metrics.jsonl`. The whole configuration, the data, the output folder and any checkpoint to
 * resume from are checked before the first step. A non-finite loss or gradient stops training before the
 * update is applied; the weights are checked finite every `finiteCheckEvery` steps and before every checkpoint,
 * so a checkpoint is written only once its weights were verified, and an error names the step and the last
 * verified checkpoint. An abort (the CLI's Ctrl-C) is seen between steps: the trainer yields to the event loop
 * before each step, writes a checkpoint and stops.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { batchIndices } from "./batch.ts";
import type { TrainConfig } from "./config.ts";
import {
  type CheckpointLedger,
  copyCheckpoint,
  savePreferenceCheckpoint,
  saveReference,
  saveSftCheckpoint,
} from "./checkpointing.ts";
import { evaluate } from "./evaluate.ts";
import { assertEvalFinite } from "./finite_guard.ts";
import { forwardLosses, sftForward } from "./forward.ts";
import { openMetricsLog, writeLine } from "./metrics_log.ts";
import { CollapseMonitor } from "./diagnostics.ts";
import { kernelRegimeMetrics } from "../analysis/kernel_regime.ts";
import { LOSSES } from "../losses/preference_loss.ts";
import { AdamW } from "./optimizer.ts";
import { type Phase, type PhaseEnd, runPhase } from "./phase.ts";
import { disposePreference, type PreferenceContext, preparePreference } from "./preference.ts";
import { join, type Setup, setup } from "./setup.ts";

export { TrainingError } from "./finite_guard.ts";

/** What {@link train} yields. */
export type TrainEvent =
  | {
    type: "start";
    backend: string;
    parameters: number;
    trainPairs: number;
    evalPairs: number;
    skipped: number;
    /** The first skipped line numbers of the training file (with `skipBadLines`). */
    skippedLines: number[];
    /** Malformed lines skipped in the held-out file (with `skipBadLines`). */
    evalSkipped: number;
    /** The first skipped line numbers of the held-out file. */
    evalSkippedLines: number[];
  }
  | {
    type: "step";
    phase: "sft" | "preference";
    step: number;
    steps: number;
    metrics: Record<string, number>;
  }
  | { type: "eval"; step: number; metrics: Record<string, number> }
  | { type: "checkpoint"; step: number; path: string }
  | { type: "stopped"; step: number; path: string }
  | { type: "note"; message: string };

/** What {@link train} returns when it ends. */
export interface TrainSummary {
  /** The output directory. */
  out: string;
  /** The final checkpoint. */
  checkpoint: string;
  /** Preference steps completed. */
  steps: number;
  /** The last evaluation's metrics (empty without held-out pairs). */
  eval: Record<string, number>;
  /** Whether training stopped early on request. */
  stopped: boolean;
  /** Wall time in seconds. */
  seconds: number;
}

/** Options of {@link train} that are not part of the run's configuration. */
export interface TrainOptions {
  /** Aborting it makes the trainer write a checkpoint and stop after the current step (the CLI wires SIGINT). */
  signal?: AbortSignal;
}

/**
 * Trains a policy: SFT, then preference optimization. Yields an event per step (and per evaluation,
 * checkpoint and log note) and returns a summary. Everything that can be checked before the first step is:
 * the configuration, the checkpoint to resume from, the output folder, the data, the model and tokenizer.
 *
 * @param userConfig The run's configuration (see {@link TrainConfig}).
 * @param options An abort signal (checkpoint after the current step and stop).
 * @returns An async generator of events whose return value is the summary.
 * @throws {RangeError} On a bad configuration value (named), an `out` folder holding another run (without
 * `overwrite`), a batch larger than the data, or a model whose vocabulary is smaller than the tokenizer's.
 * @throws {Error} On unreadable or malformed data, a bad checkpoint to resume from (naming the file), or an
 * `out` folder that cannot be written.
 * @throws {TrainingError} On a non-finite loss, gradient, weight or evaluation (naming the step and the last
 * verified good checkpoint).
 *
 * @example
 * ```ts
 * import { drainRun, train } from "@dpo-kernels/dpo-kernels/train";
 * import assert from "node:assert/strict";
 * const data = Array.from({ length: 10 }, (_, i) => ({ prompt: `${i}+1=`, chosen: `${i + 1}.`, rejected: "x." }));
 * const out = await Deno.makeTempDir();
 * const kinds = new Set<string>();
 * const summary = await drainRun(
 *   train({
 *     data, out, backend: "cpu", model: { dModel: 16, layers: 1, heads: 2, contextLength: 16 },
 *     batchSize: 2, steps: 2, sft: { steps: 2, batchSize: 2 },
 *   }),
 *   (event) => kinds.add(event.type),
 * );
 * assert.equal(summary.steps, 2);
 * assert.ok(kinds.has("step"));
 * assert.ok((await Deno.stat(`${summary.checkpoint}/config.json`)).isFile);
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export async function* train(
  userConfig: TrainConfig,
  options: TrainOptions = {},
): AsyncGenerator<TrainEvent, TrainSummary> {
  const started = performance.now();
  const s = await setup(userConfig);
  const { config, policy } = s;
  const log = await openMetricsLog(config.out, s.resume);
  // The resumed checkpoint's weights were verified finite in setup.
  const ledger: CheckpointLedger = { lastCheckpoint: config.resume };
  const summary = (stopped: boolean, checkpoint: string, steps: number, lastEval = {}): TrainSummary => ({
    out: config.out,
    checkpoint,
    steps,
    eval: lastEval,
    stopped,
    seconds: (performance.now() - started) / 1000,
  });
  yield {
    type: "start",
    backend: tf.getBackend(),
    parameters: policy.parameterCount(),
    trainPairs: s.train.length,
    evalPairs: s.evalPairs.length,
    skipped: s.skipped.train.count,
    skippedLines: s.skipped.train.lines,
    evalSkipped: s.skipped.eval.count,
    evalSkippedLines: s.skipped.eval.lines,
  };
  for (const message of [...s.notes, ...log.notes]) yield { type: "note", message };

  let ctx: PreferenceContext | undefined;
  try {
    // ---- 1. Supervised fine-tuning on chosen responses (prompt tokens masked) ----------------------------
    const referencePath = join(config.out, "reference");
    if (s.resume?.phase !== "preference") {
      const sft = sftPhase(s, ledger);
      let end: PhaseEnd;
      try {
        end = yield* runPhase(sft, log.file, ledger, options.signal);
      } finally {
        sft.optimizer.dispose();
      }
      if (end.stopped !== undefined) return summary(true, end.stopped, 0);
      // The SFT model is the reference: saved once, never changed, and only once verified.
      yield { type: "checkpoint", step: sft.steps, path: await saveReference(s, referencePath, ledger) };
    }

    // ---- 2. The frozen reference and what can be precomputed from it -------------------------------------
    // A run resumed into another folder takes a copy of its reference, so that its checkpoints resume too.
    if (s.resume?.reference !== undefined) await copyCheckpoint(s.resume.reference, referencePath);
    ctx = await preparePreference(s, referencePath);
    for (const message of ctx.notes) yield { type: "note", message };

    // ---- 3. Preference optimization ---------------------------------------------------------------------
    let lastEval: Record<string, number> = {};
    const finish = (stopped: boolean, checkpoint: string, step: number): TrainSummary => {
      const result = summary(stopped, checkpoint, step, lastEval);
      Deno.writeTextFileSync(join(config.out, "summary.json"), JSON.stringify(result, null, 2) + "\n");
      return result;
    };
    const preference = preferencePhase(s, ctx, ledger, log.file, (metrics) => (lastEval = metrics));
    const end = yield* runPhase(preference, log.file, ledger, options.signal);
    if (end.stopped !== undefined) return finish(true, end.stopped, end.step);
    lastEval = await evaluate(s, ctx);
    if (Object.keys(lastEval).length > 0) writeLine(log.file, { phase: "eval", step: end.step, ...lastEval });
    assertEvalFinite(lastEval, end.step, ledger.lastCheckpoint);
    const finalPath = await savePreferenceCheckpoint(s, ctx, end.step, "final", ledger);
    yield { type: "checkpoint", step: end.step, path: finalPath };
    return finish(false, finalPath, end.step);
  } finally {
    if (ctx !== undefined) disposePreference(ctx);
    tf.dispose([...(s.resumeOptimizer?.values() ?? [])]); // restored by copy; a no-op if freed already
    log.file.close();
    policy.dispose();
  }
}

/** The SFT phase: the policy's variables under their own AdamW, checkpointed only when stopped. */
function sftPhase(s: Setup, ledger: CheckpointLedger): Phase {
  const { config, policy } = s;
  const optimizer = new AdamW(policy.variables(), { weightDecay: config.weightDecay });
  if (s.resume?.phase === "sft" && s.resumeOptimizer) optimizer.restore(s.resumeOptimizer);
  const steps = config.sft.steps;
  return {
    name: "sft",
    label: "SFT ",
    start: s.resume?.phase === "sft" ? s.resume.step : 0,
    steps,
    vars: policy.variables(),
    optimizer,
    schedule: {
      learningRate: config.sft.learningRate,
      warmupSteps: Math.min(config.warmupSteps, steps),
      totalSteps: steps,
      minRatio: config.minLearningRateRatio,
    },
    gradClip: config.gradClip,
    finiteCheckEvery: Infinity,
    forward: (step) =>
      sftForward(policy, s.train, batchIndices(s.train.length, config.sft.batchSize, step, config.seed)),
    checkpoint: (step) => saveSftCheckpoint(s, optimizer, step, ledger),
  };
}

/** The preference phase: evaluation every `evalEvery` steps, a checkpoint every `checkpointEvery`. */
function preferencePhase(
  s: Setup,
  ctx: PreferenceContext,
  ledger: CheckpointLedger,
  log: Deno.FsFile,
  onEval: (metrics: Record<string, number>) => void,
): Phase {
  const { config } = s;
  const collapse = config.collapseWarning === false ? undefined : new CollapseMonitor(config.collapseWarning);
  return {
    name: "preference",
    label: "",
    start: s.resume?.phase === "preference" ? s.resume.step : 0,
    steps: config.steps,
    vars: ctx.vars,
    optimizer: ctx.optimizer,
    schedule: {
      learningRate: config.learningRate,
      warmupSteps: config.warmupSteps,
      totalSteps: config.steps,
      minRatio: config.minLearningRateRatio,
    },
    gradClip: config.gradClip,
    finiteCheckEvery: config.finiteCheckEvery,
    forward: (step) =>
      forwardLosses(
        ctx,
        s.train,
        batchIndices(s.train.length, config.batchSize, step, config.seed),
        ctx.refTrain,
      ),
    checkpoint: (step) => savePreferenceCheckpoint(s, ctx, step, `checkpoint-${step}`, ledger),
    extraMetrics: () => ctx.mixture?.snapshot() ?? {},
    // Only a kernel margin has a non-linear regime: DPO-shaped losses skip the per-pair read.
    pairMetrics: LOSSES[config.loss].margin === "linear"
      ? undefined
      : (perPair) => kernelRegimeMetrics(config.loss, ctx.lossOptions, perPair),
    async *after(step, metrics) {
      const warning = collapse?.observe(metrics);
      if (warning !== undefined) yield { type: "note", message: warning };
      if (config.evalEvery > 0 && (step + 1) % config.evalEvery === 0) {
        const metrics = await evaluate(s, ctx);
        onEval(metrics);
        writeLine(log, { phase: "eval", step, ...metrics });
        assertEvalFinite(metrics, step, ledger.lastCheckpoint);
        yield { type: "eval", step, metrics };
      }
      if (
        config.checkpointEvery > 0 && (step + 1) % config.checkpointEvery === 0 && step + 1 < config.steps
      ) {
        const path = await savePreferenceCheckpoint(s, ctx, step + 1, `checkpoint-${step + 1}`, ledger);
        yield { type: "checkpoint", step: step + 1, path };
      }
    },
  };
}
