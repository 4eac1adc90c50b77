/**
 * Embeddings of (prompt, chosen, rejected) triplets from a GPT's own hidden states, for the data-driven
 * selection metrics (Sec. 5): the prompt's embedding is its tokens' mean hidden state; a response's is the
 * mean hidden state over its tokens, read in context after the prompt.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Gpt } from "../model/gpt.ts";
import type { Tokenizer } from "../tokenizer/types.ts";
import { disposeBatch, encodePair, packSequence, sequenceBatch } from "../train/batch.ts";
import type { PreferenceExample } from "../data/preference.ts";
import { pool } from "../train/pooling.ts";

/** One triplet of embedding vectors. */
export interface EmbeddingTripletRow {
  /** e_x. */
  prompt: number[];
  /** e_{y_w}. */
  chosen: number[];
  /** e_{y_l}. */
  rejected: number[];
}

/**
 * Mean-pooled hidden-state embeddings of every pair's prompt, chosen and rejected response.
 *
 * @param model The model (usually the SFT reference).
 * @param tokenizer Its tokenizer.
 * @param examples The pairs.
 * @param options Pairs per forward pass (default 32).
 * @returns One triplet per pair.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tripletEmbeddings } from "./embeddings.ts";
 * import { Gpt } from "../model/gpt.ts";
 * import { ByteTokenizer } from "../tokenizer/byte.ts";
 * const model = new Gpt({ vocabSize: 256, contextLength: 16, dModel: 16, layers: 1, heads: 2 }, { seed: 0 });
 * const rows = await tripletEmbeddings(model, new ByteTokenizer(), [
 *   { prompt: "1+1=", chosen: "2.", rejected: "3." },
 *   { prompt: "2+2=", chosen: "4.", rejected: "5." },
 * ]);
 * assert.equal(rows.length, 2);
 * assert.deepEqual([rows[0]!.prompt.length, rows[0]!.chosen.length, rows[0]!.rejected.length], [16, 16, 16]);
 * model.dispose();
 * ```
 */
export async function tripletEmbeddings(
  model: Gpt,
  tokenizer: Tokenizer,
  examples: readonly PreferenceExample[],
  options: { batchSize?: number } = {},
): Promise<EmbeddingTripletRow[]> {
  const batchSize = options.batchSize ?? 32;
  const t = model.config.contextLength;
  const out: EmbeddingTripletRow[] = [];
  for (let start = 0; start < examples.length; start += batchSize) {
    const slice = examples.slice(start, start + batchSize);
    const pairs = slice.map((e) => encodePair(e, tokenizer, t));
    // Prompts alone, at most T tokens (the last ones), so that with a dummy target appended all are inputs.
    const prompts = slice.map((e) => packSequence(tokenizer.encode(e.prompt), [], t - 1));
    const promptBatch = sequenceBatch(
      prompts.map((p) => ({ tokens: [...p.tokens, 0], promptLength: p.tokens.length })),
      t,
    );
    const pairBatch = sequenceBatch([...pairs.map((p) => p.chosen), ...pairs.map((p) => p.rejected)], t);
    const [ep, er] = tf.tidy(() => [
      pool(model.forward(promptBatch.ids).hidden, promptBatch.promptMask),
      pool(model.forward(pairBatch.ids).hidden, pairBatch.responseMask),
    ]);
    const [pv, rv] = [(await ep!.array()) as number[][], (await er!.array()) as number[][]];
    tf.dispose([ep!, er!]);
    disposeBatch(promptBatch);
    disposeBatch(pairBatch);
    slice.forEach((_, i) => out.push({ prompt: pv[i]!, chosen: rv[i]!, rejected: rv[slice.length + i]! }));
  }
  return out;
}
