/**
 * What the preference phase needs besides the policy, prepared once after SFT: the frozen reference and its
 * precomputed log-probs, the loss settings (with the Mahalanobis variance measured on the reference), the
 * hybrid term's embeddings, the trainable mixture weights, the explicit regularizer's options, and the
 * optimizer over the policy and the mixture.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { MIXTURE_KERNELS } from "../kernels/mixture.ts";
import { marginVariance } from "../losses/kernel_margin.ts";
import { LOSSES, type MarginKind } from "../losses/preference_loss.ts";
import { Gpt } from "../model/gpt.ts";
import { loadCheckpoint } from "../io/checkpoint.ts";
import type { EncodedPair } from "./batch.ts";
import type { ResolvedTrainConfig } from "./config.ts";
import { hybridEmbeddingMargins } from "./frozen_embedder.ts";
import type { ExplicitRegularizerOptions } from "./explicit_regularizer.ts";
import { type PairLogProbs, pairLogProbs } from "./logprobs.ts";
import { AdamW } from "./optimizer.ts";
import { cachedPairLogProbs } from "./reference_cache.ts";
import { dataKernelScales, describeKernelScales, referenceMargins } from "../analysis/kernel_regime.ts";
import type { Setup } from "./setup.ts";
import { MixtureParameters, type TensorPreferenceLossOptions } from "./tensor_losses.ts";

/** The margin shapes with trainable mixture weights, by the kind of {@link MixtureParameters} they train. */
const MIXTURES: Readonly<Partial<Record<MarginKind, "mixture" | "hmk">>> = { mixture: "mixture", hmk: "hmk" };

/** The kernels a margin shape combines: a mixture's all, any other shape itself. */
const kernelsOf = (margin: MarginKind): readonly string[] =>
  Object.hasOwn(MIXTURES, margin) ? MIXTURE_KERNELS : [margin];

/** The preference phase's fixed parts (see the module's description). Free with {@link disposePreference}. */
export interface PreferenceContext {
  /** The resolved configuration. */
  config: ResolvedTrainConfig;
  /** The policy being trained. */
  policy: Gpt;
  /** The frozen SFT model. */
  reference: Gpt;
  /** The reference's log-probs of the training pairs (implicit regularizer: the reference never runs again). */
  refTrain?: PairLogProbs;
  /** The reference's log-probs of the held-out pairs. */
  refEval: PairLogProbs;
  /** The frozen embedder's margins, training pairs then held-out ones (hybrid term with a model). */
  frozenMargins?: ArrayLike<number>;
  /** Whether the hybrid term uses the policy's own pooled hidden states. */
  policyEmbeddings: boolean;
  /** The trainable mixture weights (mixture and HMK losses). */
  mixture?: MixtureParameters;
  /** The loss settings as resolved, with the measured Mahalanobis variance and the mixture weights. */
  lossOptions: TensorPreferenceLossOptions;
  /** The explicit regularizer's options. */
  regularizerOptions: ExplicitRegularizerOptions;
  /** Where the Wasserstein regularizer reports its Sinkhorn marginal error. */
  sinkhornReport: { marginalError?: number };
  /** The variables trained: the policy's, then the mixture's. */
  vars: tf.Variable[];
  /** AdamW over {@link PreferenceContext.vars}; the mixture logits at their own learning rate. */
  optimizer: AdamW;
  /** Lines for the log (the data-driven kernel scales). */
  notes: string[];
}

/**
 * Prepares the preference phase from the saved reference.
 *
 * @param s The run's setup.
 * @param referencePath The reference checkpoint folder.
 * @returns The context; free it with {@link disposePreference}.
 * @example
 * ```ts
 * import { setup } from "./setup.ts";
 * import { saveReference } from "./checkpointing.ts";
 * import { disposePreference, preparePreference } from "./preference.ts";
 * import assert from "node:assert/strict";
 * const pairs = Array.from({ length: 10 }, (_, i) => ({ prompt: `${i}+1=`, chosen: `${i + 1}.`, rejected: "x." }));
 * const out = await Deno.makeTempDir();
 * const model = { dModel: 16, layers: 1, heads: 2, contextLength: 16 };
 * const s = await setup({ data: pairs, out, backend: "cpu", model, batchSize: 2, sft: { batchSize: 2 } });
 * const ledger = { lastCheckpoint: undefined as string | undefined };
 * await saveReference(s, `${out}/reference`, ledger);
 * const ctx = await preparePreference(s, `${out}/reference`);
 * assert.equal(ctx.refTrain?.chosen.length, 9); // the reference's log-probs of the 9 training pairs
 * disposePreference(ctx);
 * s.policy.dispose();
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export async function preparePreference(s: Setup, referencePath: string): Promise<PreferenceContext> {
  const { config, policy } = s;
  const refCkpt = await loadCheckpoint(referencePath);
  const reference = new Gpt(refCkpt.config, { weights: refCkpt.weights, trainable: false });
  tf.dispose([...refCkpt.weights.values()]);
  const explicit = config.regularizer === "explicit";
  // Cached by (reference weights, data, tokenizer, context) where $DPO_KERNELS_CACHE names a folder.
  const refLogProbs = (pairs: EncodedPair[]) =>
    cachedPairLogProbs(reference, pairs, config.batchSize, s.tokenizer.name);
  const refTrain = explicit ? undefined : await refLogProbs(s.train);
  const refEval = await refLogProbs(s.evalPairs);

  // The Mahalanobis margin's variance is the spread of the reference's margins, β(ℓ_w − ℓ_l).
  const spec = LOSSES[config.loss];
  const lossOptions: TensorPreferenceLossOptions = { ...config.lossOptions };
  if (kernelsOf(spec.margin).includes("mahalanobis") && config.kernels.mahalanobis?.variance === undefined) {
    const ref = refTrain ?? (await pairLogProbs(reference, s.train, config.batchSize));
    const margins = Array.from(ref.chosen, (c, i) => config.beta * (c - (ref.rejected[i] as number)));
    lossOptions.mahalanobis = { ...config.kernels.mahalanobis, variance: marginVariance(margins) };
  }
  // `kernelScale: "data"`: each kernel's scale from the reference's margins (docs/math.md, "Kernels where they act").
  const notes: string[] = [];
  if (config.kernelScale === "data") {
    const ref = refTrain ?? (await pairLogProbs(reference, s.train, config.batchSize));
    const scales = dataKernelScales(referenceMargins(ref, config.beta), config.kernels);
    Object.assign(lossOptions, scales);
    notes.push(describeKernelScales(scales));
  }
  const kind = MIXTURES[spec.margin];
  const mixture = kind === undefined ? undefined : new MixtureParameters(kind, s.resume?.mixture ?? {});
  lossOptions.mixture = mixture;

  // The hybrid term: frozen embeddings (the reference's or a sentence model's, computed once and cached; training
  // pairs first, then held-out ones) or, for "policy", the policy's own pooled hidden states at every step.
  const frozenMargins = config.gamma > 0
    ? await hybridEmbeddingMargins(config.embedder, {
      reference,
      pairs: [...s.train, ...s.evalPairs],
      examples: [...s.trainText, ...s.evalText],
      batchSize: config.batchSize,
      tokenizer: s.tokenizer.name,
      out: config.out,
    })
    : undefined;
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

  const vars = [...policy.variables(), ...(mixture ? [...mixture.variables.values()] : [])];
  // The mixture logits are a handful of scalars that must move by O(1) within a run: they get their own rate.
  const learningRateScale = vars.map((_, i) =>
    i < policy.variables().length ? 1 : config.mixtureLearningRate / config.learningRate
  );
  const optimizer = new AdamW(vars, { weightDecay: config.weightDecay, learningRateScale });
  if (s.resume?.phase === "preference" && s.resumeOptimizer) optimizer.restore(s.resumeOptimizer);
  tf.dispose(s.resumeOptimizer ? [...s.resumeOptimizer.values()] : []);
  return {
    config,
    policy,
    reference,
    refTrain,
    refEval,
    frozenMargins,
    policyEmbeddings: config.gamma > 0 && config.embedder === "policy",
    mixture,
    lossOptions,
    regularizerOptions,
    sinkhornReport,
    notes,
    vars,
    optimizer,
  };
}

/**
 * Frees what {@link preparePreference} allocated (the optimizer's state, the mixture weights, the reference).
 *
 * @param ctx The context.
 *
 * @example
 * ```ts
 * import { setup } from "./setup.ts";
 * import { saveReference } from "./checkpointing.ts";
 * import { disposePreference, preparePreference } from "./preference.ts";
 * import assert from "node:assert/strict";
 * const pairs = Array.from({ length: 6 }, (_, i) => ({ prompt: `${i}+1=`, chosen: `${i + 1}.`, rejected: "x." }));
 * const out = await Deno.makeTempDir();
 * const model = { dModel: 16, layers: 1, heads: 2, contextLength: 16 };
 * const s = await setup({ data: pairs, out, backend: "cpu", model, batchSize: 2, sft: { batchSize: 2 } });
 * await saveReference(s, `${out}/reference`, { lastCheckpoint: undefined });
 * const ctx = await preparePreference(s, `${out}/reference`);
 * const weight = ctx.reference.param("wte.weight");
 * disposePreference(ctx);
 * assert.ok(weight.isDisposed); // the reference is freed (and the optimizer's moments, the mixture weights)
 * s.policy.dispose();
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export function disposePreference(ctx: PreferenceContext): void {
  ctx.optimizer.dispose();
  ctx.mixture?.dispose();
  ctx.reference.dispose();
}
