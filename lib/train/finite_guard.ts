/**
 * The non-finite guard: training stops on a non-finite loss, gradient, weight or evaluation with a
 * {@link TrainingError} naming the step and the last checkpoint whose weights were verified finite.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Training stopped on a non-finite loss, gradient, weight or evaluation.
 *
 * @example
 * ```ts
 * import { TrainingError } from "./finite_guard.ts";
 * import assert from "node:assert/strict";
 * const e = new TrainingError("loss is NaN at step 3", 3, "out/checkpoint-2");
 * assert.equal(e.name, "TrainingError");
 * assert.equal(e.step, 3);
 * assert.equal(e.lastCheckpoint, "out/checkpoint-2");
 * ```
 */
export class TrainingError extends Error {
  /**
   * Builds the error.
   *
   * @param message What went wrong.
   * @param step The step at which it happened.
   * @param lastCheckpoint The last checkpoint whose weights were verified finite (intact), if any.
   */
  constructor(message: string, readonly step: number, readonly lastCheckpoint: string | undefined) {
    super(message);
    this.name = "TrainingError";
  }
}

/**
 * The first variable holding a NaN or ±Infinity, or `undefined` when all are finite: one pass over the weights
 * (Σ 0·w is 0 exactly when every w is finite, NaN otherwise) and one read-back.
 *
 * @param vars The variables.
 * @returns The first bad variable's name, if any.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { firstNonFinite } from "./finite_guard.ts";
 * import assert from "node:assert/strict";
 * const v = tf.variable(tf.tensor1d([1, NaN]), true, "w");
 * assert.equal(await firstNonFinite([v]), "w");
 * v.dispose();
 * ```
 */
export async function firstNonFinite(vars: readonly tf.Variable[]): Promise<string | undefined> {
  if (vars.length === 0) return undefined;
  const probe = tf.tidy(() => tf.stack(vars.map((v) => tf.sum(tf.mul(v, 0)))));
  const values = await probe.data();
  probe.dispose();
  const bad = values.findIndex((x) => !Number.isFinite(x));
  return bad < 0 ? undefined : vars[bad]!.name;
}

/** "Last verified good checkpoint: …" with a hint, the tail of every {@link TrainingError}. */
function lastGood(lastCheckpoint: string | undefined, hint = ""): string {
  return `Last verified good checkpoint: ${lastCheckpoint ?? "none"}${hint}`;
}

/**
 * Throws a {@link TrainingError} naming the step and the last verified checkpoint unless every weight is finite.
 *
 * @param vars The weights.
 * @param where When they are checked, for the message (`after the update of step 9`).
 * @param step The step.
 * @param lastCheckpoint The last verified checkpoint.
 * @returns Once the weights are verified.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertWeightsFinite } from "./finite_guard.ts";
 * import assert from "node:assert/strict";
 * const v = tf.variable(tf.tensor1d([Infinity]), true, "w");
 * await assert.rejects(() => assertWeightsFinite([v], "now", 3, undefined), /non-finite weights \(w\) now/);
 * v.dispose();
 * ```
 */
export async function assertWeightsFinite(
  vars: readonly tf.Variable[],
  where: string,
  step: number,
  lastCheckpoint: string | undefined,
): Promise<void> {
  const bad = await firstNonFinite(vars);
  if (bad === undefined) return;
  throw new TrainingError(
    `non-finite weights (${bad}) ${where}; nothing was saved from this state. ` +
      lastGood(lastCheckpoint, " (a lower --lr may help)"),
    step,
    lastCheckpoint,
  );
}

/**
 * The error of a step whose loss or gradient norm is not finite: no update was applied.
 *
 * @param phase `"SFT "` or `""`, prefixed to "loss" and "step".
 * @param loss The loss.
 * @param gradNorm The global gradient norm.
 * @param step The step.
 * @param lastCheckpoint The last verified checkpoint.
 * @returns The error to throw.
 * @example
 * ```ts
 * import { nonFiniteStepError } from "./finite_guard.ts";
 * import assert from "node:assert/strict";
 * assert.match(nonFiniteStepError("", NaN, 1, 4, undefined).message, /non-finite loss NaN .* at step 4/);
 * ```
 */
export function nonFiniteStepError(
  phase: string,
  loss: number,
  gradNorm: number,
  step: number,
  lastCheckpoint: string | undefined,
): TrainingError {
  return new TrainingError(
    `non-finite ${phase}loss ${loss} (grad norm ${gradNorm}) at ${phase}step ${step}; no update was applied. ` +
      lastGood(lastCheckpoint),
    step,
    lastCheckpoint,
  );
}

/**
 * The error of weights that give a non-finite loss before they are saved as `name` (finite but runaway
 * weights): `name` is not written.
 *
 * @param phase `"SFT "` or `""`.
 * @param loss The probe's loss.
 * @param step The step the weights would be saved at.
 * @param name What was not written.
 * @param lastCheckpoint The last verified checkpoint.
 * @returns The error to throw.
 * @example
 * ```ts
 * import { nonFiniteProbeError } from "./finite_guard.ts";
 * import assert from "node:assert/strict";
 * assert.match(nonFiniteProbeError("", NaN, 5, "final", undefined).message, /after step 4 .*final was not written/);
 * ```
 */
export function nonFiniteProbeError(
  phase: string,
  loss: number,
  step: number,
  name: string,
  lastCheckpoint: string | undefined,
): TrainingError {
  const hint = phase === "" ? " (a lower --lr may help)" : " (a lower sft.learningRate may help)";
  return new TrainingError(
    `the weights after ${phase}step ${
      step - 1
    } give a non-finite ${phase}loss (${loss}); ${name} was not written. ` +
      lastGood(lastCheckpoint, hint),
    step,
    lastCheckpoint,
  );
}

/**
 * A non-finite held-out loss means the weights give non-finite outputs: stop before saving them.
 *
 * @param metrics The evaluation's metrics.
 * @param step The step after which it ran.
 * @param lastCheckpoint The last verified checkpoint.
 * @example
 * ```ts
 * import { assertEvalFinite } from "./finite_guard.ts";
 * import assert from "node:assert/strict";
 * assertEvalFinite({ "eval/loss": 0.6 }, 3, undefined);
 * assert.throws(() => assertEvalFinite({ "eval/loss": NaN }, 3, undefined), /non-finite eval loss/);
 * ```
 */
export function assertEvalFinite(
  metrics: Readonly<Record<string, number>>,
  step: number,
  lastCheckpoint: string | undefined,
): void {
  const loss = metrics["eval/loss"];
  if (loss === undefined || Number.isFinite(loss)) return;
  throw new TrainingError(
    `non-finite eval loss ${loss} after step ${step}: the weights give non-finite outputs; nothing was saved ` +
      `from this state. ${lastGood(lastCheckpoint, " (a lower --lr may help)")}`,
    step,
    lastCheckpoint,
  );
}
