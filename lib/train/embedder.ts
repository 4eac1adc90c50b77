/**
 * The frozen embedder of the hybrid term: a transformers.js feature-extraction model (a local folder, or a
 * Hugging Face hub id when online) embeds each prompt and response once; the per-pair embedding margin
 * cos(e_x, e_w) − cos(e_x, e_l) (the log-ratio of unit-RBF similarities, `embeddingMargin` of the core) is
 * cached in the output folder, keyed by the model and a hash of the texts.
 *
 * @module
 */
import { embeddingMargin } from "../losses/embedding_margin.ts";
import type { PreferenceExample } from "../data/preference.ts";

/** A function from texts to mean-pooled, unit-length embeddings. */
export type TextEmbedder = (texts: readonly string[]) => Promise<number[][]>;

/** An embedder holding a native ONNX Runtime session: call `dispose()` when done with it. */
export type LoadedTextEmbedder = TextEmbedder & {
  /**
   * Releases the model's ONNX Runtime sessions. A session left alive until the process exits is torn down by
   * onnxruntime's own exit-time destructors, a known source of crashes after all work is done; released here, the
   * exit has nothing native left to free. Safe to call twice; the embedder must not be called after.
   */
  dispose(): Promise<void>;
};

/**
 * Loads a transformers.js feature-extraction model. A path that exists on disk is loaded offline (no network);
 * anything else is treated as a hub id.
 *
 * @param model A folder (with config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx) or a hub id.
 * @returns The embedder; call its `dispose()` when done, to release the native session before the process exits.
 * @throws {Error} If the model cannot be loaded (the message names it).
 */
export async function loadTextEmbedder(model: string): Promise<LoadedTextEmbedder> {
  const transformers = await import("@huggingface/transformers");
  const { env } = transformers;
  const name = model;
  // The offline settings below are global: restore them once loaded, or a later hub id would be looked up
  // under this folder's parent with remote models off.
  const saved = {
    allowRemoteModels: env.allowRemoteModels,
    allowLocalModels: env.allowLocalModels,
    localModelPath: env.localModelPath,
  };
  const local = await Deno.stat(model).then((s) => s.isDirectory, () => false);
  if (local) {
    const abs = await Deno.realPath(model);
    const slash = abs.lastIndexOf("/");
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = abs.slice(0, slash + 1);
    model = abs.slice(slash + 1);
  }
  let extractor;
  try {
    extractor = await transformers.pipeline("feature-extraction", model, { dtype: "fp32" });
  } catch (e) {
    throw new Error(`cannot load the embedding model ${name}: ${(e as Error).message}`);
  } finally {
    Object.assign(env, saved);
  }
  const loaded = extractor;
  let disposed = false;
  const embed: TextEmbedder = async (texts) => {
    if (disposed) throw new Error(`the embedding model ${name} was disposed`);
    const out: number[][] = [];
    for (const text of texts) {
      const tensor = await loaded(text, { pooling: "mean", normalize: true });
      out.push(Array.from(tensor.data as Float32Array));
    }
    return out;
  };
  return Object.assign(embed, {
    dispose: async (): Promise<void> => {
      if (disposed) return;
      disposed = true;
      await loaded.dispose();
    },
  });
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("").slice(0, 16);
}

/**
 * Per-pair embedding margins from a frozen embedder, computed once and cached as JSON in `cacheDir`.
 *
 * @param model The embedding model (folder or hub id), or an embedder function (tests).
 * @param examples The pairs.
 * @param cacheDir Where the cache file lives.
 * @returns One margin per pair, in order.
 *
 * @example
 * ```ts
 * import { frozenEmbeddingMargins, type TextEmbedder } from "./embedder.ts";
 * import assert from "node:assert/strict";
 * // a toy embedder: texts containing "yes" point one way, the rest another
 * let calls = 0;
 * const embed: TextEmbedder = (texts) => {
 *   calls++;
 *   return Promise.resolve(texts.map((t) => (t.includes("yes") ? [1, 0] : [0, 1])));
 * };
 * const dir = await Deno.makeTempDir();
 * const pairs = [{ prompt: "say yes", chosen: "yes", rejected: "no" }];
 * const [margin] = await frozenEmbeddingMargins(embed, pairs, dir);
 * assert.ok(margin! > 0); // the chosen response lies nearer the prompt
 * assert.deepEqual(await frozenEmbeddingMargins(embed, pairs, dir), [margin]); // cached: computed once
 * assert.equal(calls, 1);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function frozenEmbeddingMargins(
  model: string | TextEmbedder,
  examples: readonly PreferenceExample[],
  cacheDir: string,
): Promise<number[]> {
  const name = typeof model === "string" ? model : "custom";
  const key = await sha256(JSON.stringify([name, examples.map((e) => [e.prompt, e.chosen, e.rejected])]));
  const cacheFile = `${cacheDir}/embedding-margins-${key}.json`;
  const cached = await Deno.readTextFile(cacheFile).then((t) => JSON.parse(t) as number[], () => undefined);
  if (cached !== undefined && cached.length === examples.length) return cached;
  const loaded = typeof model === "string" ? await loadTextEmbedder(model) : undefined;
  const embed = loaded ?? (model as TextEmbedder);
  const margins: number[] = [];
  try {
    for (const e of examples) {
      const [prompt, chosen, rejected] = await embed([
        e.prompt.length > 0 ? e.prompt : " ",
        e.chosen,
        e.rejected,
      ]);
      margins.push(embeddingMargin({ prompt: prompt!, chosen: chosen!, rejected: rejected! }));
    }
  } finally {
    // A model loaded here is released here: no native session outlives the call.
    await loaded?.dispose();
  }
  await Deno.mkdir(cacheDir, { recursive: true });
  await Deno.writeTextFile(cacheFile, JSON.stringify(margins));
  return margins;
}
