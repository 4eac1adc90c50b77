/**
 * The trainer's configuration: one typed object with documented defaults, validated field by field (a bad
 * value is an error that names the field). The fields' defaults, checks, help and flags are declared once, in
 * {@link TRAIN_CONFIG_FIELDS}; this file holds the interface and the checks that span several fields.
 *
 * @module
 */
import type { LossName, PreferenceLossOptions } from "../losses/preference_loss.ts";
import { KERNEL_MARGINS, type MarginShapeOptions } from "../losses/kernel_margin.ts";
import type { BackendName } from "../model/backend.ts";
import type { GptConfig } from "../model/config.ts";
import { DEFAULT_GPT_CONFIG, validateGptConfig } from "../model/config.ts";
import { assertKnownKeys, lookup } from "../math/lookup.ts";
import { describe } from "../math/validation.ts";
import { EXPLICIT_F_GENERATORS } from "./explicit_regularizer.ts";
import { implicitScore } from "../losses/implicit_scores.ts";
import type { PreferenceExample } from "../data/preference.ts";
import type { HybridEmbedder } from "./frozen_embedder.ts";
import type { CollapseWarningOptions } from "./diagnostics.ts";
import type { ConfigField } from "./config_field.ts";
import { TRAIN_CONFIG_FIELDS, type TrainDivergence } from "./config_fields.ts";

export {
  MAX_BATCH_SIZE,
  MAX_TRAIN_STEPS,
  TRAIN_CONFIG_FIELDS,
  TRAIN_DIVERGENCES,
  type TrainConfigFields,
  type TrainDivergence,
} from "./config_fields.ts";

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
   * The embedder of the hybrid term (`frozen_embedder.ts`): `"reference"` (the frozen SFT reference's pooled
   * states; default), `"policy"` (the policy's own, trainable), a local transformers.js model folder, or
   * `{ model }` (a transformers.js feature-extraction model, folder or hub id); frozen ones are cached per dataset.
   */
  embedder?: HybridEmbedder;
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
  /**
   * Warn once when both responses' log-probs fall below the reference by more than `threshold` nats per token
   * for `patience` steps (default 2 and 5; `lib/train/diagnostics.ts`); false: off.
   */
  collapseWarning?: CollapseWarningOptions | false;
  /** `fixed` (default): kernel options as given; `data`: each kernel's scale from the reference's margins. */
  kernelScale?: "fixed" | "data";
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
    /**
     * The loss settings, collected from the fields the table marks as the loss's (`loss`, `beta`, `gamma`, …,
     * the kernel options spread): handed to the loss as they are. With the explicit regularizer the loss's own
     * divergence is `kl` (the regularizer adds the chosen one).
     */
    lossOptions: PreferenceLossOptions;
  };

/** The fields of {@link TrainConfig}: any other key is an error naming the nearest of these. */
export const TRAIN_CONFIG_KEYS: readonly string[] = Object.freeze(Object.keys(TRAIN_CONFIG_FIELDS));

type AnyField = ConfigField<unknown>;
const entries = (fields: Readonly<Record<string, unknown>>) => Object.entries(fields) as [string, AnyField][];

/** A field's value or default, checked; an object-valued field's sub-fields resolved the same way. */
function resolveField(
  spec: AnyField,
  value: unknown,
  resolved: Record<string, unknown>,
  name: string,
): unknown {
  const v = value ?? (typeof spec.default === "function" ? spec.default(resolved) : spec.default);
  spec.check(v, name);
  if (spec.fields === undefined) return v;
  const sub = spec.fields as Readonly<Record<string, AnyField>>;
  assertKnownKeys(v, Object.keys(sub), name);
  const out: Record<string, unknown> = {};
  for (const [key, s] of entries(sub)) {
    const x = resolveField(s, (v as Record<string, unknown>)[key], out, `${name}.${key}`);
    if (x !== undefined) out[key] = x;
  }
  return out;
}

/**
 * Fills in defaults and validates every field, then the checks that span fields (the divergence's admissible
 * α, the kernels' options, the model's shape).
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
  const r: Record<string, unknown> = {};
  const lossOptions: Record<string, unknown> = {};
  for (const [key, spec] of entries(TRAIN_CONFIG_FIELDS)) {
    const value = resolveField(spec, (config as unknown as Record<string, unknown>)[key], r, `config.${key}`);
    if (value !== undefined) r[key] = value;
    if (spec.loss === "field") lossOptions[key] = value;
    if (spec.loss === "spread") Object.assign(lossOptions, value);
  }
  const resolved = { ...r, lossOptions } as unknown as ResolvedTrainConfig;
  // The explicit regularizer adds α·D to the loss; the loss itself stays standard DPO's (KL) in its reward.
  if (resolved.regularizer === "explicit") resolved.lossOptions.divergence = "kl";
  checkAcrossFields(resolved);
  return resolved;
}

/** The checks that read several fields: the model's shape, the kernels' options, the divergence's α and f. */
function checkAcrossFields(r: ResolvedTrainConfig): void {
  if (typeof r.model === "object") {
    validateGptConfig({ ...DEFAULT_GPT_CONFIG, ...r.model }, "config.model");
  }
  assertKnownKeys(r.kernels, Object.keys(KERNEL_MARGINS), "config.kernels");
  for (const kernel of Object.keys(r.kernels) as (keyof typeof KERNEL_MARGINS)[]) {
    try {
      KERNEL_MARGINS[kernel](r.kernels);
    } catch (e) {
      throw new RangeError(`config.kernels.${kernel}: ${(e as Error).message}`);
    }
  }
  if (r.regularizer === "implicit" && r.divergence === "wasserstein") {
    throw new RangeError(
      'config.divergence "wasserstein" has no implicit (f-DPO) form; set config.regularizer to "explicit"',
    );
  }
  checkDivergenceOptions(r);
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
    }
  } catch (e) {
    const message = (e as Error).message.replace(/^options\./, "config.");
    throw new RangeError(`config.divergence ${r.divergence} (${r.regularizer}): ${message}`);
  }
}
