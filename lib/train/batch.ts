/**
 * From text pairs to tensors: each response is appended to its prompt, truncated to the context, shifted into
 * inputs and next-token targets, padded, and masked so that only response tokens count.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { createRandom } from "../math/random.ts";
import type { Tokenizer } from "../tokenizer/types.ts";
import type { PreferenceExample } from "../data/preference.ts";

/** One tokenized sequence: prompt ⊕ response, at most contextLength + 1 tokens. */
export interface EncodedSequence {
  /** The tokens (inputs are tokens[:-1], targets tokens[1:]). */
  tokens: number[];
  /** How many leading tokens belong to the prompt. */
  promptLength: number;
}

/** A tokenized pair. */
export interface EncodedPair {
  /** prompt ⊕ chosen. */
  chosen: EncodedSequence;
  /** prompt ⊕ rejected. */
  rejected: EncodedSequence;
  /** The pair's category, if any. */
  category: string | null;
}

/**
 * Builds prompt ⊕ response within `contextLength + 1` tokens. The response keeps priority: it may use all but
 * min(|prompt|, ⌊(T+1)/2⌋) positions, and the prompt keeps its *last* tokens (the part next to the response).
 *
 * @param prompt Prompt token ids.
 * @param response Response token ids (an end-of-sequence id appended by the caller where wanted).
 * @param contextLength T.
 * @returns The sequence and its prompt length.
 *
 * @example
 * ```ts
 * import { packSequence } from "./batch.ts";
 * import assert from "node:assert/strict";
 * // T = 4 → 5 tokens: the response keeps both of its tokens, the prompt its last three
 * assert.deepEqual(packSequence([1, 2, 3, 4, 5], [6, 7], 4), { tokens: [3, 4, 5, 6, 7], promptLength: 3 });
 * ```
 */
export function packSequence(
  prompt: readonly number[],
  response: readonly number[],
  contextLength: number,
): EncodedSequence {
  const room = contextLength + 1;
  const r = Math.min(response.length, room - Math.min(prompt.length, Math.floor(room / 2)));
  const p = Math.min(prompt.length, room - r);
  return { tokens: [...prompt.slice(prompt.length - p), ...response.slice(0, r)], promptLength: p };
}

/**
 * Tokenizes a pair for a context of T tokens.
 *
 * @param example The text pair.
 * @param tokenizer The tokenizer.
 * @param contextLength T.
 * @returns Both sequences.
 *
 * @example
 * ```ts
 * import { ByteTokenizer } from "../tokenizer/byte.ts";
 * import { encodePair } from "./batch.ts";
 * import assert from "node:assert/strict";
 * const pair = encodePair({ prompt: "1+1=", chosen: "2", rejected: "3", category: "math" }, new ByteTokenizer(), 16);
 * assert.deepEqual(pair.chosen, { tokens: [49, 43, 49, 61, 50], promptLength: 4 });
 * assert.equal(pair.category, "math");
 * ```
 */
export function encodePair(
  example: PreferenceExample,
  tokenizer: Tokenizer,
  contextLength: number,
): EncodedPair {
  const prompt = tokenizer.encode(example.prompt);
  const eos = tokenizer.eosId === undefined ? [] : [tokenizer.eosId];
  return {
    chosen: packSequence(prompt, [...tokenizer.encode(example.chosen), ...eos], contextLength),
    rejected: packSequence(prompt, [...tokenizer.encode(example.rejected), ...eos], contextLength),
    category: example.category ?? null,
  };
}

/** Padded tensors for a list of sequences. The caller owns (disposes) them. */
export interface SequenceBatch {
  /** Inputs `[N, T]` int32. */
  ids: tf.Tensor2D;
  /** Next-token targets `[N, T]` int32. */
  targets: tf.Tensor2D;
  /** 1 where the target is a response token, `[N, T]` float32. */
  responseMask: tf.Tensor2D;
  /** 1 on prompt positions of the inputs, `[N, T]` float32 (for pooled prompt embeddings). */
  promptMask: tf.Tensor2D;
  /** Response tokens per sequence, `[N]`. */
  responseTokens: tf.Tensor1D;
  /** The number of response tokens in the batch (for tokens/s). */
  tokenCount: number;
}

/**
 * Pads sequences to T and builds the masks.
 *
 * @param sequences The sequences (each at most T + 1 tokens).
 * @param contextLength T.
 * @returns The tensors.
 *
 * @example
 * ```ts
 * import { disposeBatch, sequenceBatch } from "./batch.ts";
 * import assert from "node:assert/strict";
 * const batch = sequenceBatch([{ tokens: [1, 2, 3, 4], promptLength: 2 }], 4);
 * assert.deepEqual(await batch.ids.array(), [[1, 2, 3, 0]]);
 * assert.deepEqual(await batch.targets.array(), [[2, 3, 4, 0]]);
 * assert.deepEqual(await batch.responseMask.array(), [[0, 1, 1, 0]]); // targets 3 and 4 are the response
 * assert.deepEqual(await batch.promptMask.array(), [[1, 1, 0, 0]]);
 * assert.equal(batch.tokenCount, 2);
 * disposeBatch(batch);
 * ```
 */
export function sequenceBatch(sequences: readonly EncodedSequence[], contextLength: number): SequenceBatch {
  const n = sequences.length;
  const t = contextLength;
  const ids = new Int32Array(n * t);
  const targets = new Int32Array(n * t);
  const responseMask = new Float32Array(n * t);
  const promptMask = new Float32Array(n * t);
  const counts = new Float32Array(n);
  let tokenCount = 0;
  sequences.forEach((s, i) => {
    const len = Math.min(s.tokens.length - 1, t);
    for (let j = 0; j < len; j++) {
      ids[i * t + j] = s.tokens[j] as number;
      targets[i * t + j] = s.tokens[j + 1] as number;
      if (j + 1 >= s.promptLength) {
        responseMask[i * t + j] = 1;
        counts[i]! += 1;
      }
      if (j < s.promptLength) promptMask[i * t + j] = 1;
    }
    tokenCount += counts[i] as number;
  });
  return {
    ids: tf.tensor2d(ids, [n, t], "int32"),
    targets: tf.tensor2d(targets, [n, t], "int32"),
    responseMask: tf.tensor2d(responseMask, [n, t]),
    promptMask: tf.tensor2d(promptMask, [n, t]),
    responseTokens: tf.tensor1d(counts),
    tokenCount,
  };
}

/**
 * Disposes every tensor of a batch.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { disposeBatch, sequenceBatch } from "./batch.ts";
 * import assert from "node:assert/strict";
 * const before = tf.memory().numTensors;
 * disposeBatch(sequenceBatch([{ tokens: [1, 2, 3], promptLength: 1 }], 4));
 * assert.equal(tf.memory().numTensors, before);
 * ```
 */
export function disposeBatch(batch: SequenceBatch): void {
  tf.dispose([batch.ids, batch.targets, batch.responseMask, batch.promptMask, batch.responseTokens]);
}

/**
 * The pairs of step `step` in a seeded, epoch-wise shuffled order: a pure function of (seed, step), so that a
 * resumed run sees the same batches as an uninterrupted one.
 *
 * @param count Dataset size.
 * @param batchSize Pairs per step.
 * @param step 0-based step.
 * @param seed The run's seed.
 * @returns Indices into the dataset.
 *
 * @example
 * ```ts
 * import { batchIndices } from "./batch.ts";
 * import assert from "node:assert/strict";
 * // one epoch of 6 pairs in batches of 3: every pair once, the same for the same (seed, step)
 * const epoch = [...batchIndices(6, 3, 0, 1), ...batchIndices(6, 3, 1, 1)];
 * assert.deepEqual([...epoch].sort(), [0, 1, 2, 3, 4, 5]);
 * assert.deepEqual(batchIndices(6, 3, 1, 1), epoch.slice(3));
 * ```
 */
export function batchIndices(count: number, batchSize: number, step: number, seed: number): number[] {
  const out: number[] = [];
  let position = step * batchSize;
  while (out.length < batchSize) {
    const epoch = Math.floor(position / count);
    const order = epochOrder(count, seed, epoch);
    out.push(order[position % count] as number);
    position++;
  }
  return out;
}

const orderCache = new Map<string, number[]>();

function epochOrder(count: number, seed: number, epoch: number): number[] {
  const key = `${count}:${seed}:${epoch}`;
  let order = orderCache.get(key);
  if (order === undefined) {
    order = Array.from({ length: count }, (_, i) => i);
    const random = createRandom(seed * 1_000_003 + epoch * 7919);
    for (let i = count - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    if (orderCache.size > 64) orderCache.clear();
    orderCache.set(key, order);
  }
  return order;
}
