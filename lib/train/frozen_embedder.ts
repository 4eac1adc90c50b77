/**
 * The embedder of the hybrid term, chosen by `config.embedder`, and the per-pair embedding margin
 * e = cos(e_x, e_w) − cos(e_x, e_l) (the log-ratio of unit-RBF similarities of Table 1's right column):
 *
 * | `embedder` | embeddings | gradient to the policy |
 * |---|---|---|
 * | `"reference"` (default) | the frozen SFT reference's mean-pooled final hidden states | none: computed once per data set, cached |
 * | `"policy"` | the trained policy's own mean-pooled hidden states, every step | yes (the policy can reshape them) |
 * | a local folder | a transformers.js feature-extraction model loaded offline | none: computed once, cached |
 *
 * With a frozen embedder the term only shifts each pair's target margin, so the policy cannot lower the loss by
 * moving its own embeddings (issue 12, problem 5). The reference's margins are cached under
 * `$DPO_KERNELS_CACHE` beside its log-probs, keyed like them by the reference's weights, the tokenized data and
 * the tokenizer ({@link referenceCacheKey}).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Gpt } from "../model/gpt.ts";
import { describe } from "../math/validation.ts";
import { disposeBatch, type EncodedPair, type SequenceBatch, sequenceBatch } from "./batch.ts";
import type { PreferenceExample } from "../data/preference.ts";
import { frozenEmbeddingMargins } from "./embedder.ts";
import { cosine, pool } from "./pooling.ts";
import { referenceCacheDir, referenceCacheKey } from "./reference_cache.ts";

/**
 * `config.embedder`: `"reference"`, `"policy"`, or a local model folder (the object form `{ model }` also takes
 * a hub id, for runs that may go online).
 */
export type HybridEmbedder = "reference" | "policy" | string | { model: string };

/** The default embedder of the hybrid term: the frozen SFT reference. */
export const DEFAULT_HYBRID_EMBEDDER = "reference";

/**
 * Whether a value has the shape of `config.embedder` (a non-empty string, or `{ model: non-empty string }`).
 * A string other than `"reference"` and `"policy"` must also name an existing folder, checked when the
 * margins are computed ({@link hybridEmbeddingMargins}).
 *
 * @param value Anything.
 * @returns True when it can be an embedder choice.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isHybridEmbedder } from "./frozen_embedder.ts";
 * assert.ok(isHybridEmbedder("reference") && isHybridEmbedder("policy") && isHybridEmbedder("models/minilm"));
 * assert.ok(!isHybridEmbedder("") && !isHybridEmbedder(3) && !isHybridEmbedder({ model: 1 }));
 * ```
 */
export function isHybridEmbedder(value: unknown): value is HybridEmbedder {
  if (typeof value === "string") return value.length > 0;
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    typeof (value as { model?: unknown }).model === "string" && (value as { model: string }).model.length > 0;
}

/**
 * The per-pair embedding margin from one forward pass over a batch laid out as the trainer lays it out:
 * B chosen sequences, then the B rejected ones. e_x is the mean hidden state over the prompt positions of the
 * chosen sequence, e_y the mean over the positions that predict response tokens (`responseMask`).
 *
 * @param hidden Final hidden states `[2B, T, D]`.
 * @param batch The batch the hidden states came from.
 * @returns e `[B]`; differentiable when `hidden` is (the `"policy"` embedder).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs";
 * import { sequenceBatch } from "./batch.ts";
 * import { pairEmbeddingMargin } from "./frozen_embedder.ts";
 * const batch = sequenceBatch([{ tokens: [1, 2, 3], promptLength: 1 }, { tokens: [1, 4, 5], promptLength: 1 }], 2);
 * const e = tf.tidy(() => pairEmbeddingMargin(tf.ones([2, 2, 3]) as tf.Tensor3D, batch));
 * assert.ok(Math.abs(e.dataSync()[0]!) < 1e-6); // equal embeddings: cos 1 − cos 1
 * tf.dispose([e, ...Object.values(batch).filter((v) => v instanceof tf.Tensor)]);
 * ```
 */
export function pairEmbeddingMargin(hidden: tf.Tensor3D, batch: SequenceBatch): tf.Tensor1D {
  return tf.tidy(() => {
    const [hc, hr] = tf.split(hidden, 2) as [tf.Tensor3D, tf.Tensor3D];
    const [mc, mr] = tf.split(batch.responseMask, 2) as [tf.Tensor2D, tf.Tensor2D];
    const [pmc] = tf.split(batch.promptMask, 2) as [tf.Tensor2D, tf.Tensor2D];
    const ex = pool(hc, pmc);
    return tf.sub(cosine(ex, pool(hc, mc)), cosine(ex, pool(hr, mr))) as tf.Tensor1D;
  });
}

/**
 * The frozen reference's embedding margins of every pair, without a gradient tape (the reference's variables
 * are read, never differentiated), `batchSize` pairs per forward pass.
 *
 * @param reference The frozen SFT reference.
 * @param pairs Tokenized pairs.
 * @param batchSize Pairs per forward pass.
 * @returns One margin per pair, in order.
 * @throws {RangeError} If `batchSize` is not a positive integer.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Gpt } from "../model/gpt.ts";
 * import { referenceEmbeddingMargins } from "./frozen_embedder.ts";
 * const reference = new Gpt({ vocabSize: 8, contextLength: 4, dModel: 4, layers: 1, heads: 1 }, { trainable: false });
 * const pair = { chosen: { tokens: [1, 2, 3], promptLength: 1 }, rejected: { tokens: [1, 4], promptLength: 1 }, category: null };
 * const margins = await referenceEmbeddingMargins(reference, [pair, pair], 1);
 * assert.ok(margins.length === 2 && margins[0] === margins[1] && Math.abs(margins[0]!) <= 2);
 * reference.dispose();
 * ```
 */
export async function referenceEmbeddingMargins(
  reference: Gpt,
  pairs: readonly EncodedPair[],
  batchSize: number,
): Promise<Float32Array> {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${describe(batchSize)}`);
  }
  const out = new Float32Array(pairs.length);
  const t = reference.config.contextLength;
  for (let start = 0; start < pairs.length; start += batchSize) {
    const slice = pairs.slice(start, start + batchSize);
    const batch = sequenceBatch([...slice.map((p) => p.chosen), ...slice.map((p) => p.rejected)], t);
    const e = tf.tidy(() => pairEmbeddingMargin(reference.forward(batch.ids).hidden, batch));
    out.set((await e.data()) as Float32Array, start);
    e.dispose();
    disposeBatch(batch);
  }
  return out;
}

/**
 * {@link referenceEmbeddingMargins}, read from the cache folder when an entry with the reference cache key
 * (plus an `.embedding` suffix) exists, else computed and stored (temporary file, then rename).
 *
 * @param reference The frozen SFT reference.
 * @param pairs Tokenized pairs.
 * @param batchSize Pairs per forward pass when computing.
 * @param tokenizer The tokenizer's name (part of the key).
 * @param dir The cache folder (default `$DPO_KERNELS_CACHE`, see {@link referenceCacheDir}; none: no cache).
 * @returns The margins, and whether they came from the cache.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Gpt } from "../model/gpt.ts";
 * import { cachedReferenceEmbeddingMargins } from "./frozen_embedder.ts";
 * const dir = await Deno.makeTempDir();
 * const reference = new Gpt({ vocabSize: 8, contextLength: 4, dModel: 4, layers: 1, heads: 1 }, { trainable: false });
 * const pair = { chosen: { tokens: [1, 2, 3], promptLength: 1 }, rejected: { tokens: [1, 4], promptLength: 1 }, category: null };
 * const first = await cachedReferenceEmbeddingMargins(reference, [pair], 4, "byte", dir);
 * const again = await cachedReferenceEmbeddingMargins(reference, [pair], 4, "byte", dir);
 * assert.ok(!first.cached && again.cached && again.margins[0] === first.margins[0]);
 * reference.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function cachedReferenceEmbeddingMargins(
  reference: Gpt,
  pairs: readonly EncodedPair[],
  batchSize: number,
  tokenizer: string,
  dir: string | undefined = referenceCacheDir(),
): Promise<{ margins: Float32Array; cached: boolean }> {
  if (dir === undefined) {
    return { margins: await referenceEmbeddingMargins(reference, pairs, batchSize), cached: false };
  }
  const file = `${dir}/${await referenceCacheKey(reference, pairs, tokenizer)}.embedding.f32`;
  try {
    const bytes = await Deno.readFile(file);
    if (bytes.byteLength === 4 * pairs.length) {
      return {
        margins: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
        cached: true,
      };
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const margins = await referenceEmbeddingMargins(reference, pairs, batchSize);
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${file}.${crypto.randomUUID()}.tmp`;
  await Deno.writeFile(tmp, new Uint8Array(margins.buffer, margins.byteOffset, margins.byteLength));
  await Deno.rename(tmp, file);
  return { margins, cached: false };
}

/** What {@link hybridEmbeddingMargins} needs from a run. */
export interface HybridEmbeddingInputs {
  /** The frozen SFT reference. */
  reference: Gpt;
  /** Every pair the run scores (training, then held-out), tokenized. */
  pairs: readonly EncodedPair[];
  /** The same pairs as text, in the same order (for a sentence model). */
  examples: readonly PreferenceExample[];
  /** Pairs per forward pass of the reference. */
  batchSize: number;
  /** The tokenizer's name (part of the reference cache key). */
  tokenizer: string;
  /** Where a sentence model's margins are cached (the run folder). */
  out: string;
}

/**
 * The frozen per-pair margins of the hybrid term for the configured embedder, or `undefined` for `"policy"`
 * (the trainer then computes them from the policy's own hidden states each step, {@link pairEmbeddingMargin}).
 * The trainer's single hook: call it once, after the reference is loaded, when γ > 0.
 *
 * @param embedder `config.embedder`.
 * @param inputs The reference, the pairs and where to cache.
 * @returns One margin per pair (`inputs.pairs` order), or `undefined` for the trainable embedder.
 * @throws {RangeError} If `embedder` is not `"reference"`, `"policy"`, `{ model }` or an existing folder (the
 *   message names the value), or `pairs` and `examples` differ in length.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Gpt } from "../model/gpt.ts";
 * import { hybridEmbeddingMargins } from "./frozen_embedder.ts";
 * const reference = new Gpt({ vocabSize: 128, contextLength: 8, dModel: 4, layers: 1, heads: 1 }, { trainable: false });
 * const pair = { chosen: { tokens: [1, 2, 3], promptLength: 1 }, rejected: { tokens: [1, 4], promptLength: 1 }, category: null };
 * const inputs = { reference, pairs: [pair], examples: [{ prompt: "a", chosen: "b", rejected: "c" }], batchSize: 4, tokenizer: "byte", out: "." };
 * assert.ok((await hybridEmbeddingMargins("reference", inputs))!.length === 1);
 * assert.ok((await hybridEmbeddingMargins("policy", inputs)) === undefined);
 * await assert.rejects(hybridEmbeddingMargins("no/such/folder", inputs), RangeError);
 * reference.dispose();
 * ```
 */
export async function hybridEmbeddingMargins(
  embedder: HybridEmbedder,
  inputs: HybridEmbeddingInputs,
): Promise<Float32Array | undefined> {
  if (inputs.pairs.length !== inputs.examples.length) {
    throw new RangeError(
      `inputs.pairs and inputs.examples must have the same length, got ${inputs.pairs.length} and ${inputs.examples.length}`,
    );
  }
  if (embedder === "policy") return undefined;
  if (embedder === "reference") {
    const { reference, pairs, batchSize, tokenizer } = inputs;
    return (await cachedReferenceEmbeddingMargins(reference, pairs, batchSize, tokenizer)).margins;
  }
  let model: string;
  if (typeof embedder === "string") {
    const folder = await Deno.stat(embedder).then((s) => s.isDirectory, () => false);
    if (!folder) {
      throw new RangeError(
        `config.embedder must be "reference", "policy" or a local transformers.js model folder, got ${
          describe(embedder)
        } (no such folder)`,
      );
    }
    model = embedder;
  } else if (isHybridEmbedder(embedder)) {
    model = embedder.model;
  } else {
    throw new RangeError(
      `config.embedder must be "reference", "policy", a local model folder or { model }, got ${
        describe(embedder)
      }`,
    );
  }
  return Float32Array.from(await frozenEmbeddingMargins(model, inputs.examples, inputs.out));
}
