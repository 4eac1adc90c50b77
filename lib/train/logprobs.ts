/**
 * Summed response log-probs of tokenized pairs under a model, in batches, without gradients: the reference's
 * log-probs the trainer precomputes, and the policy's log-probs an evaluation reads.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Gpt } from "../model/gpt.ts";
import { disposeBatch, type EncodedPair, sequenceBatch } from "./batch.ts";

/** ℓ(y_w) and ℓ(y_l) per pair, with the response token counts that length-normalize them (TRL's IPO). */
export interface PairLogProbs {
  /** ℓ(y_w), one per pair: the sum over the response's tokens. */
  chosen: Float32Array;
  /** ℓ(y_l), one per pair. */
  rejected: Float32Array;
  /** |y_w|, the chosen response's token count (after truncation to the context), one per pair. */
  chosenTokens: Float32Array;
  /** |y_l|, one per pair. */
  rejectedTokens: Float32Array;
}

/**
 * ℓ(y_w), ℓ(y_l) of every pair under `model`.
 *
 * @param model The model.
 * @param pairs Tokenized pairs.
 * @param batchSize Pairs per forward pass.
 * @returns The summed log-probs and the token counts, in the pairs' order.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { Gpt } from "../model/gpt.ts";
 * import { ByteTokenizer } from "../tokenizer/byte.ts";
 * import { encodePair, sequenceBatch } from "./batch.ts";
 * import { pairLogProbs } from "./logprobs.ts";
 * import assert from "node:assert/strict";
 * const model = new Gpt({ vocabSize: 256, contextLength: 16, dModel: 16, layers: 1, heads: 2 }, { seed: 0 });
 * const pair = encodePair({ prompt: "1+1=", chosen: "2.", rejected: "three." }, new ByteTokenizer(), 16);
 * const lp = await pairLogProbs(model, [pair, pair], 1);
 * assert.deepEqual([...lp.chosenTokens], [2, 2]);
 * assert.deepEqual([...lp.rejectedTokens], [6, 6]);
 * // ℓ(y_w) is the sum of the response tokens' log-probs of one forward pass
 * const batch = sequenceBatch([pair.chosen], 16);
 * const direct = tf.tidy(() => model.sequenceLogProbs(batch.ids, batch.targets, batch.responseMask).logps.arraySync());
 * assert.ok(Math.abs(lp.chosen[0]! - (direct as number[])[0]!) < 1e-4);
 * tf.dispose(Object.values(batch).filter((t) => t instanceof tf.Tensor));
 * model.dispose();
 * ```
 */
export async function pairLogProbs(
  model: Gpt,
  pairs: readonly EncodedPair[],
  batchSize: number,
): Promise<PairLogProbs> {
  const chosen = new Float32Array(pairs.length);
  const rejected = new Float32Array(pairs.length);
  const chosenTokens = new Float32Array(pairs.length);
  const rejectedTokens = new Float32Array(pairs.length);
  const t = model.config.contextLength;
  for (let start = 0; start < pairs.length; start += batchSize) {
    const slice = pairs.slice(start, start + batchSize);
    const batch = sequenceBatch([...slice.map((p) => p.chosen), ...slice.map((p) => p.rejected)], t);
    const logps = tf.tidy(() => model.sequenceLogProbs(batch.ids, batch.targets, batch.responseMask).logps);
    const values = await logps.data();
    const counts = await batch.responseTokens.data();
    logps.dispose();
    disposeBatch(batch);
    slice.forEach((_, i) => {
      chosen[start + i] = values[i] as number;
      rejected[start + i] = values[slice.length + i] as number;
      chosenTokens[start + i] = counts[i] as number;
      rejectedTokens[start + i] = counts[slice.length + i] as number;
    });
  }
  return { chosen, rejected, chosenTokens, rejectedTokens };
}
