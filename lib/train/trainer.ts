/**
 * The trainer: supervised fine-tuning on chosen responses, then preference optimization with any loss of the
 * core's table and any divergence regularizer, implicit or explicit. It reads top to bottom:
 *
 *   setup → SFT steps → freeze the reference → precompute reference log-probs → preference steps
 *
 * and yields a progress event per step, so notebooks and the CLI can show, log or stop it. Every step writes
 * one line of `OUT/metrics.jsonl`. A non-finite loss or gradient stops training before the update is applied,
 * with an error naming the step and the last good checkpoint, which stays intact.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { marginVariance } from "../losses/kernel_margin.ts";
import { useBackend } from "../model/backend.ts";
import { DEFAULT_GPT_CONFIG, type GptConfig } from "../model/config.ts";
import { Gpt } from "../model/gpt.ts";
import { loadCheckpoint, saveCheckpoint } from "../io/checkpoint.ts";
import { loadGpt2 } from "../io/gpt2.ts";
import { loadTokenizer } from "../tokenizer/mod.ts";
import type { Tokenizer } from "../tokenizer/types.ts";
import { batchIndices, disposeBatch, type EncodedPair, encodePair, sequenceBatch } from "./batch.ts";
import { type ResolvedTrainConfig, resolveTrainConfig, type TrainConfig } from "./config.ts";
import { type PreferenceExample, readPreferenceJsonl } from "./data.ts";
import { frozenEmbeddingMargins } from "./embedder.ts";
import { explicitRegularizer, type ExplicitRegularizerOptions } from "./explicit_regularizer.ts";
import { pairLogProbs } from "./logprobs.ts";
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
  | { type: "stopped"; step: number; path: string };

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

/** Training stopped on a non-finite loss or gradient. */
export class TrainingError extends Error {
  /**
   * Builds the error.
   *
   * @param message What went wrong.
   * @param step The step at which it happened.
   * @param lastCheckpoint The last good checkpoint (intact), if any.
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
  skipped: number;
  resumeState?: Record<string, unknown>;
  resumeOptimizer?: Map<string, tf.Tensor>;
}

const join = (...parts: string[]): string => parts.join("/").replace(/\/+/g, "/");

async function loadExamples(source: string | readonly PreferenceExample[], skipBadLines: boolean) {
  if (typeof source !== "string") return { examples: [...source], skipped: 0 };
  return await readPreferenceJsonl(source, { skipBadLines });
}

/** Builds the policy: from a checkpoint to resume, a Hugging Face / dpo-kernels folder, or a fresh shape. */
async function buildPolicy(config: ResolvedTrainConfig, tokenizer: Tokenizer) {
  if (config.resume !== undefined) {
    const ckpt = await loadCheckpoint(config.resume);
    const policy = new Gpt(ckpt.config, { weights: ckpt.weights });
    tf.dispose([...ckpt.weights.values()]);
    return { policy, state: ckpt.state as Record<string, unknown>, optimizer: ckpt.optimizer };
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
async function defaultTokenizer(config: ResolvedTrainConfig): Promise<string> {
  const folder = config.resume ?? (typeof config.model === "string" ? config.model : undefined);
  if (folder === undefined) return "byte";
  const recorded = await Deno.readTextFile(join(folder, "config.json")).then(
    (text) => (JSON.parse(text) as { dpo_kernels?: { tokenizer?: { name?: string } } }).dpo_kernels,
    () => undefined,
  );
  if (recorded !== undefined) return recorded.tokenizer?.name ?? "byte";
  return folder;
}

async function setup(userConfig: TrainConfig): Promise<Setup> {
  const config = resolveTrainConfig(userConfig);
  await useBackend(config.backend);
  const tokenizer = await loadTokenizer(config.tokenizer ?? await defaultTokenizer(config));
  const { policy, state, optimizer } = await buildPolicy(config, tokenizer);
  const data = await loadExamples(config.data, config.skipBadLines);
  let trainText = data.examples;
  let evalText: PreferenceExample[] = [];
  if (config.evalData !== undefined) {
    evalText = (await loadExamples(config.evalData, config.skipBadLines)).examples;
  } else if (config.evalFraction > 0 && trainText.length >= 10) {
    const cut = Math.round(trainText.length * (1 - config.evalFraction));
    evalText = trainText.slice(cut);
    trainText = trainText.slice(0, cut);
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
    skipped: data.skipped,
    resumeState: state,
    resumeOptimizer: optimizer,
  };
}

function writeLine(file: Deno.FsFile, record: Record<string, unknown>): void {
  file.writeSync(new TextEncoder().encode(JSON.stringify(record) + "\n"));
}

/**
 * Trains a policy: SFT, then preference optimization. Yields an event per step (and per evaluation and
 * checkpoint) and returns a summary.
 *
 * @param userConfig The run's configuration (see {@link TrainConfig}).
 * @param options An abort signal (checkpoint and stop).
 * @returns An async generator of events whose return value is the summary.
 * @throws {RangeError} On a bad configuration value (named).
 * @throws {TrainingError} On a non-finite loss or gradient (naming the step and the last good checkpoint).
 */
export async function* train(
  userConfig: TrainConfig,
  options: TrainOptions = {},
): AsyncGenerator<TrainEvent, TrainSummary> {
  const started = performance.now();
  const s = await setup(userConfig);
  const { config, policy, tokenizer } = s;
  const t = policy.config.contextLength;
  await Deno.mkdir(config.out, { recursive: true });
  const metricsFile = await Deno.open(join(config.out, "metrics.jsonl"), {
    create: true,
    write: true,
    append: config.resume !== undefined,
    truncate: config.resume === undefined,
  });
  const resumed = s.resumeState ?? {};
  let lastCheckpoint: string | undefined = config.resume;
  yield {
    type: "start",
    backend: tf.getBackend(),
    parameters: policy.parameterCount(),
    trainPairs: s.train.length,
    evalPairs: s.evalPairs.length,
    skipped: s.skipped,
  };

  try {
    // ---- 1. Supervised fine-tuning on chosen responses (prompt tokens masked) ----------------------------
    const referencePath = join(config.out, "reference");
    if (resumed.phase !== "preference") {
      const sftSteps = config.sft.steps;
      const sftStart = resumed.phase === "sft" ? (resumed.step as number) : 0;
      const optimizer = new AdamW(policy.variables(), { weightDecay: config.weightDecay });
      if (resumed.phase === "sft" && s.resumeOptimizer) optimizer.restore(s.resumeOptimizer);
      for (let step = sftStart; step < sftSteps; step++) {
        if (options.signal?.aborted) {
          const path = await saveCheckpoint(join(config.out, `checkpoint-sft-${step}`), {
            model: policy,
            tokenizer,
            optimizer: optimizer.state(),
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
        const { value, grads } = tf.variableGrads(() => {
          // Token-mean NLL of the response tokens: −Σ mask·log p / Σ mask.
          const logps = policy.sequenceLogProbs(batch.ids, batch.targets, batch.responseMask).logps; // [B]
          return tf.div(tf.neg(tf.sum(logps)), tf.maximum(tf.sum(batch.responseMask), 1)) as tf.Scalar;
        }, vars);
        const ordered = vars.map((v) => grads[v.name]!);
        const { grads: clipped, norm } = clipByGlobalNorm(ordered, config.gradClip);
        const [loss, gradNorm] = [(await value.data())[0]!, (await norm.data())[0]!];
        if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
          tf.dispose([value, norm, ...ordered, ...clipped]);
          disposeBatch(batch);
          throw new TrainingError(
            `non-finite SFT loss ${loss} (grad norm ${gradNorm}) at SFT step ${step}; no update was applied`,
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
      // The SFT model is the reference: saved once, never changed.
      lastCheckpoint = await saveCheckpoint(referencePath, {
        model: policy,
        tokenizer,
        state: { phase: "reference" },
      });
      yield { type: "checkpoint", step: sftSteps, path: lastCheckpoint };
    }

    // ---- 2. The frozen reference and what can be precomputed from it -------------------------------------
    const refCkpt = await loadCheckpoint(
      typeof resumed.reference === "string" ? resumed.reference : referencePath,
    );
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

    // The hybrid term: frozen embeddings (precomputed, cached) or the policy's own pooled hidden states.
    const frozenMargins = config.gamma > 0 && config.embedder !== "policy"
      ? await frozenEmbeddingMargins(config.embedder.model, [...s.trainText, ...s.evalText], config.out)
      : undefined;
    const mixture = config.loss === "mixture" || config.loss === "hmk"
      ? new MixtureParameters(config.loss, (resumed.mixture ?? {}) as Record<string, number[]>)
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
    const regularizerOptions: ExplicitRegularizerOptions = {
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
        const [tc] = tf.split(batch.responseTokens, 2) as [tf.Tensor1D, tf.Tensor1D];
        const result = tensorPreferenceLoss(
          {
            policyChosen: pc,
            policyRejected: pr,
            referenceChosen: rc,
            referenceRejected: rr,
            embeddingMargin,
            chosenTokens: tc,
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
    const start = resumed.phase === "preference" ? (resumed.step as number) : 0;
    if (resumed.phase === "preference" && s.resumeOptimizer) optimizer.restore(s.resumeOptimizer);
    tf.dispose(s.resumeOptimizer ? [...s.resumeOptimizer.values()] : []);
    const save = async (step: number, name: string) => {
      const state = { phase: "preference", step, reference: referencePath, mixture: mixtureState(mixture) };
      const path = await saveCheckpoint(join(config.out, name), {
        model: policy,
        tokenizer,
        optimizer: optimizer.state(),
        state,
      });
      lastCheckpoint = path;
      return path;
    };
    let lastEval: Record<string, number> = {};
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
      const release = () => {
        tf.dispose([value, norm, stats!, perPair!, ...ordered, ...clipped]);
        disposeBatch(f.batch);
      };
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
        release();
        throw new TrainingError(
          `non-finite loss ${loss} (grad norm ${gradNorm}) at step ${step}; no update was applied. ` +
            `Last good checkpoint: ${lastCheckpoint ?? "none"}`,
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
      const metrics: Record<string, number> = { step, loss };
      statNames.forEach((name, k) => {
        if (Number.isFinite(st[k] as number)) metrics[name] = st[k] as number;
      });
      Object.assign(metrics, mixture?.snapshot() ?? {}, {
        grad_norm: gradNorm,
        learning_rate: lr,
        tokens_per_second: f.batch.tokenCount / ((performance.now() - tick) / 1000),
      });
      writeLine(metricsFile, { phase: "preference", ...metrics });
      yield { type: "step", phase: "preference", step, steps: config.steps, metrics };
      if (config.evalEvery > 0 && (step + 1) % config.evalEvery === 0) {
        lastEval = await evaluate();
        writeLine(metricsFile, { phase: "eval", step, ...lastEval });
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
    const finalPath = await save(step, "final");
    yield { type: "checkpoint", step, path: finalPath };
    return finish(false, finalPath);
  } finally {
    metricsFile.close();
    policy.dispose();
  }
}

function mixtureState(mixture: MixtureParameters | undefined): Record<string, number[]> | null {
  if (mixture === undefined) return null;
  const out: Record<string, number[]> = {};
  for (const [name, v] of mixture.variables) out[name] = Array.from(v.dataSync());
  return out;
}
