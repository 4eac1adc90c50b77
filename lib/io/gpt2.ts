/**
 * GPT-2-family weights from a Hugging Face checkpoint: a local folder (`config.json` + `model.safetensors`), or
 * a hub id (`"gpt2"`, `"distilgpt2"`, `"owner/name"`) whose files are downloaded once into a cache folder.
 *
 * Hugging Face's GPT-2 and {@link Gpt} name and lay out their parameters alike (`h.0.attn.c_attn.weight` is
 * Conv1D `[in, out]`), so loading is renaming: strip the `transformer.` prefix GPT2LMHeadModel adds, skip the
 * attention-mask buffers (`attn.bias`, `attn.masked_bias`) and the tied `lm_head.weight`, and check every shape.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { downloadFromHub, type HubOptions } from "../hub/hub.ts";
import { isHubId } from "../hub/safe_path.ts";
import { exists, readJsonFile } from "../hub/files.ts";
import { type GptConfig, validateGptConfig } from "../model/config.ts";
import { gptParameterShapes } from "../model/gpt.ts";
import { describe } from "../math/validation.ts";
import type { SafetensorsTensor } from "./safetensors.ts";
import { readSafetensors, tensorsFromSafetensors } from "./safetensors_file.ts";

/** The files a GPT-2 download fetches: the first two are required, the tokenizer files are fetched if present. */
export const GPT2_HUB_FILES: Readonly<{ required: readonly string[]; optional: readonly string[] }> = Object
  .freeze({
    required: Object.freeze(["config.json", "model.safetensors"]),
    optional: Object.freeze(["tokenizer.json", "tokenizer_config.json"]),
  });

/** One check of a Hugging Face GPT-2 config: the key, and a reason when its value is one {@link Gpt} lacks. */
interface HfConfigCheck {
  key: string;
  unsupported(value: unknown): string | undefined;
}

const TANH_GELUS = ["gelu_new", "gelu_pytorch_tanh", "gelu_fast"];

/** The Hugging Face config values that change GPT-2's computation; each must match what {@link Gpt} does. */
const HF_CONFIG_CHECKS: readonly HfConfigCheck[] = [
  {
    key: "model_type",
    unsupported: (v) => v === undefined || v === "gpt2" ? undefined : 'only model_type "gpt2" is supported',
  },
  {
    key: "activation_function",
    unsupported: (v) =>
      v === undefined || TANH_GELUS.includes(v as string)
        ? undefined
        : `Gpt uses the tanh GELU (${TANH_GELUS.join(", ")})`,
  },
  {
    key: "scale_attn_weights",
    unsupported: (v) =>
      v === undefined || v === true ? undefined : "Gpt always scales attention by 1/√d_head",
  },
  {
    key: "scale_attn_by_inverse_layer_idx",
    unsupported: (v) => v === undefined || v === false ? undefined : "Gpt does not scale by the layer index",
  },
  {
    key: "tie_word_embeddings",
    unsupported: (v) =>
      v === undefined || v === true ? undefined : "Gpt ties the head to the token embedding",
  },
];

/**
 * The {@link GptConfig} of a Hugging Face GPT-2 `config.json`: `n_embd` → dModel, `n_layer` → layers, `n_head`
 * → heads, `n_positions` (or `n_ctx`) → contextLength, `vocab_size` → vocabSize, `layer_norm_epsilon` (default
 * 1e-5).
 *
 * @param hf The parsed config.json.
 * @param source Its path, for messages (default `"config.json"`).
 * @returns The validated config.
 * @throws {RangeError} On a missing or bad size, `n_inner` other than 4·n_embd, or a setting {@link Gpt} does not
 * implement (another activation, untied head, unscaled attention), naming the source and the key.
 *
 * @example
 * ```ts
 * import { gptConfigFromHf } from "@dpo-kernels/dpo-kernels/io";
 * import assert from "node:assert/strict";
 * const c = gptConfigFromHf({ n_embd: 768, n_layer: 12, n_head: 12, n_positions: 1024, vocab_size: 50257 });
 * assert.deepEqual(c, { vocabSize: 50257, contextLength: 1024, dModel: 768, layers: 12, heads: 12, layerNormEpsilon: 1e-5 });
 * ```
 */
export function gptConfigFromHf(
  hf: Readonly<Record<string, unknown>>,
  source = "config.json",
): Required<GptConfig> {
  if (typeof hf !== "object" || hf === null) {
    throw new TypeError(`${source} must be a JSON object, got ${describe(hf)}`);
  }
  for (const check of HF_CONFIG_CHECKS) {
    const why = check.unsupported(hf[check.key]);
    if (why !== undefined) throw new RangeError(`${source}: ${check.key} ${describe(hf[check.key])}: ${why}`);
  }
  const sizes: [keyof GptConfig, unknown, string][] = [
    ["vocabSize", hf.vocab_size, "vocab_size"],
    ["contextLength", hf.n_positions ?? hf.n_ctx, "n_positions"],
    ["dModel", hf.n_embd, "n_embd"],
    ["layers", hf.n_layer, "n_layer"],
    ["heads", hf.n_head, "n_head"],
  ];
  const config: Record<string, unknown> = {};
  for (const [field, value, key] of sizes) {
    if (!Number.isInteger(value) || (value as number) < 1) {
      throw new RangeError(`${source}: ${key} must be a positive integer, got ${describe(value)}`);
    }
    config[field] = value;
  }
  if (hf.n_inner !== undefined && hf.n_inner !== null && hf.n_inner !== 4 * (hf.n_embd as number)) {
    throw new RangeError(`${source}: n_inner ${describe(hf.n_inner)}: Gpt's MLP is 4·n_embd wide`);
  }
  config.layerNormEpsilon = hf.layer_norm_epsilon ?? 1e-5;
  return validateGptConfig(config as unknown as GptConfig, source);
}

/** A stored tensor name that is not a parameter: why it is skipped. */
export const GPT2_SKIPPED_TENSORS: readonly { pattern: RegExp; reason: string }[] = Object.freeze([
  { pattern: /(^|\.)attn\.bias$/, reason: "the causal-mask buffer" },
  { pattern: /(^|\.)attn\.masked_bias$/, reason: "the masked-score constant" },
  { pattern: /^lm_head\.weight$/, reason: "the head, tied to wte.weight" },
]);

/**
 * The {@link Gpt} parameter name of a Hugging Face GPT-2 tensor name: the `transformer.` prefix removed, or
 * `undefined` for a tensor to skip (see {@link GPT2_SKIPPED_TENSORS}).
 *
 * @param name A tensor name from model.safetensors.
 * @returns The parameter name, or undefined.
 *
 * @example
 * ```ts
 * import { gpt2ParameterName } from "@dpo-kernels/dpo-kernels/io";
 * import assert from "node:assert/strict";
 * assert.equal(gpt2ParameterName("transformer.h.0.attn.c_attn.weight"), "h.0.attn.c_attn.weight");
 * assert.equal(gpt2ParameterName("h.0.attn.bias"), undefined);
 * assert.equal(gpt2ParameterName("lm_head.weight"), undefined);
 * ```
 */
export function gpt2ParameterName(name: string): string | undefined {
  if (GPT2_SKIPPED_TENSORS.some((s) => s.pattern.test(name))) return undefined;
  return name.startsWith("transformer.") ? name.slice("transformer.".length) : name;
}

/** GPT-2 weights ready for `new Gpt(config, { weights })`. */
export interface Gpt2Checkpoint {
  /** The model's shape. */
  config: Required<GptConfig>;
  /** float32 tensors by {@link Gpt} parameter name (the caller disposes them). */
  weights: Map<string, tf.Tensor>;
  /** The folder read (the cache folder for a hub id); its tokenizer files load with `loadTokenizer(folder)`. */
  folder: string;
  /** The Hugging Face config.json as read. */
  hfConfig: Record<string, unknown>;
}

/**
 * Loads GPT-2 weights from a local Hugging Face folder (config.json and model.safetensors, F32/F16/BF16).
 *
 * @param folder The folder.
 * @returns The config, the weights by {@link Gpt} parameter name, the folder and the raw config.
 * @throws {Error} If a file is missing or unreadable, a parameter is missing or stored twice (with and without
 * `transformer.`), or an unknown tensor is present, naming the file and tensor.
 * @throws {RangeError} On a tensor of the wrong shape, or a config {@link gptConfigFromHf} rejects.
 *
 * @example
 * ```ts ignore
 * import * as tf from "@tensorflow/tfjs";
 * import { Gpt } from "@dpo-kernels/dpo-kernels/model";
 * import { loadGpt2Folder } from "@dpo-kernels/dpo-kernels/io";
 * const { config, weights } = await loadGpt2Folder("/models/gpt2");
 * const gpt = new Gpt(config, { weights, trainable: false });
 * for (const w of weights.values()) w.dispose();
 * ```
 */
export async function loadGpt2Folder(folder: string): Promise<Gpt2Checkpoint> {
  const configPath = join(folder, "config.json");
  const hfConfig = await readJsonFile(configPath);
  if (typeof hfConfig !== "object" || hfConfig === null || Array.isArray(hfConfig)) {
    throw new TypeError(`${configPath}: must hold a JSON object`);
  }
  const config = gptConfigFromHf(hfConfig as Record<string, unknown>, configPath);
  const weightsPath = join(folder, "model.safetensors");
  if (!(await exists(weightsPath))) {
    const hint = (await exists(join(folder, "model.safetensors.index.json")))
      ? " (sharded checkpoints are not supported)"
      : (await exists(join(folder, "pytorch_model.bin")))
      ? " (only pytorch_model.bin is there: convert it to safetensors)"
      : "";
    throw new Error(`${weightsPath}: no such file${hint}`);
  }
  const file = await readSafetensors(weightsPath, {
    filter: (name) => gpt2ParameterName(name) !== undefined,
  });
  const expected = new Map(gptParameterShapes(config));
  const renamed = new Map<string, SafetensorsTensor>();
  for (const [stored, t] of file.tensors) {
    const name = gpt2ParameterName(stored) as string;
    if (!expected.has(name)) {
      throw new Error(
        `${weightsPath}: tensor "${stored}" is not a GPT-2 parameter (is this a GPT-2 checkpoint?)`,
      );
    }
    if (renamed.has(name)) throw new Error(`${weightsPath}: parameter "${name}" is stored twice`);
    const shape = expected.get(name) as number[];
    if (t.shape.join(",") !== shape.join(",")) {
      throw new RangeError(
        `${weightsPath}: tensor "${stored}" has shape [${t.shape}], expected [${shape}] from ${configPath}`,
      );
    }
    if (!(t.data instanceof Float32Array)) {
      throw new TypeError(
        `${weightsPath}: tensor "${stored}" has integer dtype ${t.dtype}, expected a float`,
      );
    }
    renamed.set(name, t);
  }
  const missing = [...expected.keys()].filter((n) => !renamed.has(n));
  if (missing.length > 0) {
    throw new Error(
      `${weightsPath}: missing tensor${missing.length > 1 ? "s" : ""} ${
        missing.slice(0, 4).map((n) => `"${n}"`).join(", ")
      }${
        missing.length > 4 ? `, … (${missing.length} in all)` : ""
      } (looked for "NAME" and "transformer.NAME")`,
    );
  }
  // Parameter order, as Gpt lists them.
  const ordered = new Map([...expected.keys()].map((n) => [n, renamed.get(n) as SafetensorsTensor]));
  return {
    config,
    weights: tensorsFromSafetensors(ordered),
    folder,
    hfConfig: hfConfig as Record<string, unknown>,
  };
}

/**
 * Loads GPT-2 weights from a local folder or, for a hub id, from the cache, downloading `config.json`,
 * `model.safetensors`, `tokenizer.json` and `tokenizer_config.json` first where they are not cached. A string
 * naming an existing folder is always read as a folder.
 *
 * @param source A folder path, or a hub id (`"gpt2"`, `"openai-community/gpt2"`).
 * @param options Where and how to download (used for hub ids only).
 * @returns The config, the weights by {@link Gpt} parameter name (the caller disposes them), the folder read
 * and its raw config.
 * @throws {Error} If source is neither a folder nor a hub id, if the hub is unreachable and the files are not
 * cached (the message says how to pass a local folder), and as {@link loadGpt2Folder}.
 *
 * @example
 * ```ts ignore
 * import * as tf from "@tensorflow/tfjs";
 * import { Gpt } from "@dpo-kernels/dpo-kernels/model";
 * import { loadGpt2 } from "@dpo-kernels/dpo-kernels/io";
 * const { config, weights } = await loadGpt2("gpt2"); // ~/.cache/dpo-kernels/hub/gpt2
 * const gpt = new Gpt(config, { weights });
 * for (const w of weights.values()) w.dispose();
 * ```
 */
export async function loadGpt2(source: string, options: HubOptions = {}): Promise<Gpt2Checkpoint> {
  if (typeof source !== "string" || source === "") {
    throw new TypeError(`source must be a folder path or a hub id, got ${describe(source)}`);
  }
  let isFolder = false;
  try {
    isFolder = (await Deno.stat(source)).isDirectory;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  if (isFolder) return await loadGpt2Folder(source);
  if (!isHubId(source)) {
    throw new Error(
      `source ${describe(source)}: no such folder, and not a hub id like "gpt2" or "owner/name"`,
    );
  }
  const folder = await downloadFromHub(source, {
    ...options,
    files: GPT2_HUB_FILES.required,
    optionalFiles: GPT2_HUB_FILES.optional,
  });
  return await loadGpt2Folder(folder);
}
