/**
 * Exports a {@link Gpt} as a Hugging Face GPT-2 folder (`config.json` + `model.safetensors`) that
 * `transformers.GPT2LMHeadModel.from_pretrained` loads, and that {@link loadGpt2Folder} reads back: the way from a
 * policy prototyped in Deno to TRL and PyTorch's distributed training (python/).
 *
 * The layouts already agree ({@link loadGpt2Folder} only renames), so exporting is the reverse renaming: every
 * parameter is stored as `transformer.NAME` in float32 with the metadata `format: pt` that `transformers` requires;
 * the tied head is not stored (GPT-2 ties it to `wte.weight`), nor are the causal-mask buffers.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { type GptConfig, validateGptConfig } from "../model/config.ts";
import { gptParameterShapes } from "../model/gpt.ts";
import { saveSafetensors } from "./safetensors_file.ts";

/**
 * The Hugging Face `config.json` of a {@link GptConfig}: GPT2LMHeadModel with the tanh GELU (`gelu_new`), tied head,
 * attention scaled by 1/√d_head, and dropout 0 (the Deno model has none; training in PyTorch may set it).
 *
 * @param config The model's shape.
 * @returns The config object to write as JSON.
 * @throws {RangeError} If the config is invalid (as {@link validateGptConfig}).
 * @example
 * ```ts
 * import { hfGpt2Config } from "@dpo-kernels/dpo-kernels/io";
 * import assert from "node:assert/strict";
 * const hf = hfGpt2Config({ vocabSize: 256, contextLength: 64, dModel: 32, layers: 2, heads: 2 });
 * assert.equal(hf.model_type, "gpt2");
 * assert.equal(hf.n_embd, 32);
 * ```
 */
export function hfGpt2Config(config: GptConfig): Record<string, unknown> {
  const c = validateGptConfig(config);
  return {
    architectures: ["GPT2LMHeadModel"],
    model_type: "gpt2",
    vocab_size: c.vocabSize,
    n_positions: c.contextLength,
    n_ctx: c.contextLength,
    n_embd: c.dModel,
    n_layer: c.layers,
    n_head: c.heads,
    n_inner: null,
    activation_function: "gelu_new",
    layer_norm_epsilon: c.layerNormEpsilon,
    resid_pdrop: 0,
    embd_pdrop: 0,
    attn_pdrop: 0,
    scale_attn_weights: true,
    scale_attn_by_inverse_layer_idx: false,
    reorder_and_upcast_attn: false,
    tie_word_embeddings: true,
    initializer_range: 0.02,
    use_cache: true,
  };
}

/**
 * Writes a GPT as a Hugging Face GPT-2 folder: `config.json` and `model.safetensors` (float32, `transformer.`
 * names, metadata `format: pt`). The folder is created if needed; existing files of those names are replaced.
 *
 * @param folder The output folder.
 * @param params The parameters by {@link Gpt} name (`gpt.params`), each of the shape the config implies.
 * @param config The model's shape (`gpt.config`).
 * @returns Resolves once both files are written.
 * @throws {RangeError} On a missing, unknown or misshapen parameter (named) or an invalid config.
 * @example
 * ```ts
 * import { Gpt, useBackend } from "@dpo-kernels/dpo-kernels/model";
 * import { loadGpt2Folder, saveGpt2Folder } from "@dpo-kernels/dpo-kernels/io";
 * import assert from "node:assert/strict";
 * await useBackend("cpu");
 * const gpt = new Gpt({ vocabSize: 16, contextLength: 8, dModel: 8, layers: 1, heads: 2 }, { seed: 1 });
 * const folder = await Deno.makeTempDir();
 * await saveGpt2Folder(folder, gpt.params, gpt.config);
 * const back = await loadGpt2Folder(folder);
 * assert.deepEqual(back.config, gpt.config);
 * for (const w of back.weights.values()) w.dispose();
 * gpt.dispose();
 * await Deno.remove(folder, { recursive: true });
 * ```
 */
export async function saveGpt2Folder(
  folder: string,
  params: ReadonlyMap<string, tf.Tensor>,
  config: GptConfig,
): Promise<void> {
  const hf = hfGpt2Config(config);
  const shapes = gptParameterShapes(validateGptConfig(config));
  const expected = new Set(shapes.map(([name]) => name));
  for (const name of params.keys()) {
    if (!expected.has(name)) throw new RangeError(`params has "${name}", which is not a GPT-2 parameter`);
  }
  const tensors = new Map<string, tf.Tensor>();
  for (const [name, shape] of shapes) {
    const t = params.get(name);
    if (t === undefined) throw new RangeError(`params lacks the parameter "${name}"`);
    if (t.shape.join(",") !== shape.join(",")) {
      throw new RangeError(`params["${name}"] must have shape [${shape}], got [${t.shape}]`);
    }
    if (t.dtype !== "float32") throw new RangeError(`params["${name}"] must be float32, got ${t.dtype}`);
    tensors.set(`transformer.${name}`, t);
  }
  await Deno.mkdir(folder, { recursive: true });
  await Deno.writeTextFile(join(folder, "config.json"), JSON.stringify(hf, null, 2) + "\n");
  await saveSafetensors(join(folder, "model.safetensors"), tensors, { metadata: { format: "pt" } });
}
