/**
 * The step loop both phases share (SFT, then preference), as nanoGPT's `train.py` writes it: between steps,
 * look at the abort signal (checkpoint and stop); then one optimizer step; stop on a non-finite loss or
 * gradient before the update; check the weights on a schedule; log the step; then whatever the phase does
 * after a step (evaluate, checkpoint).
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { assertWeightsFinite, nonFiniteStepError } from "./finite_guard.ts";
import type { Forward } from "./forward.ts";
import { writeLine } from "./metrics_log.ts";
import { type AdamW, learningRateAt, type ScheduleOptions } from "./optimizer.ts";
import { optimizerStep } from "./step.ts";
import type { CheckpointLedger } from "./checkpointing.ts";
import type { TrainEvent } from "./trainer.ts";

/** A training phase: what differs between SFT and preference optimization. */
export interface Phase {
  /** `sft` or `preference`: the `phase` of its metrics lines and step events. */
  name: "sft" | "preference";
  /** Prefix of "loss" and "step" in error messages (`"SFT "` or `""`). */
  label: string;
  /** The first step to run (0, or where a resumed checkpoint left off). */
  start: number;
  /** The phase's step count. */
  steps: number;
  /** The trained variables and their optimizer. */
  vars: readonly tf.Variable[];
  /** The optimizer over `vars`. */
  optimizer: AdamW;
  /** The learning-rate schedule. */
  schedule: ScheduleOptions;
  /** The global gradient-norm clip. */
  gradClip: number;
  /** Check every weight is finite every N steps (`Infinity`: never inside the loop). */
  finiteCheckEvery: number;
  /** The batch of a step and its forward pass. */
  forward(step: number): Forward;
  /** Writes a checkpoint to resume at `step` (on abort); returns its folder. */
  checkpoint(step: number): Promise<string>;
  /** Metrics logged after the step's statistics (the mixture weights), read at logging time. */
  extraMetrics?(): Record<string, number>;
  /** Metrics from the batch's per-pair margins r_w − r_l (the kernels' non-linear share); asking reads them. */
  pairMetrics?(perPair: Float32Array): Record<string, number>;
  /** What follows a logged step: evaluation, a periodic checkpoint, a warning. */
  after?(step: number, metrics: Readonly<Record<string, number>>): AsyncGenerator<TrainEvent, void>;
}

/** How a phase ended: the step it reached, and the checkpoint written when it was stopped. */
export interface PhaseEnd {
  /** The next step to run. */
  step: number;
  /** The checkpoint written on abort (undefined: the phase ran to its end). */
  stopped?: string;
}

/** Yields to the event loop (a macrotask), so that signal handlers and timers run between steps. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Runs a phase's steps, yielding a `step` event per step (and the phase's own events); on abort it writes a
 * checkpoint, yields `stopped` and returns.
 *
 * @param phase The phase.
 * @param log The open `metrics.jsonl`.
 * @param ledger The last verified checkpoint (named by errors).
 * @param signal Aborting it stops the phase after the current step.
 * @returns Where the phase ended.
 * @throws {TrainingError} On a non-finite loss, gradient or weight.
 * @example
 * ```ts
 * import { Gpt } from "../model/gpt.ts";
 * import { ByteTokenizer } from "../tokenizer/byte.ts";
 * import { encodePair } from "./batch.ts";
 * import { sftForward } from "./forward.ts";
 * import { AdamW } from "./optimizer.ts";
 * import { runPhase } from "./phase.ts";
 * import assert from "node:assert/strict";
 * const policy = new Gpt({ vocabSize: 256, contextLength: 16, dModel: 16, layers: 1, heads: 2 }, { seed: 0 });
 * const pairs = [encodePair({ prompt: "1+1=", chosen: "2.", rejected: "3." }, new ByteTokenizer(), 16)];
 * const optimizer = new AdamW(policy.variables());
 * const path = await Deno.makeTempFile();
 * const log = await Deno.open(path, { write: true });
 * const phase = {
 *   name: "sft" as const,
 *   label: "SFT ",
 *   start: 0,
 *   steps: 3,
 *   vars: policy.variables(),
 *   optimizer,
 *   schedule: { learningRate: 1e-2, totalSteps: 3 },
 *   gradClip: 1,
 *   finiteCheckEvery: 2,
 *   forward: () => sftForward(policy, pairs, [0]),
 *   checkpoint: () => Promise.resolve("unused"),
 * };
 * const events = [];
 * for await (const e of runPhase(phase, log, { lastCheckpoint: undefined }, undefined)) events.push(e);
 * log.close();
 * assert.equal(events.length, 3);
 * assert.equal((await Deno.readTextFile(path)).trim().split("\n").length, 3); // one metrics line per step
 * optimizer.dispose();
 * policy.dispose();
 * await Deno.remove(path);
 * ```
 */
export async function* runPhase(
  phase: Phase,
  log: Deno.FsFile,
  ledger: CheckpointLedger,
  signal: AbortSignal | undefined,
): AsyncGenerator<TrainEvent, PhaseEnd> {
  for (let step = phase.start; step < phase.steps; step++) {
    await nextTurn();
    if (signal?.aborted) {
      const path = await phase.checkpoint(step);
      yield { type: "stopped", step, path };
      return { step, stopped: path };
    }
    const tick = performance.now();
    const lr = learningRateAt(step, phase.schedule);
    const r = await optimizerStep(phase.optimizer, phase.vars, phase.forward(step), {
      gradClip: phase.gradClip,
      learningRate: lr,
      readPerPair: phase.pairMetrics !== undefined,
    });
    if (!r.applied) throw nonFiniteStepError(phase.label, r.loss, r.gradNorm, step, ledger.lastCheckpoint);
    if ((step + 1) % phase.finiteCheckEvery === 0) {
      await assertWeightsFinite(phase.vars, `after the update of step ${step}`, step, ledger.lastCheckpoint);
    }
    const stats = Object.fromEntries(Object.entries(r.stats).filter(([, v]) => Number.isFinite(v)));
    const metrics: Record<string, number> = {
      step,
      loss: r.loss,
      ...stats,
      ...phase.extraMetrics?.(),
      ...(r.perPair && phase.pairMetrics?.(r.perPair)),
      grad_norm: r.gradNorm,
      learning_rate: lr,
      tokens_per_second: r.tokens / ((performance.now() - tick) / 1000),
    };
    writeLine(log, { phase: phase.name, ...metrics });
    yield { type: "step", phase: phase.name, step, steps: phase.steps, metrics };
    if (phase.after) yield* phase.after(step, metrics);
  }
  return { step: phase.steps };
}
