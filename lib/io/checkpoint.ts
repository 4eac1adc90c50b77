/**
 * Training checkpoints: a folder holding the GPT's weights, its shape, its tokenizer and, optionally, the
 * optimizer's tensors and the trainer's state.
 *
 * ```text
 * dir/model.safetensors      the parameters, by Gpt (= Hugging Face GPT-2) name, F32
 * dir/config.json            Hugging Face GPT-2 keys + {"dpo_kernels": {format_version, gpt, tokenizer}}
 * dir/optimizer.safetensors  optional: the optimizer's tensors by name
 * dir/trainer_state.json     optional: any JSON (step, losses, RNG state, …)
 * dir/tokenizer.json         only for a tokenizer loaded from a folder by absolute path (recorded as ".")
 * ```
 *
 * config.json carries Hugging Face's GPT-2 keys too, so a checkpoint is also a GPT-2 folder: `loadGpt2` reads it,
 * and it is laid out for Python's `GPT2LMHeadModel.from_pretrained` (unprefixed names, `format: pt` metadata). Saving is atomic: everything is written and synced into a
 * temporary sibling folder, which then replaces `dir` by rename; an interrupted save leaves the previous
 * checkpoint whole.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { basename, dirname, join } from "node:path";
import type { GptConfig } from "../model/config.ts";
import { type Gpt, gptParameterShapes } from "../model/gpt.ts";
import { describe } from "../math/validation.ts";
import { exists, readJsonFile } from "../hub/files.ts";
import {
  assertJson,
  CHECKPOINT_FILES,
  CHECKPOINT_FORMAT_VERSION,
  CHECKPOINT_TOKENIZER_FILES,
  checkpointTokenizerRecord,
  type JsonValue,
  parseCheckpointConfig,
  type TokenizerInfo,
} from "./checkpoint_config.ts";
import { encodeSafetensors, type SafetensorsTensor } from "./safetensors.ts";
import { readSafetensors, safetensorsFromTensors, tensorsFromSafetensors } from "./safetensors_file.ts";

/** What {@link saveCheckpoint} writes. */
export interface SaveCheckpointOptions {
  /** The model; its config and parameters are saved. */
  model: Gpt;
  /** The tokenizer (or what a checkpoint records of one), so that a loader can rebuild it. */
  tokenizer?: TokenizerInfo;
  /** The trainer's state: JSON with finite numbers only. */
  state?: JsonValue;
  /** The optimizer's tensors by name (`optimizer.getWeights()` gives `{name, tensor}` pairs; pass them as a Map). */
  optimizer?: ReadonlyMap<string, tf.Tensor> | Readonly<Record<string, tf.Tensor>>;
}

/** A loaded checkpoint. The caller owns (and disposes) every tensor. */
export interface Checkpoint {
  /** The GPT's shape. */
  config: Required<GptConfig>;
  /** The parameters by name, in `gptParameterShapes` order: `new Gpt(config, { weights })`. */
  weights: Map<string, tf.Tensor>;
  /**
   * The tokenizer's record, when one was saved. Its name loads the tokenizer with `loadTokenizer`: `"byte"`, a
   * hub id, a relative folder, or this checkpoint's folder where the tokenizer files were saved inside it.
   */
  tokenizer?: TokenizerInfo;
  /** The optimizer's tensors, when saved. */
  optimizer?: Map<string, tf.Tensor>;
  /** The trainer's state, when saved. */
  state?: JsonValue;
  /** The layout version the checkpoint was written with. */
  formatVersion: number;
}

/** Writes a file and flushes it to disk before returning. */
async function writeSynced(path: string, bytes: Uint8Array): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
    await file.sync();
  } finally {
    file.close();
  }
}

const STALE_SAVE = /^\.(.+)\.(tmp|old)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Removes what interrupted saves left in `parent`: every `.{name}.tmp-{uuid}` folder (never complete), and every
 * `.{name}.old-{uuid}` folder whose `{name}` checkpoint is complete (its config.json exists), so that a previous
 * checkpoint an interrupted save renamed aside is kept until it is no longer the only copy.
 */
async function removeStaleSaves(parent: string): Promise<void> {
  const stale: string[] = [];
  for await (const e of Deno.readDir(parent)) {
    const m = e.isDirectory ? STALE_SAVE.exec(e.name) : null;
    if (m === null) continue;
    if (m[2] === "tmp" || await exists(join(parent, m[1]!, CHECKPOINT_FILES.config))) stale.push(e.name);
  }
  for (const name of stale) await Deno.remove(join(parent, name), { recursive: true }).catch(() => {});
}

/**
 * Saves a checkpoint into `dir`, atomically: the files are written and synced in a temporary sibling folder
 * (`.{name}.tmp-{uuid}`), then the old `dir`, if any, is renamed aside, the new folder renamed to `dir`, and the
 * old one removed. An existing `dir` must be a checkpoint (its config.json has a `dpo_kernels` block) or empty,
 * so that a wrong path never deletes other files. Folders that interrupted saves left in the parent folder are
 * removed first: every `.{name}.tmp-{uuid}`, and every `.{name}.old-{uuid}` whose `{name}` is complete.
 *
 * @param dir The checkpoint folder (created with its parents; replaced if it holds a checkpoint).
 * @param options The model, and optionally its tokenizer, the optimizer's tensors and the trainer's state.
 * @returns The folder written.
 * @throws {TypeError} If the state is not JSON with finite numbers (naming the bad path), or a tensor's dtype
 * cannot be stored.
 * @throws {RangeError} If the tokenizer's name is neither `"byte"`, a hub id or a safe relative path, nor a
 * folder holding `tokenizer.json` (such a folder's tokenizer files are copied into the checkpoint and recorded
 * as `"."`, so that the checkpoint never names a path of this machine; see `assertRecordedName`).
 * @throws {Error} If `dir` exists and is not a checkpoint, or on a file-system error (the previous checkpoint is
 * left in place).
 *
 * @example
 * ```ts
 * import { Gpt } from "@dpo-kernels/dpo-kernels/model";
 * import { loadCheckpoint, saveCheckpoint } from "@dpo-kernels/dpo-kernels/io";
 * import assert from "node:assert/strict";
 * const dir = (await Deno.makeTempDir()) + "/step-10";
 * const model = new Gpt({ vocabSize: 16, contextLength: 4, dModel: 8, layers: 1, heads: 2 });
 * await saveCheckpoint(dir, { model, state: { step: 10 } });
 * const ckpt = await loadCheckpoint(dir);
 * assert.deepEqual(ckpt.state, { step: 10 });
 * assert.equal(ckpt.config.dModel, 8);
 * for (const w of ckpt.weights.values()) w.dispose();
 * model.dispose();
 * ```
 */
export async function saveCheckpoint(dir: string, options: SaveCheckpointOptions): Promise<string> {
  if (typeof dir !== "string" || dir === "") {
    throw new TypeError(`dir must be a folder path, got ${describe(dir)}`);
  }
  const { model } = options;
  if (model === undefined || !(model.params instanceof Map)) {
    throw new TypeError(`options.model must be a Gpt, got ${describe(model)}`);
  }
  if (options.state !== undefined) assertJson(options.state, "options.state");
  if (await exists(dir)) {
    const entries = [];
    for await (const e of Deno.readDir(dir)) entries.push(e.name);
    let isCheckpoint = false;
    try {
      const json = JSON.parse(await Deno.readTextFile(join(dir, CHECKPOINT_FILES.config)));
      isCheckpoint = typeof json === "object" && json !== null && "dpo_kernels" in json;
    } catch {
      isCheckpoint = false;
    }
    if (entries.length > 0 && !isCheckpoint) {
      throw new Error(`${dir} exists and is not a checkpoint folder; refusing to replace it`);
    }
  }

  const config = model.config;
  const record = options.tokenizer === undefined
    ? undefined
    : await checkpointTokenizerRecord(options.tokenizer);
  const tokenizer = record?.info;
  const configJson = {
    model_type: "gpt2",
    architectures: ["GPT2LMHeadModel"],
    activation_function: "gelu_new",
    vocab_size: config.vocabSize,
    n_positions: config.contextLength,
    n_ctx: config.contextLength,
    n_embd: config.dModel,
    n_layer: config.layers,
    n_head: config.heads,
    n_inner: null,
    layer_norm_epsilon: config.layerNormEpsilon,
    tie_word_embeddings: true,
    resid_pdrop: 0,
    embd_pdrop: 0,
    attn_pdrop: 0,
    ...(tokenizer?.eosId !== undefined
      ? { bos_token_id: tokenizer.eosId, eos_token_id: tokenizer.eosId }
      : {}),
    dpo_kernels: {
      format_version: CHECKPOINT_FORMAT_VERSION,
      gpt: { ...config },
      tokenizer: tokenizer ?? null,
    },
  };
  // Read every tensor before touching the disk: a failure here leaves nothing behind.
  const modelBytes = encodeSafetensors(await safetensorsFromTensors(model.params), { format: "pt" });
  const optimizerBytes = options.optimizer === undefined
    ? undefined
    : encodeSafetensors(await safetensorsFromTensors(options.optimizer), { format: "dpo-kernels-optimizer" });

  const parent = dirname(dir);
  const name = basename(dir);
  await Deno.mkdir(parent, { recursive: true });
  await removeStaleSaves(parent);
  const id = crypto.randomUUID();
  const tmp = join(parent, `.${name}.tmp-${id}`);
  await Deno.mkdir(tmp);
  try {
    const encoder = new TextEncoder();
    await writeSynced(join(tmp, CHECKPOINT_FILES.model), modelBytes);
    if (optimizerBytes !== undefined) {
      await writeSynced(join(tmp, CHECKPOINT_FILES.optimizer), optimizerBytes);
    }
    if (options.state !== undefined) {
      await writeSynced(
        join(tmp, CHECKPOINT_FILES.state),
        encoder.encode(JSON.stringify(options.state, null, 2) + "\n"),
      );
    }
    if (record?.copyFrom !== undefined) {
      for (const file of CHECKPOINT_TOKENIZER_FILES) {
        const from = join(record.copyFrom, file);
        if (await exists(from)) await writeSynced(join(tmp, file), await Deno.readFile(from));
      }
    }
    // config.json last: a folder with it is complete.
    await writeSynced(
      join(tmp, CHECKPOINT_FILES.config),
      encoder.encode(JSON.stringify(configJson, null, 2) + "\n"),
    );
  } catch (e) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw e;
  }
  if (await exists(dir)) {
    const old = join(parent, `.${name}.old-${id}`);
    await Deno.rename(dir, old);
    try {
      await Deno.rename(tmp, dir);
    } catch (e) {
      await Deno.rename(old, dir).catch(() => {});
      throw e;
    }
    await Deno.remove(old, { recursive: true });
  } else {
    await Deno.rename(tmp, dir);
  }
  return dir;
}

/**
 * Loads a checkpoint written by {@link saveCheckpoint}, checking every parameter's name and shape against the
 * saved config.
 *
 * @param dir The checkpoint folder.
 * @returns The config, the weights in parameter order, and the tokenizer record, optimizer tensors and trainer
 * state where saved. The caller disposes the tensors.
 * @throws {Error} If the folder or a required file is missing (pointing at a previous checkpoint an interrupted
 * save left renamed aside, if any), or a parameter is missing or unexpected (naming the file and tensor).
 * @throws {TypeError} If config.json or trainer_state.json is not valid JSON, or config.json is not a
 * dpo-kernels checkpoint ({@link parseCheckpointConfig}).
 * @throws {RangeError} On a newer format version, a GPT field out of range, a parameter of the wrong shape
 * (naming the file, tensor and both shapes), or a tokenizer record whose name is not a safe name (absolute
 * path, `..`, backslash, empty segment: the name is later used as a path or hub id) or whose vocabulary size is
 * not a positive integer.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { Gpt } from "@dpo-kernels/dpo-kernels/model";
 * import { loadCheckpoint, saveCheckpoint } from "@dpo-kernels/dpo-kernels/io";
 * import assert from "node:assert/strict";
 * const dir = (await Deno.makeTempDir()) + "/ckpt";
 * const model = new Gpt({ vocabSize: 16, contextLength: 4, dModel: 8, layers: 1, heads: 2 }, { seed: 3 });
 * await saveCheckpoint(dir, { model, tokenizer: { name: "byte", vocabSize: 16 } });
 * const { config, weights, tokenizer } = await loadCheckpoint(dir);
 * const copy = new Gpt(config, { weights });
 * assert.deepEqual(await copy.param("wte.weight").data(), await model.param("wte.weight").data());
 * assert.equal(tokenizer?.name, "byte");
 * for (const w of weights.values()) w.dispose();
 * copy.dispose();
 * model.dispose();
 * ```
 */
export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  if (typeof dir !== "string" || dir === "") {
    throw new TypeError(`dir must be a folder path, got ${describe(dir)}`);
  }
  if (!(await exists(dir))) {
    const parent = dirname(dir);
    const prefix = `.${basename(dir)}.old-`;
    const aside: string[] = [];
    try {
      for await (const e of Deno.readDir(parent)) {
        if (e.name.startsWith(prefix)) aside.push(join(parent, e.name));
      }
    } catch {
      // no parent folder: nothing aside
    }
    const hint = aside.length > 0
      ? `; an interrupted save left the previous checkpoint at ${aside[0]}: rename it to ${dir}`
      : "";
    throw new Error(`${dir}: no such checkpoint folder${hint}`);
  }
  const configPath = join(dir, CHECKPOINT_FILES.config);
  if (!(await exists(configPath))) throw new Error(`${configPath}: no such file (is ${dir} a checkpoint?)`);
  const { config, tokenizer, formatVersion } = parseCheckpointConfig(
    await readJsonFile(configPath),
    configPath,
  );

  const modelPath = join(dir, CHECKPOINT_FILES.model);
  if (!(await exists(modelPath))) throw new Error(`${modelPath}: no such file`);
  const file = await readSafetensors(modelPath);
  const expected = gptParameterShapes(config);
  const expectedNames = new Set(expected.map(([n]) => n));
  for (const name of file.tensors.keys()) {
    if (!expectedNames.has(name)) {
      throw new Error(
        `${modelPath}: unexpected tensor "${name}" (not a parameter of the config in ${configPath})`,
      );
    }
  }
  for (const [name, shape] of expected) {
    const t = file.tensors.get(name);
    if (t === undefined) throw new Error(`${modelPath}: missing tensor "${name}"`);
    if (t.shape.join(",") !== shape.join(",")) {
      throw new RangeError(
        `${modelPath}: tensor "${name}" has shape [${t.shape}], expected [${shape}] from ${configPath}`,
      );
    }
    if (!(t.data instanceof Float32Array)) {
      throw new TypeError(`${modelPath}: tensor "${name}" has integer dtype ${t.dtype}, expected a float`);
    }
  }
  const ordered = new Map(expected.map(([n]) => [n, file.tensors.get(n) as SafetensorsTensor]));
  const result: Checkpoint = { config, weights: tensorsFromSafetensors(ordered), formatVersion };
  if (tokenizer !== undefined) result.tokenizer = tokenizer;
  const optimizerPath = join(dir, CHECKPOINT_FILES.optimizer);
  if (await exists(optimizerPath)) {
    try {
      result.optimizer = tensorsFromSafetensors(await readSafetensors(optimizerPath));
    } catch (e) {
      for (const w of result.weights.values()) w.dispose();
      throw e;
    }
  }
  const statePath = join(dir, CHECKPOINT_FILES.state);
  if (await exists(statePath)) {
    try {
      result.state = (await readJsonFile(statePath)) as JsonValue;
    } catch (e) {
      for (const w of result.weights.values()) w.dispose();
      for (const w of result.optimizer?.values() ?? []) w.dispose();
      throw e;
    }
  }
  return result;
}
