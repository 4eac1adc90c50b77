/**
 * Everything a run checks and loads before its first step: the configuration, the checkpoint to resume from,
 * the output folder, the data and the batch sizes against it, then the backend, tokenizer and policy (and
 * their compatibility).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../model/backend.ts";
import { DEFAULT_GPT_CONFIG, type GptConfig } from "../model/config.ts";
import { Gpt } from "../model/gpt.ts";
import { loadCheckpoint } from "../io/checkpoint.ts";
import { CHECKPOINT_FILES, checkpointTokenizerSpec, parseCheckpointConfig } from "../io/checkpoint_config.ts";
import { loadGpt2 } from "../io/gpt2.ts";
import { loadTokenizer, TOKENIZERS } from "../tokenizer/mod.ts";
import { isHubId } from "../hub/safe_path.ts";
import type { Tokenizer } from "../tokenizer/types.ts";
import { type EncodedPair, encodePair } from "./batch.ts";
import { type ResolvedTrainConfig, resolveTrainConfig, type TrainConfig } from "./config.ts";
import { prepareRunFolder, readResumePoint, type ResumePoint } from "./run_folder.ts";
import { type PreferenceExample, readPreferenceJsonl } from "../data/preference.ts";
import { assertWeightsFinite } from "./finite_guard.ts";
import { collapseRisk } from "../selection/collapse_risk.ts";

/** What {@link setup} hands the trainer. */
export interface Setup {
  config: ResolvedTrainConfig;
  tokenizer: Tokenizer;
  policy: Gpt;
  train: EncodedPair[];
  evalPairs: EncodedPair[];
  trainText: PreferenceExample[];
  evalText: PreferenceExample[];
  skipped: { train: DatasetSkips; eval: DatasetSkips };
  resume?: ResumePoint;
  resumeOptimizer?: Map<string, tf.Tensor>;
  notes: string[];
}

/** Malformed lines skipped in one data file: how many, and the first line numbers. */
export interface DatasetSkips {
  count: number;
  lines: number[];
}

/**
 * Joins path parts with single slashes.
 *
 * @example
 * ```ts
 * import { join } from "./setup.ts";
 * import assert from "node:assert/strict";
 * assert.equal(join("out/", "/runs", "seed0"), "out/runs/seed0");
 * ```
 */
export const join = (...parts: string[]): string => parts.join("/").replace(/\/+/g, "/");

async function loadExamples(
  source: string | readonly PreferenceExample[],
  skipBadLines: boolean,
): Promise<{ examples: PreferenceExample[]; skipped: number; skippedLines: number[] }> {
  if (typeof source !== "string") return { examples: [...source], skipped: 0, skippedLines: [] };
  return await readPreferenceJsonl(source, { skipBadLines });
}

/** The prefix that marks a model or tokenizer spec as a Hugging Face hub id (`hf:gpt2`). */
const HUB_PREFIX = "hf:";

/**
 * Where `--model` / `--tokenizer` point: `hf:ID` is always a hub id; otherwise an existing local folder, else a
 * hub id only if it looks like one (`name` or `owner/name`) and is not a path into an existing local folder
 * (`runs/typo` where `runs/` exists) nor starts with `.` — so a misspelt local folder is an error, never a
 * download.
 */
async function resolveSource(spec: string, flag: string): Promise<string> {
  if (spec.startsWith(HUB_PREFIX)) {
    const id = spec.slice(HUB_PREFIX.length);
    if (!isHubId(id)) {
      throw new RangeError(`${flag} ${spec}: "${id}" is not a hub id like gpt2 or owner/name`);
    }
    return id;
  }
  const exists = (path: string) => Deno.stat(path).then(() => true, () => false);
  if (await exists(spec)) return spec;
  const first = spec.split("/")[0]!;
  if (isHubId(spec) && !spec.startsWith(".") && !(spec.includes("/") && await exists(first))) return spec;
  throw new Error(
    `${flag} ${spec}: no such folder (for a Hugging Face hub id, write ${HUB_PREFIX}owner/name)`,
  );
}

/** Batch sizes larger than the data would repeat pairs within a batch: an error with the fix. */
function checkBatchSizes(config: ResolvedTrainConfig, pairs: number): void {
  if (config.sft.steps > 0 && config.sft.batchSize > pairs) {
    throw new RangeError(
      `config.sft.batchSize ${config.sft.batchSize} exceeds the ${pairs} training pairs; lower it or add data`,
    );
  }
  if (config.steps > 0 && config.batchSize > pairs) {
    throw new RangeError(
      `config.batchSize ${config.batchSize} exceeds the ${pairs} training pairs; lower --batch-size or add data`,
    );
  }
}

/** Builds the policy: from a checkpoint to resume, a Hugging Face / dpo-kernels folder, or a fresh shape. */
async function buildPolicy(
  config: ResolvedTrainConfig,
  tokenizer: Tokenizer,
): Promise<{ policy: Gpt; optimizer?: Map<string, tf.Tensor> }> {
  if (config.resume !== undefined) {
    const ckpt = await loadCheckpoint(config.resume);
    const policy = new Gpt(ckpt.config, { weights: ckpt.weights });
    tf.dispose([...ckpt.weights.values()]);
    return { policy, optimizer: ckpt.optimizer };
  }
  if (typeof config.model === "string") {
    // Our checkpoints carry a `dpo_kernels` block in config.json; anything else is read as a GPT-2 folder or hub id.
    const fromOurs = await Deno.readTextFile(join(config.model, "config.json")).then(
      (text) => "dpo_kernels" in JSON.parse(text),
      () => false,
    );
    const loaded = fromOurs ? await loadCheckpoint(config.model) : await loadGpt2(config.model);
    const policy = new Gpt(loaded.config, { weights: loaded.weights });
    tf.dispose([...loaded.weights.values()]);
    return { policy };
  }
  const shape: GptConfig = { ...DEFAULT_GPT_CONFIG, vocabSize: tokenizer.vocabSize, ...config.model };
  if (shape.vocabSize < tokenizer.vocabSize) {
    throw new RangeError(
      `config.model.vocabSize ${shape.vocabSize} is smaller than the tokenizer's ${tokenizer.vocabSize}`,
    );
  }
  return { policy: new Gpt(shape, { seed: config.seed }) };
}

/** The tokenizer a run uses unless told: the one a checkpoint recorded, a Hugging Face folder's own, or bytes. */
async function defaultTokenizer(config: ResolvedTrainConfig, resume?: ResumePoint): Promise<string> {
  if (resume !== undefined) return resume.tokenizer;
  const folder = typeof config.model === "string" ? config.model : undefined;
  if (folder === undefined) return "byte";
  const configPath = join(folder, CHECKPOINT_FILES.config);
  const json = await Deno.readTextFile(configPath).then(
    (text) => JSON.parse(text) as unknown,
    () => undefined,
  );
  const isOurs = typeof json === "object" && json !== null && Object.hasOwn(json, "dpo_kernels");
  // Our checkpoint: the tokenizer it recorded; a Hugging Face folder: its own tokenizer files.
  return isOurs ? checkpointTokenizerSpec(folder, parseCheckpointConfig(json, configPath)) : folder;
}

/**
 * Everything checked and loaded before the first step: the configuration, the checkpoint to resume from, the
 * output folder, the data and the batch sizes against it, then the backend, tokenizer and policy (and their
 * compatibility).
 * @example
 * ```ts
 * import { setup } from "./setup.ts";
 * import assert from "node:assert/strict";
 * const pairs = Array.from({ length: 4 }, (_, i) => ({ prompt: `${i}+1=`, chosen: `${i + 1}.`, rejected: "x." }));
 * const out = await Deno.makeTempDir();
 * const model = { dModel: 16, layers: 1, heads: 2, contextLength: 16 };
 * const s = await setup({ data: pairs, out, backend: "cpu", model, batchSize: 2, sft: { batchSize: 2 } });
 * assert.equal(s.train.length, 4);
 * s.policy.dispose();
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export async function setup(userConfig: TrainConfig): Promise<Setup> {
  const config = resolveTrainConfig(userConfig);
  const notes: string[] = [];
  const resume = config.resume === undefined ? undefined : await readResumePoint(config.resume, {
    sftSteps: config.sft.steps,
    steps: config.steps,
    weightsOnly: config.resumeWeightsOnly,
  });
  if (resume !== undefined && !resume.hasOptimizer) {
    notes.push(`--resume-weights-only: ${resume.dir} has no optimizer state; the optimizer starts fresh`);
  }
  notes.push(...await prepareRunFolder(config.out, { overwrite: config.overwrite, resume: config.resume }));
  // A kernel × divergence known (or predicted) to collapse is said before any step (docs/math.md).
  const risk = config.regularizer === "implicit"
    ? collapseRisk(config.loss, config.divergence, { alpha: config.alpha, f: config.f })
    : undefined;
  if (risk !== undefined) {
    notes.push(
      `collapse risk (${risk.level}): ${config.loss} × ${config.divergence}: ${risk.reason}` +
        (risk.evidence === undefined ? "" : ` Measured: ${risk.evidence}.`),
    );
  }
  const data = await loadExamples(config.data, config.skipBadLines);
  let trainText = data.examples;
  let evalText: PreferenceExample[] = [];
  let evalSkips: DatasetSkips = { count: 0, lines: [] };
  if (config.evalData !== undefined) {
    const held = await loadExamples(config.evalData, config.skipBadLines);
    evalText = held.examples;
    evalSkips = { count: held.skipped, lines: held.skippedLines };
  } else if (config.evalFraction > 0 && trainText.length >= 10) {
    const cut = Math.round(trainText.length * (1 - config.evalFraction));
    evalText = trainText.slice(cut);
    trainText = trainText.slice(0, cut);
  }
  checkBatchSizes(config, trainText.length);
  if (typeof config.model === "string") config.model = await resolveSource(config.model, "--model");
  if (config.tokenizer !== undefined && !Object.hasOwn(TOKENIZERS, config.tokenizer)) {
    config.tokenizer = await resolveSource(config.tokenizer, "--tokenizer");
  }
  await useBackend(config.backend, config.allowSoftwareGpu ? { allowSoftwareGpu: true } : {});
  const tokenizer = await loadTokenizer(config.tokenizer ?? await defaultTokenizer(config, resume));
  const { policy, optimizer } = await buildPolicy(config, tokenizer);
  try {
    if (policy.config.vocabSize < tokenizer.vocabSize) {
      throw new RangeError(
        `the model's vocabulary (${policy.config.vocabSize}) is smaller than the tokenizer's ` +
          `(${tokenizer.vocabSize}, ${tokenizer.name}); pass the model's own tokenizer with --tokenizer`,
      );
    }
    if (resume !== undefined) {
      await assertWeightsFinite(
        policy.variables(),
        `in the checkpoint ${resume.dir}`,
        resume.step,
        undefined,
      );
    }
  } catch (e) {
    policy.dispose();
    tf.dispose([...(optimizer?.values() ?? [])]);
    throw e;
  }
  const t = policy.config.contextLength;
  return {
    config,
    tokenizer,
    policy,
    train: trainText.map((e) => encodePair(e, tokenizer, t)),
    evalPairs: evalText.map((e) => encodePair(e, tokenizer, t)),
    trainText,
    evalText,
    skipped: { train: { count: data.skipped, lines: data.skippedLines }, eval: evalSkips },
    resume,
    resumeOptimizer: optimizer,
    notes,
  };
}
