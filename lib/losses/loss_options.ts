/**
 * The options of a preference loss, shared by the numeric and the tensor form, with one named default per
 * setting and the one function that resolves and checks them.
 *
 * @module
 */
import type { Vector } from "../math/types.ts";
import { assertNonNegative, assertPositive, describe } from "../math/validation.ts";
import { assertKnownKeys } from "../math/lookup.ts";
import type { HmkLogits } from "../kernels/mixture.ts";
import { KERNEL_NAMES } from "../kernels/table.ts";
import type { ImplicitScoreOptions } from "./implicit_scores.ts";
import type { MarginShapeOptions } from "./kernel_margin.ts";
import { DEFAULT_LOSS, lossByName, type LossName, type LossSpec } from "./loss_table.ts";

/** The default inverse temperature β. */
export const DEFAULT_BETA = 0.1;
/** The default label smoothing ε (0: none). */
export const DEFAULT_LABEL_SMOOTHING = 0;
/** The default weight of the SFT term (0: none). */
export const DEFAULT_SFT_WEIGHT = 0;
/** The default implicit regularizer: `kl`, standard DPO. */
export const DEFAULT_DIVERGENCE = "kl";

/** Options of {@link preferenceLoss}. */
export interface PreferenceLossOptions extends MarginShapeOptions, ImplicitScoreOptions {
  /** The loss (default `"dpo"`). */
  loss?: LossName;
  /** β > 0 (default 0.1). */
  beta?: number;
  /** γ ≥ 0, the embedding term's weight (default: the loss's, 0.5 for `hybrid`, else 0). */
  gamma?: number;
  /** The implicit (f-DPO) regularizer (default `DEFAULT_DIVERGENCE` = `"kl"`, standard DPO). */
  divergence?: string;
  /** ε in [0, ½) for the sigmoid (cDPO) and robust objectives (default 0). */
  labelSmoothing?: number;
  /** Weight of an NLL term on the chosen response, per token (default 0). */
  sftWeight?: number;
  /** The flat mixture's four logits, in the order polynomial, RBF, spectral, Mahalanobis (default zeros). */
  mixtureLogits?: Vector;
  /** HMK's logits (default zeros). */
  hmkLogits?: HmkLogits;
  /** η ≥ 0, the entropy bonus on mixture weights (default: the loss's, 0.05 for `hmk`, else 0). */
  entropyWeight?: number;
}

/** The scalar settings of a loss, resolved against the loss's defaults and validated. */
export interface ResolvedLossOptions {
  /** The loss's table entry. */
  spec: LossSpec;
  /** β. */
  beta: number;
  /** γ. */
  gamma: number;
  /** η, the entropy bonus. */
  entropyWeight: number;
  /** ε, label smoothing. */
  labelSmoothing: number;
  /** The SFT term's weight. */
  sftWeight: number;
}

/**
 * The keys a preference loss's options may have (`mixture` is the tensor form's trainable mixture); any other
 * key is an error naming the nearest of these.
 */
export const PREFERENCE_LOSS_OPTION_KEYS: readonly string[] = Object.freeze([
  "loss",
  "beta",
  "gamma",
  "divergence",
  "alpha",
  "f",
  "unitSlope",
  "labelSmoothing",
  "sftWeight",
  "mixtureLogits",
  "hmkLogits",
  "entropyWeight",
  ...KERNEL_NAMES,
  "mixture",
]);

/**
 * Resolves and validates the scalar options every form of the loss shares (the numeric and the tensor one).
 *
 * @param options The options.
 * @returns The loss's spec and the resolved β, γ, η, ε and SFT weight.
 * @throws {RangeError} Naming the first bad option, or an unknown key and the nearest valid one.
 * @example
 * ```ts
 * import { resolveLossOptions } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(resolveLossOptions({ loss: "hybrid" }).gamma, 0.5);
 * assert.throws(() => resolveLossOptions({ beta: 0 }), /options.beta/);
 * ```
 */
export function resolveLossOptions(options: PreferenceLossOptions): ResolvedLossOptions {
  assertKnownKeys(options, PREFERENCE_LOSS_OPTION_KEYS, "options");
  const spec = lossByName(options.loss ?? DEFAULT_LOSS);
  const beta = options.beta ?? DEFAULT_BETA;
  assertPositive(beta, "options.beta");
  const gamma = options.gamma ?? spec.gamma;
  assertNonNegative(gamma, "options.gamma");
  const entropyWeight = options.entropyWeight ?? spec.entropyWeight;
  assertNonNegative(entropyWeight, "options.entropyWeight");
  const labelSmoothing = options.labelSmoothing ?? DEFAULT_LABEL_SMOOTHING;
  if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) {
    throw new RangeError(`options.labelSmoothing must lie in [0, 0.5), got ${describe(labelSmoothing)}`);
  }
  const sftWeight = options.sftWeight ?? DEFAULT_SFT_WEIGHT;
  assertNonNegative(sftWeight, "options.sftWeight");
  return { spec, beta, gamma, entropyWeight, labelSmoothing, sftWeight };
}
