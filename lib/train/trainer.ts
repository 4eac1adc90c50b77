/**
 * The trainer: supervised fine-tuning on chosen responses, then preference optimization with any loss of the
 * core's table and any divergence regularizer, implicit or explicit. It reads top to bottom:
 *
 *   setup → SFT steps → freeze the reference → precompute reference log-probs → preference steps
 *
 * and yields a progress event per step, so notebooks and the CLI can show, log or stop it. Every step writes
 * one line of `OUT/metrics.jsonl`. The whole configuration, the data, the output folder and any checkpoint to
 * resume from are checked before the first step. A non-finite loss or gradient stops training before the
 * update is applied; the weights are checked finite every `finiteCheckEvery` steps and before every checkpoint,
 * so a checkpoint is written only once its weights were verified, and an error names the step and the last
 * verified checkpoint. An abort (the CLI's Ctrl-C) is seen between steps: the trainer yields to the event loop
 * before each step, writes a checkpoint and stops.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { marginVariance } from "../losses/kernel_margin.ts";
import { useBackend } from "../model/backend.ts";
import { DEFAULT_GPT_CONFIG, type GptConfig } from "../model/config.ts";
import { Gpt } from "../model/gpt.ts";
import {
  CHECKPOINT_FILES,
  checkpointTokenizerSpec,
  loadCheckpoint,
  parseCheckpointConfig,
  saveCheckpoint,
  type SaveCheckpointOptions,
} from "../io/checkpoint.ts";
import { loadGpt2 } from "../io/gpt2.ts";
import { loadTokenizer, TOKENIZERS } from "../tokenizer/mod.ts";
import { isHubId } from "../io/hub.ts";
import type { Tokenizer } from "../tokenizer/types.ts";
import { batchIndices, disposeBatch, type EncodedPair, encodePair, sequenceBatch } from "./batch.ts";
import { type ResolvedTrainConfig, resolveTrainConfig, type TrainConfig } from "./config.ts";
import { prepareRunFolder, readResumePoint, type ResumePoint, truncateMetrics } from "./run_folder.ts";
import { dirname, resolve } from "node:path";
import { type PreferenceExample, readPreferenceJsonl } from "./data.ts";
import { frozenEmbeddingMargins } from "./embedder.ts";
import { explicitRegularizer, type ExplicitRegularizerOptions } from "./explicit_regularizer.ts";
import { pairLogProbs } from "./logprobs.ts";
import { CollapseMonitor, DRIFT_METRICS, driftStats } from "./diagnostics.ts";
import * as regime from "../analysis/kernel_regime.ts";
import { cachedPairLogProbs } from "./reference_cache.ts";
import { cosine, pool } from "./pooling.ts";
import { AdamW, clipByGlobalNorm, learningRateAt } from "./optimizer.ts";
import {
  MixtureParameters,
  tensorPreferenceLoss,
  type TensorPreferenceLossOptions,
} from "./tensor_losses.ts";

/** What {@link train} yields. */
export type TrainEvent =
  | {
    type: "start";
    backend: string;
    parameters: number;
    trainPairs: number;
    evalPairs: number;
    skipped: number;
    /** The first skipped line numbers of the training file (with `skipBadLines`). */
    skippedLines: number[];
    /** Malformed lines skipped in the held-out file (with `skipBadLines`). */
    evalSkipped: number;
    /** The first skipped line numbers of the held-out file. */
    evalSkippedLines: number[];
  }
  | {
    type: "step";
    phase: "sft" | "preference";
    step: number;
    steps: number;
    metrics: Record<string, number>;
  }
  | { type: "eval"; step: number; metrics: Record<string, number> }
  | { type: "checkpoint"; step: number; path: string }
  | { type: "stopped"; step: number; path: string }
  | { type: "note"; message: string };

/** What {@link train} returns when it ends. */
export interface TrainSummary {
  /** The output directory. */
  out: string;
  /** The final checkpoint. */
  checkpoint: string;
  /** Preference steps completed. */
  steps: number;
  /** The last evaluation's metrics (empty without held-out pairs). */
  eval: Record<string, number>;
  /** Whether training stopped early on request. */
  stopped: boolean;
  /** Wall time in seconds. */
  seconds: number;
}

/** Training stopped on a non-finite loss, gradient, weight or evaluation. */
export class TrainingError extends Error {
  /**
   * Builds the error.
   *
   * @param message What went wrong.
   * @param step The step at which it happened.
   * @param lastCheckpoint The last checkpoint whose weights were verified finite (intact), if any.
   */
  constructor(message: string, readonly step: number, readonly lastCheckpoint: string | undefined) {
    super(message);
    this.name = "TrainingError";
  }
}

/** Options of {@link train} that are not part of the run's configuration. */
export interface TrainOptions {
  /** Aborting it makes the trainer write a checkpoint and stop after the current step (the CLI wires SIGINT). */
  signal?: AbortSignal;
}

interface Setup {
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

interface DatasetSkips {
  count: number;
  lines: number[];
}

const join = (...parts: string[]): string => parts.join("/").replace(/\/+/g, "/");

async function loadExamples(source: string | readonly PreferenceExample[], skipBadLines: boolean) {
  if (typeof source !== "string") return { examples: [...source], skipped: 0, skippedLines: [] };
  return await readPreferenceJsonl(source, { skipBadLines });
}

/** Yields to the event loop (a macrotask), so that signal handlers and timers run between steps. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * The first variable holding a NaN or ±Infinity, or `undefined` when all are finite: one pass over the weights
 * (Σ 0·w is 0 exactly when every w is finite, NaN otherwise) and one read-back.
 */
async function firstNonFinite(vars: readonly tf.Variable[]): Promise<string | undefined> {
  if (vars.length === 0) return undefined;
  const probe = tf.tidy(() => tf.stack(vars.map((v) => tf.sum(tf.mul(v, 0)))));
  const values = await probe.data();
  probe.dispose();
  const bad = values.findIndex((x) => !Number.isFinite(x));
  return bad < 0 ? undefined : vars[bad]!.name;
}

/** Throws a {@link TrainingError} naming the step and the last verified checkpoint unless every weight is finite. */
async function assertWeightsFinite(
  vars: readonly tf.Variable[],
  where: string,
  step: number,
  lastCheckpoint: string | undefined,
): Promise<void> {
  const bad = await firstNonFinite(vars);
  if (bad === undefined) return;
  throw new TrainingError(
    `non-finite weights (${bad}) ${where}; nothing was saved from this state. ` +
      `Last verified good checkpoint: ${lastCheckpoint ?? "none"} (a lower --lr may help)`,
    step,
    lastCheckpoint,
  );
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

/** Saves a checkpoint with the optimizer's state, disposing the state's copies once written. */
async function saveTrainingCheckpoint(
  dir: string,
  options: Omit<SaveCheckpointOptions, "optimizer"> & { optimizer: AdamW },
): Promise<string> {
  const optimizerState = options.optimizer.state();
  try {
    return await saveCheckpoint(dir, { ...options, optimizer: optimizerState });
  } finally {
    tf.dispose([...optimizerState.values()]);
  }
}

/** The SFT loss of a batch: the token-mean NLL of the response tokens, −Σ mask·log p / Σ mask. */
function sftLoss(policy: Gpt, batch: ReturnType<typeof sequenceBatch>): tf.Scalar {
  const logps = policy.sequenceLogProbs(batch.ids, batch.targets, batch.responseMask).logps; // [B]
  return tf.div(tf.neg(tf.sum(logps)), tf.maximum(tf.sum(batch.responseMask), 1)) as tf.Scalar;
}

/**
 * Verifies the SFT weights before they are saved as `name`: every weight finite, and the SFT loss of the next
 * batch finite (finite but runaway weights give NaN there). Throws a {@link TrainingError} otherwise.
 */
async function assertSftWeightsGood(
  policy: Gpt,
  pairs: readonly EncodedPair[],
  config: ResolvedTrainConfig,
  step: number,
  name: string,
  lastCheckpoint: string | undefined,
): Promise<void> {
  await assertWeightsFinite(
    policy.variables(),
    `before writing ${name} (SFT step ${step})`,
    step,
    lastCheckpoint,
  );
  const idx = batchIndices(pairs.length, config.sft.batchSize, step, config.seed);
  const batch = sequenceBatch(idx.map((i) => pairs[i]!.chosen), policy.config.contextLength);
  const loss = tf.tidy(() => sftLoss(policy, batch));
  const value = (await loss.data())[0]!;
  loss.dispose();
  disposeBatch(batch);
  if (!Number.isFinite(value)) {
    throw new TrainingError(
      `the weights after SFT step ${
        step - 1
      } give a non-finite SFT loss (${value}); ${name} was not written. ` +
        `Last verified good checkpoint: ${lastCheckpoint ?? "none"} (a lower sft.learningRate may help)`,
      step,
      lastCheckpoint,
    );
  }
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

/** Copies a checkpoint folder's files (flat) into `to`, unless `to` exists. */
async function copyCheckpoint(from: string, to: string): Promise<void> {
  if (await Deno.stat(to).then(() => true, () => false)) return;
  const tmp = `${to}.tmp-${crypto.randomUUID()}`;
  await Deno.mkdir(tmp, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isFile) await Deno.copyFile(join(from, e.name), join(tmp, e.name));
  }
  await Deno.rename(tmp, to);
}

/** Builds the policy: from a checkpoint to resume, a Hugging Face / dpo-kernels folder, or a fresh shape. */
async function buildPolicy(config: ResolvedTrainConfig, tokenizer: Tokenizer) {
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
 */
async function setup(userConfig: TrainConfig): Promise<Setup> {
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

/**
 * Writes one metrics line. JSON has no NaN or Infinity: such a value is written as `null` and named, with its
 * value, in a `reason` field, so that a `null` never goes unexplained.
 */
function writeLine(file: Deno.FsFile, record: Record<string, unknown>): void {
  const reason: Record<string, string> = {};
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === "number" && !Number.isFinite(value)) {
      clean[key] = null;
      reason[key] = `non-finite (${value})`;
    } else {
      clean[key] = value;
    }
  }
  if (Object.keys(reason).length > 0) clean.reason = reason;
  file.writeSync(new TextEncoder().encode(JSON.stringify(clean) + "\n"));
}

/**
 * Trains a policy: SFT, then preference optimization. Yields an event per step (and per evaluation,
 * checkpoint and log note) and returns a summary. Everything that can be checked before the first step is:
 * the configuration, the checkpoint to resume from, the output folder, the data, the model and tokenizer.
 *
 * @param userConfig The run's configuration (see {@link TrainConfig}).
 * @param options An abort signal (checkpoint after the current step and stop).
 * @returns An async generator of events whose return value is the summary.
 * @throws {RangeError} On a bad configuration value (named), an `out` folder holding another run (without
 * `overwrite`), a batch larger than the data, or a model whose vocabulary is smaller than the tokenizer's.
 * @throws {Error} On unreadable or malformed data, a bad checkpoint to resume from (naming the file), or an
 * `out` folder that cannot be written.
 * @throws {TrainingError} On a non-finite loss, gradient, weight or evaluation (naming the step and the last
 * verified good checkpoint).
 */
export async function* train(
  userConfig: TrainConfig,
  options: TrainOptions = {},
): AsyncGenerator<TrainEvent, TrainSummary> {
  const started = performance.now();
  const s = await setup(userConfig);
  const { config, policy, tokenizer } = s;
  const t = policy.config.contextLength;
  const metricsPath = join(config.out, "metrics.jsonl");
  const resumed = s.resume;
  // Resuming inside the same folder continues its metrics: lines the resumed run writes again are dropped.
  const continuing = resumed !== undefined && resolve(dirname(resumed.dir)) === resolve(config.out);
  if (continuing) {
    const dropped = await truncateMetrics(metricsPath, resumed.phase, resumed.step);
    if (dropped > 0) {
      s.notes.push(
        `resuming at ${resumed.phase} step ${resumed.step}: dropped ${dropped} later lines of ${metricsPath}`,
      );
    }
  }
  const metricsFile = await Deno.open(metricsPath, {
    create: true,
    write: true,
    append: continuing,
    truncate: !continuing,
  });
  // The resumed checkpoint's weights were verified finite in setup.
  let lastCheckpoint: string | undefined = config.resume;
  yield {
    type: "start",
    backend: tf.getBackend(),
    parameters: policy.parameterCount(),
    trainPairs: s.train.length,
    evalPairs: s.evalPairs.length,
    skipped: s.skipped.train.count,
    skippedLines: s.skipped.train.lines,
    evalSkipped: s.skipped.eval.count,
    evalSkippedLines: s.skipped.eval.lines,
  };
  for (const message of s.notes) yield { type: "note", message };

  try {
    // ---- 1. Supervised fine-tuning on chosen responses (prompt tokens masked) ----------------------------
    const referencePath = join(config.out, "reference");
    if (resumed?.phase !== "preference") {
      const sftSteps = config.sft.steps;
      const sftStart = resumed?.phase === "sft" ? resumed.step : 0;
      const optimizer = new AdamW(policy.variables(), { weightDecay: config.weightDecay });
      if (resumed?.phase === "sft" && s.resumeOptimizer) optimizer.restore(s.resumeOptimizer);
      for (let step = sftStart; step < sftSteps; step++) {
        await nextTurn();
        if (options.signal?.aborted) {
          await assertSftWeightsGood(policy, s.train, config, step, `checkpoint-sft-${step}`, lastCheckpoint);
          const path = await saveTrainingCheckpoint(join(config.out, `checkpoint-sft-${step}`), {
            model: policy,
            tokenizer,
            optimizer,
            state: { phase: "sft", step },
          });
          optimizer.dispose();
          yield { type: "stopped", step, path };
          return {
            out: config.out,
            checkpoint: path,
            steps: 0,
            eval: {},
            stopped: true,
            seconds: (performance.now() - started) / 1000,
          };
        }
        const tick = performance.now();
        const idx = batchIndices(s.train.length, config.sft.batchSize, step, config.seed);
        const batch = sequenceBatch(idx.map((i) => s.train[i]!.chosen), t);
        const vars = policy.variables();
        const { value, grads } = tf.variableGrads(() => sftLoss(policy, batch), vars);
        const ordered = vars.map((v) => grads[v.name]!);
        const { grads: clipped, norm } = clipByGlobalNorm(ordered, config.gradClip);
        const [loss, gradNorm] = [(await value.data())[0]!, (await norm.data())[0]!];
        if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
          tf.dispose([value, norm, ...ordered, ...clipped]);
          disposeBatch(batch);
          throw new TrainingError(
            `non-finite SFT loss ${loss} (grad norm ${gradNorm}) at SFT step ${step}; no update was applied. ` +
              `Last verified good checkpoint: ${lastCheckpoint ?? "none"}`,
            step,
            lastCheckpoint,
          );
        }
        const lr = learningRateAt(step, {
          learningRate: config.sft.learningRate,
          warmupSteps: Math.min(config.warmupSteps, sftSteps),
          totalSteps: sftSteps,
          minRatio: config.minLearningRateRatio,
        });
        optimizer.apply(clipped, lr);
        tf.dispose([value, norm, ...ordered, ...clipped]);
        disposeBatch(batch);
        const metrics = {
          step,
          loss,
          grad_norm: gradNorm,
          learning_rate: lr,
          tokens_per_second: batch.tokenCount / ((performance.now() - tick) / 1000),
        };
        writeLine(metricsFile, { phase: "sft", ...metrics });
        yield { type: "step", phase: "sft", step, steps: sftSteps, metrics };
      }
      optimizer.dispose();
      // The SFT model is the reference: saved once, never changed, and only once verified.
      await assertSftWeightsGood(policy, s.train, config, sftSteps, "the reference", lastCheckpoint);
      lastCheckpoint = await saveCheckpoint(referencePath, {
        model: policy,
        tokenizer,
        state: { phase: "reference" },
      });
      yield { type: "checkpoint", step: sftSteps, path: lastCheckpoint };
    }

    // ---- 2. The frozen reference and what can be precomputed from it -------------------------------------
    // A run resumed into another folder takes a copy of its reference, so that its checkpoints resume too.
    if (resumed?.reference !== undefined) await copyCheckpoint(resumed.reference, referencePath);
    const refCkpt = await loadCheckpoint(referencePath);
    const reference = new Gpt(refCkpt.config, { weights: refCkpt.weights, trainable: false });
    tf.dispose([...refCkpt.weights.values()]);
    const explicit = config.regularizer === "explicit";
    // Cached by (reference weights, data, tokenizer, context) where $DPO_KERNELS_CACHE names a folder.
    const refLogProbs = (pairs: EncodedPair[]) =>
      cachedPairLogProbs(reference, pairs, config.batchSize, s.tokenizer.name);
    const refTrain = explicit ? undefined : await refLogProbs(s.train);
    const refEval = await refLogProbs(s.evalPairs);

    // Kernel options; the Mahalanobis margin's variance is the spread of the reference's margins, β(ℓ_w − ℓ_l).
    const kernels = { ...config.kernels };
    if (config.loss === "mahalanobis" || config.loss === "mixture" || config.loss === "hmk") {
      const ref = refTrain ?? (await pairLogProbs(reference, s.train, config.batchSize));
      const margins = Array.from(ref.chosen, (c, i) => config.beta * (c - (ref.rejected[i] as number)));
      kernels.mahalanobis = { variance: config.kernels.mahalanobis?.variance ?? marginVariance(margins) };
    }
    if (config.kernelScale === "data") {
      const ref = refTrain ?? (await pairLogProbs(reference, s.train, config.batchSize));
      const scales = regime.dataKernelScales(regime.referenceMargins(ref, config.beta), config.kernels);
      Object.assign(kernels, scales);
      yield { type: "note", message: regime.describeKernelScales(scales) };
    }

    // The hybrid term: frozen embeddings (precomputed, cached) or the policy's own pooled hidden states.
    const frozenMargins = config.gamma > 0 && config.embedder !== "policy"
      ? await frozenEmbeddingMargins(config.embedder.model, [...s.trainText, ...s.evalText], config.out)
      : undefined;
    const mixture = config.loss === "mixture" || config.loss === "hmk"
      ? new MixtureParameters(config.loss, resumed?.mixture ?? {})
      : undefined;
    const lossOptions: TensorPreferenceLossOptions = {
      loss: config.loss,
      beta: config.beta,
      gamma: config.gamma,
      divergence: explicit ? "kl" : config.divergence,
      alpha: config.alpha,
      f: config.f,
      labelSmoothing: config.labelSmoothing,
      sftWeight: config.sftWeight,
      entropyWeight: config.entropyWeight,
      mixture,
      ...kernels,
    };
    const sinkhornReport: { marginalError?: number } = {};
    const regularizerOptions: ExplicitRegularizerOptions = {
      report: sinkhornReport,
      alpha: config.alpha,
      f: config.f,
      ...config.wasserstein,
      tokenEmbeddings: config.divergence === "wasserstein"
        ? reference.param("wte.weight") as tf.Tensor2D
        : undefined,
    };

    // One forward/backward on a batch of pairs: the loss and the tensors the metrics need.
    const forward = (
      pairs: readonly EncodedPair[],
      indices: readonly number[],
      refs?: { chosen: Float32Array; rejected: Float32Array },
      marginOffset = 0,
    ) => {
      const b = indices.length;
      const batch = sequenceBatch([
        ...indices.map((i) => pairs[i]!.chosen),
        ...indices.map((i) => pairs[i]!.rejected),
      ], t);
      const run = () => {
        const out = policy.sequenceLogProbs(batch.ids, batch.targets, batch.responseMask); // logps [2B]
        const [pc, pr] = tf.split(out.logps, 2) as [tf.Tensor1D, tf.Tensor1D];
        let rc: tf.Tensor1D;
        let rr: tf.Tensor1D;
        let refLogits: tf.Tensor3D | undefined;
        if (refs !== undefined) {
          rc = tf.tensor1d(indices.map((i) => refs.chosen[i]!));
          rr = tf.tensor1d(indices.map((i) => refs.rejected[i]!));
        } else {
          const r = reference.sequenceLogProbs(batch.ids, batch.targets, batch.responseMask);
          [rc, rr] = tf.split(r.logps, 2) as [tf.Tensor1D, tf.Tensor1D];
          refLogits = r.logits;
        }
        let embeddingMargin: tf.Tensor1D | undefined;
        if (config.gamma > 0) {
          if (frozenMargins !== undefined) {
            embeddingMargin = tf.tensor1d(indices.map((i) => frozenMargins[marginOffset + i]!));
          } else {
            // e = log κ(e_x, e_w) − log κ(e_x, e_l) with the unit RBF: cos(e_x, e_w) − cos(e_x, e_l).
            const [hc, hr] = tf.split(out.hidden, 2) as [tf.Tensor3D, tf.Tensor3D];
            const [mc, mr] = tf.split(batch.responseMask, 2) as [tf.Tensor2D, tf.Tensor2D];
            const [pmc] = tf.split(batch.promptMask, 2) as [tf.Tensor2D, tf.Tensor2D];
            const ex = pool(hc, pmc);
            embeddingMargin = tf.sub(cosine(ex, pool(hc, mc)), cosine(ex, pool(hr, mr))) as tf.Tensor1D;
          }
        }
        const [tc, tr] = tf.split(batch.responseTokens, 2) as [tf.Tensor1D, tf.Tensor1D];
        const result = tensorPreferenceLoss(
          {
            policyChosen: pc,
            policyRejected: pr,
            referenceChosen: rc,
            referenceRejected: rr,
            embeddingMargin,
            chosenTokens: tc,
            rejectedTokens: tr,
          },
          lossOptions,
        );
        let loss = result.loss;
        let divergence: tf.Scalar | undefined;
        if (refLogits !== undefined) {
          divergence = explicitRegularizer(
            out.logits,
            refLogits,
            batch.responseMask,
            config.divergence,
            regularizerOptions,
          );
          loss = tf.add(loss, tf.mul(config.regularizerWeight, divergence)) as tf.Scalar;
        }
        const stats = tf.stack([
          tf.mean(result.rewardsChosen),
          tf.mean(result.rewardsRejected),
          tf.mean(tf.cast(tf.greater(result.rewardsChosen, result.rewardsRejected), "float32")),
          tf.mean(result.margins),
          tf.mean(pc),
          tf.mean(pr),
          divergence ?? tf.scalar(NaN),
          tf.scalar(sinkhornReport.marginalError ?? NaN),
          ...driftStats(pc, pr, rc, rr, tc, tr),
        ]);
        return {
          loss,
          stats: tf.keep(stats),
          perPair: tf.keep(tf.sub(result.rewardsChosen, result.rewardsRejected)),
        };
      };
      return { batch, run, size: b };
    };
    const statNames = [
      "rewards/chosen",
      "rewards/rejected",
      "rewards/accuracies",
      "rewards/margins",
      "logps/chosen",
      "logps/rejected",
      "divergence",
      "sinkhorn/marginal_error",
      ...DRIFT_METRICS,
    ];

    const evaluate = async (): Promise<Record<string, number>> => {
      if (s.evalPairs.length === 0) return {};
      let lossSum = 0;
      let correct = 0;
      const sums = new Array(statNames.length).fill(0);
      const byCategory = new Map<string, [number, number]>();
      for (let start = 0; start < s.evalPairs.length; start += config.batchSize) {
        const indices = Array.from(
          { length: Math.min(config.batchSize, s.evalPairs.length - start) },
          (_, i) => start + i,
        );
        const f = forward(s.evalPairs, indices, explicit ? undefined : refEval, s.trainText.length);
        const { loss, stats, perPair } = tf.tidy(() => {
          const r = f.run();
          return { loss: tf.keep(r.loss), stats: r.stats, perPair: r.perPair };
        });
        const [l, st, pp] = [(await loss.data())[0]!, await stats.data(), await perPair.data()];
        tf.dispose([loss, stats, perPair]);
        disposeBatch(f.batch);
        lossSum += l * indices.length;
        st.forEach((v, k) => (sums[k] += v * indices.length));
        indices.forEach((i, k) => {
          const win = (pp[k] as number) > 0 ? 1 : 0;
          correct += win;
          const cat = s.evalPairs[i]!.category ?? "all";
          const c = byCategory.get(cat) ?? [0, 0];
          byCategory.set(cat, [c[0] + win, c[1] + 1]);
        });
      }
      const n = s.evalPairs.length;
      const metrics: Record<string, number> = { "eval/loss": lossSum / n, "eval/accuracy": correct / n };
      statNames.forEach((name, k) => {
        if (Number.isFinite(sums[k])) metrics[`eval/${name}`] = sums[k] / n;
      });
      for (const [cat, [w, c]] of byCategory) {
        if (byCategory.size > 1) metrics[`eval/accuracy/${cat}`] = w / c;
      }
      return metrics;
    };

    // ---- 3. Preference optimization ---------------------------------------------------------------------
    const vars = [...policy.variables(), ...(mixture ? [...mixture.variables.values()] : [])];
    // The mixture logits are a handful of scalars that must move by O(1) within a run: they get their own rate.
    const learningRateScale = vars.map((_, i) =>
      i < policy.variables().length ? 1 : config.mixtureLearningRate / config.learningRate
    );
    const optimizer = new AdamW(vars, { weightDecay: config.weightDecay, learningRateScale });
    const start = resumed?.phase === "preference" ? resumed.step : 0;
    if (resumed?.phase === "preference" && s.resumeOptimizer) optimizer.restore(s.resumeOptimizer);
    tf.dispose(s.resumeOptimizer ? [...s.resumeOptimizer.values()] : []);
    // The loss the next step would compute, with no update: a checkpoint whose weights give a non-finite loss
    // (finite but huge weights after a runaway update) is never written, let alone called good.
    const nextLoss = async (step: number): Promise<number> => {
      const f = forward(s.train, batchIndices(s.train.length, config.batchSize, step, config.seed), refTrain);
      const r = tf.tidy(() => {
        const out = f.run();
        return { loss: tf.keep(out.loss), stats: out.stats, perPair: out.perPair };
      });
      const value = (await r.loss.data())[0]!;
      tf.dispose([r.loss, r.stats, r.perPair]);
      disposeBatch(f.batch);
      return value;
    };
    const save = async (step: number, name: string) => {
      await assertWeightsFinite(vars, `before writing ${name} (step ${step})`, step, lastCheckpoint);
      const probe = await nextLoss(step);
      if (!Number.isFinite(probe)) {
        throw new TrainingError(
          `the weights after step ${step - 1} give a non-finite loss (${probe}); ${name} was not written. ` +
            `Last verified good checkpoint: ${lastCheckpoint ?? "none"} (a lower --lr may help)`,
          step,
          lastCheckpoint,
        );
      }
      // The reference by folder name, beside the checkpoint: resumable from any working directory.
      const state = { phase: "preference", step, reference: "reference", mixture: mixtureState(mixture) };
      const path = await saveTrainingCheckpoint(join(config.out, name), {
        model: policy,
        tokenizer,
        optimizer,
        state,
      });
      lastCheckpoint = path;
      return path;
    };
    let lastEval: Record<string, number> = {};
    const collapse = config.collapseWarning === false
      ? undefined
      : new CollapseMonitor(config.collapseWarning);
    let step = start;
    const finish = (stopped: boolean, checkpoint: string): TrainSummary => {
      optimizer.dispose();
      mixture?.dispose();
      reference.dispose();
      const summary = {
        out: config.out,
        checkpoint,
        steps: step,
        eval: lastEval,
        stopped,
        seconds: (performance.now() - started) / 1000,
      };
      Deno.writeTextFileSync(join(config.out, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
      return summary;
    };
    for (; step < config.steps; step++) {
      await nextTurn();
      if (options.signal?.aborted) {
        const path = await save(step, `checkpoint-${step}`);
        yield { type: "stopped", step, path };
        return finish(true, path);
      }
      const tick = performance.now();
      const f = forward(s.train, batchIndices(s.train.length, config.batchSize, step, config.seed), refTrain);
      let stats: tf.Tensor | undefined;
      let perPair: tf.Tensor | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const r = f.run();
        stats = r.stats;
        perPair = r.perPair;
        return r.loss;
      }, vars);
      const ordered = vars.map((v) => grads[v.name]!);
      const { grads: clipped, norm } = clipByGlobalNorm(ordered, config.gradClip);
      const loss = (await value.data())[0]!;
      const gradNorm = (await norm.data())[0]!;
      const st = await stats!.data();
      const shares = regime.kernelRegimeMetrics(config.loss, kernels, await perPair!.data());
      const release = () => {
        tf.dispose([value, norm, stats!, perPair!, ...ordered, ...clipped]);
        disposeBatch(f.batch);
      };
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
        release();
        throw new TrainingError(
          `non-finite loss ${loss} (grad norm ${gradNorm}) at step ${step}; no update was applied. ` +
            `Last verified good checkpoint: ${lastCheckpoint ?? "none"}`,
          step,
          lastCheckpoint,
        );
      }
      const lr = learningRateAt(step, {
        learningRate: config.learningRate,
        warmupSteps: config.warmupSteps,
        totalSteps: config.steps,
        minRatio: config.minLearningRateRatio,
      });
      optimizer.apply(clipped, lr);
      release();
      if ((step + 1) % config.finiteCheckEvery === 0) {
        await assertWeightsFinite(vars, `after the update of step ${step}`, step, lastCheckpoint);
      }
      const metrics: Record<string, number> = { step, loss };
      statNames.forEach((name, k) => {
        if (Number.isFinite(st[k] as number)) metrics[name] = st[k] as number;
      });
      Object.assign(metrics, mixture?.snapshot() ?? {}, {
        grad_norm: gradNorm,
        learning_rate: lr,
        tokens_per_second: f.batch.tokenCount / ((performance.now() - tick) / 1000),
      });
      Object.assign(metrics, shares);
      writeLine(metricsFile, { phase: "preference", ...metrics });
      yield { type: "step", phase: "preference", step, steps: config.steps, metrics };
      const warning = collapse?.observe(metrics);
      if (warning !== undefined) yield { type: "note", message: warning };
      if (config.evalEvery > 0 && (step + 1) % config.evalEvery === 0) {
        lastEval = await evaluate();
        writeLine(metricsFile, { phase: "eval", step, ...lastEval });
        assertEvalFinite(lastEval, step, lastCheckpoint);
        yield { type: "eval", step, metrics: lastEval };
      }
      if (
        config.checkpointEvery > 0 && (step + 1) % config.checkpointEvery === 0 && step + 1 < config.steps
      ) {
        yield { type: "checkpoint", step: step + 1, path: await save(step + 1, `checkpoint-${step + 1}`) };
      }
    }
    lastEval = await evaluate();
    if (Object.keys(lastEval).length > 0) writeLine(metricsFile, { phase: "eval", step, ...lastEval });
    assertEvalFinite(lastEval, step, lastCheckpoint);
    const finalPath = await save(step, "final");
    yield { type: "checkpoint", step, path: finalPath };
    return finish(false, finalPath);
  } finally {
    metricsFile.close();
    policy.dispose();
  }
}

/** A non-finite held-out loss means the weights give non-finite outputs: stop before saving them. */
function assertEvalFinite(
  metrics: Record<string, number>,
  step: number,
  lastCheckpoint: string | undefined,
): void {
  const loss = metrics["eval/loss"];
  if (loss === undefined || Number.isFinite(loss)) return;
  throw new TrainingError(
    `non-finite eval loss ${loss} after step ${step}: the weights give non-finite outputs; nothing was saved ` +
      `from this state. Last verified good checkpoint: ${lastCheckpoint ?? "none"} (a lower --lr may help)`,
    step,
    lastCheckpoint,
  );
}

function mixtureState(mixture: MixtureParameters | undefined): Record<string, number[]> | null {
  if (mixture === undefined) return null;
  const out: Record<string, number[]> = {};
  for (const [name, v] of mixture.variables) out[name] = Array.from(v.dataSync());
  return out;
}
