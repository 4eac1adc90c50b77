/**
 * One optimizer step, shared by SFT and preference training: forward and backward, the global-norm clip, one
 * read of the loss, the gradient norm and the step's statistics, and the update, applied only when the loss
 * and the gradient norm are finite.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { disposeBatch } from "./batch.ts";
import type { Forward } from "./forward.ts";
import { readScalars } from "./metrics_log.ts";
import { type AdamW, clipByGlobalNorm } from "./optimizer.ts";

/** What a step measured. */
export interface StepResult {
  /** The loss before the update. */
  loss: number;
  /** The global gradient norm before clipping. */
  gradNorm: number;
  /** The forward pass's statistics by name. */
  stats: Record<string, number>;
  /** Whether the update was applied (false: the loss or the gradient norm was not finite). */
  applied: boolean;
  /** Tokens in the batch. */
  tokens: number;
  /** The per-pair reward margins r_w − r_l, when asked for (`readPerPair`). */
  perPair?: Float32Array;
}

/**
 * Runs one step on `forward`'s batch: gradients of its loss with respect to `vars`, clipped to `gradClip`,
 * applied by `optimizer` at `learningRate` unless the loss or the gradient norm is not finite. Every tensor it
 * makes, the batch included, is freed.
 *
 * @param optimizer The optimizer over `vars`.
 * @param vars The trained variables, in the optimizer's order.
 * @param forward The batch and its forward pass.
 * @param options The clip and the learning rate of this step.
 * @returns The loss, gradient norm and statistics, and whether the update was applied.
 * @example
 * ```ts
 * import { Gpt } from "../model/gpt.ts";
 * import { ByteTokenizer } from "../tokenizer/byte.ts";
 * import { encodePair } from "./batch.ts";
 * import { sftForward } from "./forward.ts";
 * import { AdamW } from "./optimizer.ts";
 * import { optimizerStep } from "./step.ts";
 * import assert from "node:assert/strict";
 * const policy = new Gpt({ vocabSize: 256, contextLength: 16, dModel: 16, layers: 1, heads: 2 }, { seed: 0 });
 * const pairs = [encodePair({ prompt: "1+1=", chosen: "2.", rejected: "3." }, new ByteTokenizer(), 16)];
 * const optimizer = new AdamW(policy.variables());
 * const forward = () => sftForward(policy, pairs, [0]);
 * const first = await optimizerStep(optimizer, policy.variables(), forward(), { gradClip: 1, learningRate: 1e-2 });
 * const second = await optimizerStep(optimizer, policy.variables(), forward(), { gradClip: 1, learningRate: 1e-2 });
 * assert.ok(first.applied && second.loss < first.loss);
 * optimizer.dispose();
 * policy.dispose();
 * ```
 */
export async function optimizerStep(
  optimizer: AdamW,
  vars: readonly tf.Variable[],
  forward: Forward,
  options: { gradClip: number; learningRate: number; readPerPair?: boolean },
): Promise<StepResult> {
  let stats: Record<string, tf.Scalar> = {};
  let perPair: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const r = forward.run();
    stats = r.stats;
    perPair = r.perPair;
    return r.loss;
  }, [...vars]);
  const ordered = vars.map((v) => grads[v.name]!);
  const { grads: clipped, norm } = clipByGlobalNorm(ordered, options.gradClip);
  const { loss, grad_norm: gradNorm, ...rest } = await readScalars({
    loss: value,
    grad_norm: norm as tf.Scalar,
    ...stats,
  });
  const pairs = options.readPerPair && perPair !== undefined
    ? (await perPair.data()) as Float32Array
    : undefined;
  const applied = Number.isFinite(loss) && Number.isFinite(gradNorm);
  if (applied) optimizer.apply(clipped, options.learningRate);
  tf.dispose([value, norm, ...Object.values(stats), ...(perPair ? [perPair] : []), ...ordered, ...clipped]);
  disposeBatch(forward.batch);
  return {
    loss: loss!,
    gradNorm: gradNorm!,
    stats: rest,
    applied,
    tokens: forward.batch.tokenCount,
    perPair: pairs,
  };
}
