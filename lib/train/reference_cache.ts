/**
 * Work done once: the frozen reference's log-probs of a data set, cached on disk under a key that changes when
 * the reference's weights, the data, the tokenizer or the context length change (and nothing else: the key
 * does not name the backend, whose results agree to ~1e-6). Every grid cell and demo run starting from the
 * same reference on the same data then reads them instead of a forward pass over the whole training set.
 *
 * The folder is `$DPO_KERNELS_CACHE`; unset (or `off`), nothing is cached. `deno task grid` and `deno task demo`
 * set it to `.reference-cache` in their output folder unless it is set.
 *
 * @module
 */
import type { Gpt } from "../model/gpt.ts";
import type { EncodedPair } from "./batch.ts";
import { type PairLogProbs, pairLogProbs } from "./logprobs.ts";

/**
 * The cache folder from the environment, or `undefined` when caching is off.
 *
 * @param env Reads an environment variable (default `Deno.env.get`).
 * @returns The folder, or `undefined`.
 *
 * @example
 * ```ts
 * import { referenceCacheDir } from "./reference_cache.ts";
 * console.assert(referenceCacheDir((k) => (k === "DPO_KERNELS_CACHE" ? "/tmp/c" : undefined)) === "/tmp/c");
 * console.assert(referenceCacheDir((k) => (k === "DPO_KERNELS_CACHE" ? "off" : undefined)) === undefined);
 * console.assert(referenceCacheDir(() => undefined) === undefined);
 * ```
 */
export function referenceCacheDir(
  env: (name: string) => string | undefined = Deno.env.get,
): string | undefined {
  const set = env("DPO_KERNELS_CACHE");
  return set === undefined || set === "" || set === "off" ? undefined : set;
}

const hex = (bytes: ArrayBuffer): string =>
  Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * The cache key: SHA-256 over the model's shape and every weight's bytes (in parameter order), the tokenizer's
 * name, and every pair's tokens and prompt lengths.
 *
 * @param model The reference.
 * @param pairs The tokenized pairs (their tokens already reflect the tokenizer and the context length).
 * @param tokenizer The tokenizer's name.
 * @returns A hex digest.
 *
 * @example
 * ```ts
 * import { Gpt } from "../model/gpt.ts";
 * import { referenceCacheKey } from "./reference_cache.ts";
 * const model = new Gpt({ vocabSize: 8, contextLength: 4, dModel: 4, layers: 1, heads: 1 });
 * const pair = { chosen: { tokens: [1, 2, 3], promptLength: 1 }, rejected: { tokens: [1, 4], promptLength: 1 }, category: null };
 * const key = await referenceCacheKey(model, [pair], "byte");
 * console.assert(key !== await referenceCacheKey(model, [pair], "gpt2"));
 * model.dispose();
 * ```
 */
export async function referenceCacheKey(
  model: Gpt,
  pairs: readonly EncodedPair[],
  tokenizer: string,
): Promise<string> {
  const parts: Uint8Array[] = [new TextEncoder().encode(JSON.stringify({ config: model.config, tokenizer }))];
  for (const [name, v] of model.params) {
    parts.push(new TextEncoder().encode(`${name}:${v.shape}`));
    const data = (await v.data()) as Float32Array;
    parts.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  const seq: number[] = [pairs.length];
  for (const p of pairs) {
    for (const s of [p.chosen, p.rejected]) seq.push(s.promptLength, s.tokens.length, ...s.tokens);
  }
  parts.push(new Uint8Array(Int32Array.from(seq).buffer));
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  return hex(await crypto.subtle.digest("SHA-256", all));
}

/** The arrays of a cache entry, in file order (float32, one value per pair each). */
const FIELDS = ["chosen", "rejected", "chosenTokens", "rejectedTokens"] as const;

/** {@link PairLogProbs}, and whether they came from the cache. */
export interface CachedPairLogProbs extends PairLogProbs {
  /** True when read from the cache, false when computed (and then stored). */
  cached: boolean;
}

/**
 * The reference's log-probs of the pairs, from the cache when an entry with this key exists, else computed
 * with {@link pairLogProbs} and stored (written to a temporary file, then renamed, so that a reader never sees
 * half an entry).
 *
 * @param model The frozen reference.
 * @param pairs Tokenized pairs.
 * @param batchSize Pairs per forward pass when computing.
 * @param tokenizer The tokenizer's name (part of the key).
 * @param dir The cache folder (default {@link referenceCacheDir}; `undefined` there: no caching).
 * @returns The log-probs in the pairs' order, and whether they were cached.
 *
 * @example
 * ```ts
 * import { Gpt } from "../model/gpt.ts";
 * import { cachedPairLogProbs } from "./reference_cache.ts";
 * const dir = await Deno.makeTempDir();
 * const model = new Gpt({ vocabSize: 8, contextLength: 4, dModel: 4, layers: 1, heads: 1 });
 * const pair = { chosen: { tokens: [1, 2, 3], promptLength: 1 }, rejected: { tokens: [1, 4], promptLength: 1 }, category: null };
 * const first = await cachedPairLogProbs(model, [pair], 4, "byte", dir);
 * const again = await cachedPairLogProbs(model, [pair], 4, "byte", dir);
 * console.assert(!first.cached && again.cached && again.chosen[0] === first.chosen[0]);
 * model.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function cachedPairLogProbs(
  model: Gpt,
  pairs: readonly EncodedPair[],
  batchSize: number,
  tokenizer: string,
  dir: string | undefined = referenceCacheDir(),
): Promise<CachedPairLogProbs> {
  if (dir === undefined) return { ...(await pairLogProbs(model, pairs, batchSize)), cached: false };
  const n = pairs.length;
  const file = `${dir}/${await referenceCacheKey(model, pairs, tokenizer)}.f32`;
  try {
    const bytes = await Deno.readFile(file);
    if (bytes.byteLength === 4 * FIELDS.length * n) {
      const values = new Float32Array(bytes.buffer, bytes.byteOffset, FIELDS.length * n);
      const [chosen, rejected, chosenTokens, rejectedTokens] = FIELDS.map((_, i) =>
        values.slice(i * n, (i + 1) * n)
      ) as [Float32Array, Float32Array, Float32Array, Float32Array];
      return { chosen, rejected, chosenTokens, rejectedTokens, cached: true };
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const fresh = await pairLogProbs(model, pairs, batchSize);
  const values = new Float32Array(FIELDS.length * n);
  FIELDS.forEach((field, i) => values.set(fresh[field], i * n));
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${file}.${crypto.randomUUID()}.tmp`;
  await Deno.writeFile(tmp, new Uint8Array(values.buffer));
  await Deno.rename(tmp, file);
  return { ...fresh, cached: false };
}
