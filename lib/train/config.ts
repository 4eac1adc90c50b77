/**
 * The trainer's configuration: one typed object with documented defaults, validated field by field (a bad
 * value is an error that names the field).
 *
 * @module
 */
import { LOSSES, type LossName, type LossSpec } from "../losses/preference_loss.ts";
import { KERNEL_MARGINS, type MarginShapeOptions } from "../losses/kernel_margin.ts";
import { type BackendName, BACKENDS } from "../model/backend.ts";
import type { GptConfig } from "../model/config.ts";
import { validateGptConfig } from "../model/config.ts";
import { describe } from "../math/validation.ts";
import { assertKnownKeys, lookup } from "../math/lookup.ts";
import { EXPLICIT_F_GENERATORS } from "./explicit_regularizer.ts";
import { DEFAULT_RENYI_ALPHA } from "../divergences/renyi.ts";
import { DEFAULT_IMPLICIT_F_GENERATOR, implicitScore } from "../losses/implicit_scores.ts";
import type { PreferenceExample } from "./data.ts";
import { type CollapseWarningOptions, validateCollapseWarning } from "./diagnostics.ts";

/** The divergences a run can regularize with. */
export const TRAIN_DIVERGENCES = [
  "kl",
  "js",
  "hellinger",
  "renyi",
  "bhattacharyya",
  "wasserstein",
  "f",
] as const;

/** The name of a divergence a run can regularize with. */
export type TrainDivergence = typeof TRAIN_DIVERGENCES[number];

/** Everything a training run needs. Only `data` and `out` are required. */
export interface TrainConfig {
  /** Training pairs: a JSONL path or the pairs themselves. */
  data: string | readonly PreferenceExample[];
  /** Held-out pairs for evaluation (default: the last `evalFraction` of `data`). */
  evalData?: string | readonly PreferenceExample[];
  /** Fraction of `data` held out when `evalData` is absent (default 0.1; 0 disables evaluation). */
  evalFraction?: number;
  /** Skip malformed data lines instead of failing (default false); the count is reported. */
  skipBadLines?: boolean;
  /** Output directory: metrics.jsonl, checkpoints, summary. */
  out: string;
  /**
   * The policy: a GPT shape to initialize (default d64/2 layers/2 heads/context 64, byte vocabulary), or a
   * path/hub id of a GPT-2-family Hugging Face checkpoint, or a dpo-kernels checkpoint folder.
   */
  model?: Partial<GptConfig> | string;
  /** `byte` (default), or a tokenizer folder / hub id (default: the model's own for HF checkpoints). */
  tokenizer?: string;
  /** TensorFlow.js backend (default `wasm`). */
  backend?: BackendName;
  /** Seed of initialization and data order (default 0). */
  seed?: number;
  /** Supervised fine-tuning on chosen responses before preference training (`steps: 0` skips it). */
  sft?: { steps?: number; learningRate?: number; batchSize?: number };
  /** Preference-training steps (default 200). */
  steps?: number;
  /** Pairs per step (default 8). */
  batchSize?: number;
  /** Peak learning rate (default 5e-4). */
  learningRate?: number;
  /** Warmup steps (default 10). */
  warmupSteps?: number;
  /** Cosine floor as a fraction of the peak (default 0.1). */
  minLearningRateRatio?: number;
  /** Decoupled weight decay: AdamW when > 0 (default 0, Adam). */
  weightDecay?: number;
  /** Global gradient-norm clip (default 1; Infinity disables). */
  gradClip?: number;
  /** The loss (default `dpo`). */
  loss?: LossName;
  /** β (default 0.1). */
  beta?: number;
  /** γ, the embedding term's weight (default: 0.5 for `hybrid`, else 0). */
  gamma?: number;
  /** The divergence regularizer (default `kl`, standard DPO). */
  divergence?: TrainDivergence;
  /** `implicit` (f-DPO reward, default) or `explicit` (α·mean D over next-token distributions). */
  regularizer?: "implicit" | "explicit";
  /** Weight of the explicit regularizer (default 0.1). */
  regularizerWeight?: number;
  /** Rényi order / Amari α of `f: "alpha"` (default `DEFAULT_RENYI_ALPHA` = ¾, the one default Rényi order). */
  alpha?: number;
  /** f generator for `divergence: "f"` (default `reverse-kl`, `DEFAULT_IMPLICIT_F_GENERATOR`). */
  f?: string;
  /** Wasserstein (explicit): top-k support, ε, Sinkhorn iteration cap and L1 marginal tolerance (default 1e-3). */
  wasserstein?: { topK?: number; epsilon?: number; iterations?: number; tolerance?: number };
  /** Kernel options of the margin shapes (polynomial, rbf, spectral, mahalanobis). */
  kernels?: MarginShapeOptions;
  /** Learning rate of the kernel-mixture logits (default 0.02; it follows the same schedule). */
  mixtureLearningRate?: number;
  /** Entropy bonus on mixture weights (default: 0.05 for `hmk`, 0 for `mixture`). */
  entropyWeight?: number;
  /** Label smoothing ε for `dpo` (cDPO) and `robust` (default 0). */
  labelSmoothing?: number;
  /** Weight of an NLL term on chosen responses during preference training (default 0). */
  sftWeight?: number;
  /**
   * The embedder of the hybrid term: `policy` (the policy's mean-pooled hidden states, trainable; default) or
   * a transformers.js feature-extraction model (folder or hub id; frozen, embeddings cached per dataset).
   */
  embedder?: "policy" | { model: string };
  /** Evaluate every N steps (default 50; 0 disables). */
  evalEvery?: number;
  /** Save a checkpoint every N steps (default 100; 0: only the final one). */
  checkpointEvery?: number;
  /** Resume from this checkpoint folder. */
  resume?: string;
  /**
   * Resume from a checkpoint without `optimizer.safetensors`: the weights and step are restored, the optimizer
   * starts fresh (default false: a missing optimizer file is an error).
   */
  resumeWeightsOnly?: boolean;
  /**
   * Replace the run already in `out` (its metrics, summary and checkpoints are removed first; other files are
   * kept). Default false: an `out` folder holding another run is an error.
   */
  overwrite?: boolean;
  /**
   * With `backend: "webgpu"`: accept a software or fallback adapter (llvmpipe, lavapipe, SwiftShader), which runs
   * the GPU path on the CPU many times slower than wasm. Default false (also allowed by
   * `DPO_KERNELS_ALLOW_SOFTWARE_GPU=1`).
   */
  allowSoftwareGpu?: boolean;
  /** Check that every weight is finite every N preference steps, besides before every checkpoint (default 10). */
  finiteCheckEvery?: number;
  /** Warn once when both log-prob drifts fall below −threshold nats/token (`lib/train/diagnostics.ts`); false: off. */
  collapseWarning?: CollapseWarningOptions | false;
  /** `fixed` (default): `kernels` as given; `data`: each kernel's scale from the reference's margins (docs/math.md). */
  kernelScale?: "data" | "fixed";
}

/** The resolved configuration, every default filled in. */
export type ResolvedTrainConfig =
  & Required<
    Omit<
      TrainConfig,
      "evalData" | "resume" | "model" | "gamma" | "entropyWeight" | "sft" | "tokenizer" | "kernels"
    >
  >
  & {
    evalData?: string | readonly PreferenceExample[];
    resume?: string;
    model: Partial<GptConfig> | string;
    tokenizer?: string;
    gamma: number;
    entropyWeight: number;
    sft: { steps: number; learningRate: number; batchSize: number };
    kernels: MarginShapeOptions;
  };

/** The largest step count a run accepts (a larger one is a typo, not a plan). */
export const MAX_TRAIN_STEPS = 100_000_000;
/** The largest batch a run accepts (pairs per step). */
export const MAX_BATCH_SIZE = 65_536;

const positiveInteger = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 1;
const nonNegativeInteger = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const steps = (v: unknown) => nonNegativeInteger(v) && (v as number) <= MAX_TRAIN_STEPS;
const batch = (v: unknown) => positiveInteger(v) && (v as number) <= MAX_BATCH_SIZE;
const positive = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v > 0;
const nonNegative = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v >= 0;

/** The fields of {@link TrainConfig}: any other key is an error naming the nearest of these. */
export const TRAIN_CONFIG_KEYS: readonly string[] = Object.freeze([
  "data",
  "evalData",
  "evalFraction",
  "skipBadLines",
  "out",
  "model",
  "tokenizer",
  "backend",
  "seed",
  "sft",
  "steps",
  "batchSize",
  "learningRate",
  "warmupSteps",
  "minLearningRateRatio",
  "weightDecay",
  "gradClip",
  "loss",
  "beta",
  "gamma",
  "divergence",
  "regularizer",
  "regularizerWeight",
  "alpha",
  "f",
  "wasserstein",
  "kernels",
  "entropyWeight",
  "mixtureLearningRate",
  "labelSmoothing",
  "sftWeight",
  "embedder",
  "evalEvery",
  "checkpointEvery",
  "resume",
  "resumeWeightsOnly",
  "overwrite",
  "allowSoftwareGpu",
  "finiteCheckEvery",
  "collapseWarning",
  "kernelScale",
]);

function check(ok: boolean, field: string, value: unknown, what: string): void {
  if (!ok) throw new RangeError(`config.${field} must be ${what}, got ${describe(value)}`);
}

/**
 * Fills in defaults and validates every field.
 *
 * @param config The user's configuration.
 * @returns The resolved configuration.
 * @throws {RangeError} Naming the first bad field (`config.learningRate must be > 0, got -1`).
 * @example
 * ```ts
 * import { resolveTrainConfig } from "@dpo-kernels/dpo-kernels/train";
 * import assert from "node:assert/strict";
 * assert.equal(resolveTrainConfig({ data: "d.jsonl", out: "out" }).loss, "dpo");
 * assert.throws(() => resolveTrainConfig({ data: "d.jsonl", out: "out", steps: -1 }), /config.steps/);
 * ```
 */
export function resolveTrainConfig(config: TrainConfig): ResolvedTrainConfig {
  if (config === null || typeof config !== "object") {
    throw new TypeError(`config must be an object, got ${describe(config)}`);
  }
  assertKnownKeys(config, TRAIN_CONFIG_KEYS, "config");
  assertKnownKeys(config.sft, ["steps", "learningRate", "batchSize"], "config.sft");
  assertKnownKeys(config.wasserstein, ["topK", "epsilon", "iterations", "tolerance"], "config.wasserstein");
  assertKnownKeys(config.kernels, ["polynomial", "rbf", "spectral", "mahalanobis"], "config.kernels");
  const loss = config.loss ?? "dpo";
  const spec = lookup(LOSSES as Readonly<Record<string, LossSpec>>, loss, "config.loss");
  const r: ResolvedTrainConfig = {
    data: config.data,
    evalData: config.evalData,
    evalFraction: config.evalFraction ?? 0.1,
    skipBadLines: config.skipBadLines ?? false,
    out: config.out,
    model: config.model ?? {},
    tokenizer: config.tokenizer,
    backend: config.backend ?? "wasm",
    seed: config.seed ?? 0,
    sft: {
      steps: config.sft?.steps ?? 100,
      learningRate: config.sft?.learningRate ?? 1e-3,
      batchSize: config.sft?.batchSize ?? 16,
    },
    steps: config.steps ?? 200,
    batchSize: config.batchSize ?? 8,
    learningRate: config.learningRate ?? 5e-4,
    warmupSteps: config.warmupSteps ?? 10,
    minLearningRateRatio: config.minLearningRateRatio ?? 0.1,
    weightDecay: config.weightDecay ?? 0,
    gradClip: config.gradClip ?? 1,
    loss,
    beta: config.beta ?? 0.1,
    gamma: config.gamma ?? spec.gamma,
    divergence: config.divergence ?? "kl",
    regularizer: config.regularizer ?? "implicit",
    regularizerWeight: config.regularizerWeight ?? 0.1,
    alpha: config.alpha ?? DEFAULT_RENYI_ALPHA,
    f: config.f ?? DEFAULT_IMPLICIT_F_GENERATOR,
    wasserstein: config.wasserstein ?? {},
    kernels: config.kernels ?? {},
    entropyWeight: config.entropyWeight ?? spec.entropyWeight,
    mixtureLearningRate: config.mixtureLearningRate ?? 0.02,
    labelSmoothing: config.labelSmoothing ?? 0,
    sftWeight: config.sftWeight ?? 0,
    embedder: config.embedder ?? "policy",
    evalEvery: config.evalEvery ?? 50,
    checkpointEvery: config.checkpointEvery ?? 100,
    resume: config.resume,
    resumeWeightsOnly: config.resumeWeightsOnly ?? false,
    overwrite: config.overwrite ?? false,
    allowSoftwareGpu: config.allowSoftwareGpu ?? false,
    finiteCheckEvery: config.finiteCheckEvery ?? 10,
    collapseWarning: config.collapseWarning ?? {},
    kernelScale: config.kernelScale ?? "fixed",
  };
  check(
    typeof r.data === "string" ? r.data.length > 0 : Array.isArray(r.data),
    "data",
    r.data,
    "a JSONL path or an array of pairs",
  );
  check(typeof r.out === "string" && r.out.length > 0, "out", r.out, "a directory path");
  check(
    typeof r.evalFraction === "number" && r.evalFraction >= 0 && r.evalFraction < 1,
    "evalFraction",
    r.evalFraction,
    "in [0, 1)",
  );
  lookup(BACKENDS as Readonly<Record<string, unknown>>, r.backend, "config.backend");
  check(Number.isSafeInteger(r.seed), "seed", r.seed, "an integer");
  check(steps(r.sft.steps), "sft.steps", r.sft.steps, `an integer in [0, ${MAX_TRAIN_STEPS}]`);
  check(positive(r.sft.learningRate), "sft.learningRate", r.sft.learningRate, "a finite number > 0");
  check(batch(r.sft.batchSize), "sft.batchSize", r.sft.batchSize, `an integer in [1, ${MAX_BATCH_SIZE}]`);
  check(steps(r.steps), "steps", r.steps, `an integer in [0, ${MAX_TRAIN_STEPS}]`);
  check(batch(r.batchSize), "batchSize", r.batchSize, `an integer in [1, ${MAX_BATCH_SIZE}]`);
  check(positive(r.learningRate), "learningRate", r.learningRate, "a finite number > 0");
  check(steps(r.warmupSteps), "warmupSteps", r.warmupSteps, `an integer in [0, ${MAX_TRAIN_STEPS}]`);
  check(
    nonNegative(r.minLearningRateRatio) && r.minLearningRateRatio <= 1,
    "minLearningRateRatio",
    r.minLearningRateRatio,
    "in [0, 1]",
  );
  check(nonNegative(r.weightDecay), "weightDecay", r.weightDecay, ">= 0");
  check(
    typeof r.gradClip === "number" && r.gradClip > 0,
    "gradClip",
    r.gradClip,
    "> 0 (Infinity disables clipping)",
  );
  check(positive(r.beta), "beta", r.beta, "a finite number > 0");
  check(nonNegative(r.gamma), "gamma", r.gamma, "a finite number >= 0");
  check(
    (TRAIN_DIVERGENCES as readonly string[]).includes(r.divergence),
    "divergence",
    r.divergence,
    `one of ${TRAIN_DIVERGENCES.join(", ")}`,
  );
  check(
    r.regularizer === "implicit" || r.regularizer === "explicit",
    "regularizer",
    r.regularizer,
    '"implicit" or "explicit"',
  );
  check(nonNegative(r.regularizerWeight), "regularizerWeight", r.regularizerWeight, ">= 0");
  check(positive(r.alpha), "alpha", r.alpha, "a finite number > 0");
  check(nonNegative(r.entropyWeight), "entropyWeight", r.entropyWeight, ">= 0");
  check(positive(r.mixtureLearningRate), "mixtureLearningRate", r.mixtureLearningRate, "> 0");
  check(
    nonNegative(r.labelSmoothing) && r.labelSmoothing < 0.5,
    "labelSmoothing",
    r.labelSmoothing,
    "in [0, 0.5)",
  );
  check(nonNegative(r.sftWeight), "sftWeight", r.sftWeight, ">= 0");
  check(
    r.embedder === "policy" || (typeof r.embedder === "object" && typeof r.embedder.model === "string"),
    "embedder",
    r.embedder,
    '"policy" or { model: path or hub id }',
  );
  check(nonNegativeInteger(r.evalEvery), "evalEvery", r.evalEvery, "an integer >= 0");
  check(nonNegativeInteger(r.checkpointEvery), "checkpointEvery", r.checkpointEvery, "an integer >= 0");
  check(positiveInteger(r.finiteCheckEvery), "finiteCheckEvery", r.finiteCheckEvery, "an integer >= 1");
  check(typeof r.skipBadLines === "boolean", "skipBadLines", r.skipBadLines, "true or false");
  check(typeof r.resumeWeightsOnly === "boolean", "resumeWeightsOnly", r.resumeWeightsOnly, "true or false");
  check(typeof r.overwrite === "boolean", "overwrite", r.overwrite, "true or false");
  check(typeof r.allowSoftwareGpu === "boolean", "allowSoftwareGpu", r.allowSoftwareGpu, "true or false");
  check(
    r.resume === undefined || (typeof r.resume === "string" && r.resume.length > 0),
    "resume",
    r.resume,
    "a checkpoint folder",
  );
  if (typeof r.model === "object") {
    validateGptConfig(
      { vocabSize: 256, contextLength: 64, dModel: 64, layers: 2, heads: 2, ...r.model },
      "config.model",
    );
  }
  if (r.regularizer === "implicit" && r.divergence === "wasserstein") {
    throw new RangeError(
      'config.divergence "wasserstein" has no implicit (f-DPO) form; set config.regularizer to "explicit"',
    );
  }
  checkDivergenceOptions(r);
  validateCollapseWarning(r.collapseWarning, "config.collapseWarning");
  check(["data", "fixed"].includes(r.kernelScale), "kernelScale", r.kernelScale, '"data" or "fixed"');
  for (const kernel of Object.keys(r.kernels) as (keyof MarginShapeOptions)[]) {
    try {
      KERNEL_MARGINS[kernel](r.kernels);
    } catch (e) {
      throw new RangeError(`config.kernels.${kernel}: ${(e as Error).message}`);
    }
  }
  return r;
}

/**
 * The divergence's own admissible range for α and f, checked now rather than at the first preference step
 * (after SFT has run): Rényi's order lies in (0, 1) for the implicit form and must not be 1 for the explicit one.
 */
function checkDivergenceOptions(r: ResolvedTrainConfig): void {
  try {
    if (r.regularizer === "implicit") {
      implicitScore(r.divergence, { alpha: r.alpha, f: r.f });
    } else if (r.divergence === "renyi" && r.alpha === 1) {
      throw new RangeError("options.alpha must not be 1 for the Rényi divergence (use kl)");
    } else if (r.divergence === "f") {
      lookup(Object.fromEntries(EXPLICIT_F_GENERATORS.map((g) => [g, g])), r.f, "options.f");
      if (r.f === "alpha" && r.alpha === 1) {
        throw new RangeError("options.alpha must not be 1 for the alpha generator");
      }
    } else if (r.divergence === "wasserstein") {
      const { topK = 16, epsilon = 0.05, iterations = 50, tolerance = 1e-3 } = r.wasserstein;
      if (!positive(tolerance)) {
        throw new RangeError(`config.wasserstein.tolerance must be > 0, got ${describe(tolerance)}`);
      }
      if (!positiveInteger(topK)) {
        throw new RangeError(`config.wasserstein.topK must be an integer >= 1, got ${describe(topK)}`);
      }
      if (!positive(epsilon)) {
        throw new RangeError(`config.wasserstein.epsilon must be > 0, got ${describe(epsilon)}`);
      }
      if (!positiveInteger(iterations)) {
        throw new RangeError(
          `config.wasserstein.iterations must be an integer >= 1, got ${describe(iterations)}`,
        );
      }
    }
  } catch (e) {
    const message = (e as Error).message.replace(/^options\./, "config.");
    throw new RangeError(`config.divergence ${r.divergence} (${r.regularizer}): ${message}`);
  }
}
