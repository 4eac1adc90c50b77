/**
 * The DPO-Kernels loss of one preference pair in numeric form, with its exact gradients: the table of named
 * losses and the function that evaluates any of them. The trainer evaluates the same formulas as tensor ops;
 * its tests compare against this.
 *
 * For a pair (x, y_w, y_l) with summed response log-probs ℓ and reference log-probs ℓ_ref:
 *
 *   z = ℓ − ℓ_ref,   r = β·φ(z)   (φ(z) = z for the KL regularizer; f-DPO scores otherwise),
 *                                 (`ipo`: z = (ℓ − ℓ_ref)/|y|, TRL's length-normalized log-probs),
 *   Δ = r_w − r_l + γ·e           (e: the embedding margin, the hybrid term),
 *   s = Δ·√G(Δ²)                  (the kernel's margin shape; G ≡ 1 for DPO),
 *   loss = ψ(s) − η·H(weights) + λ_sft·(−ℓ_w / |y_w|).
 *
 * @module
 */
import type { Vector } from "../math/types.ts";
import { assertFinite, assertNonNegative, assertPositive, describe } from "../math/validation.ts";
import { assertKnownKeys, lookup } from "../math/lookup.ts";
import {
  flatMixtureEntropy,
  flatMixtureWeights,
  hmkEntropy,
  type HmkLogits,
  hmkWeights,
  type KernelWeights,
  MIXTURE_KERNELS,
  type MixtureKernelName,
} from "../kernels/mixture.ts";
import { implicitScore, type ImplicitScoreOptions } from "./implicit_scores.ts";
import {
  KERNEL_MARGINS,
  kernelizedMargin,
  LINEAR_MARGIN,
  type MarginShape,
  type MarginShapeOptions,
  mixtureMargin,
} from "./kernel_margin.ts";
import { type ObjectiveName, OBJECTIVES } from "./objectives.ts";

/** How a loss shapes the margin: no kernel, one base kernel, or a learned mixture. */
export type MarginKind = "linear" | MixtureKernelName | "mixture" | "hmk";

/** One entry of {@link LOSSES}. */
export interface LossSpec {
  /** The objective on the score. */
  objective: ObjectiveName;
  /** The kernel that shapes the margin. */
  margin: MarginKind;
  /** The default weight γ of the embedding term (0: none unless asked for). */
  gamma: number;
  /** The default entropy-bonus weight η on the mixture weights. */
  entropyWeight: number;
  /**
   * Divide each response's log-prob (policy and reference) by its token count before the margin, as TRL does
   * for `loss_type="ipo"` (the pair must carry `chosenTokens` and `rejectedTokens`).
   */
  lengthNormalized: boolean;
  /** One line for tables and `--help`. */
  description: string;
}

/** The named losses. */
export const LOSSES: Readonly<{
  dpo: LossSpec;
  ipo: LossSpec;
  "ipo-sum": LossSpec;
  hinge: LossSpec;
  robust: LossSpec;
  hybrid: LossSpec;
  poly: LossSpec;
  rbf: LossSpec;
  spectral: LossSpec;
  mahalanobis: LossSpec;
  mixture: LossSpec;
  hmk: LossSpec;
}> = Object.freeze({
  dpo: {
    objective: "sigmoid",
    margin: "linear",
    gamma: 0,
    entropyWeight: 0,
    lengthNormalized: false,
    description: "sigmoid DPO",
  },
  // TRL's IPO (trl/trainer/dpo_trainer.py, `concatenated_forward`: `if self.loss_type == "ipo": all_logps =
  // all_logps / loss_mask.sum(-1)`, and `dpo_loss`: `losses = (logits - 1 / (2 * self.beta)) ** 2`;
  // huggingface/trl at commit 9d58faa7, v0.8 onwards).
  ipo: {
    objective: "ipo",
    margin: "linear",
    gamma: 0,
    entropyWeight: 0,
    lengthNormalized: true,
    description: "IPO as TRL (length-normalized log-probs, squared margin)",
  },
  "ipo-sum": {
    objective: "ipo",
    margin: "linear",
    gamma: 0,
    entropyWeight: 0,
    lengthNormalized: false,
    description: "IPO on summed log-probs (squared margin)",
  },
  hinge: {
    objective: "hinge",
    margin: "linear",
    gamma: 0,
    entropyWeight: 0,
    lengthNormalized: false,
    description: "hinge (SLiC)",
  },
  robust: {
    objective: "robust",
    margin: "linear",
    gamma: 0,
    entropyWeight: 0,
    lengthNormalized: false,
    description: "robust DPO",
  },
  hybrid: {
    objective: "sigmoid",
    margin: "linear",
    gamma: 0.5,
    entropyWeight: 0,
    lengthNormalized: false,
    description: "DPO + γ·embedding log-ratio",
  },
  poly: {
    objective: "sigmoid",
    margin: "polynomial",
    gamma: 0,
    entropyWeight: 0,
    lengthNormalized: false,
    description: "polynomial kernel",
  },
  rbf: {
    objective: "sigmoid",
    margin: "rbf",
    gamma: 0,
    entropyWeight: 0,
    lengthNormalized: false,
    description: "RBF kernel",
  },
  spectral: {
    objective: "sigmoid",
    margin: "spectral",
    gamma: 0,
    entropyWeight: 0,
    lengthNormalized: false,
    description: "spectral kernel",
  },
  mahalanobis: {
    objective: "sigmoid",
    margin: "mahalanobis",
    gamma: 0,
    entropyWeight: 0,
    lengthNormalized: false,
    description: "Mahalanobis kernel",
  },
  mixture: {
    objective: "sigmoid",
    margin: "mixture",
    gamma: 0,
    entropyWeight: 0,
    lengthNormalized: false,
    description: "flat kernel mixture (softmax over 4)",
  },
  hmk: {
    objective: "sigmoid",
    margin: "hmk",
    gamma: 0,
    entropyWeight: 0.05,
    lengthNormalized: false,
    description: "hierarchical mixture of kernels",
  },
});

/** The name of a loss in {@link LOSSES}. */
export type LossName = keyof typeof LOSSES;

/** The per-pair inputs: summed response log-probs of policy and reference. */
export interface PreferencePair {
  /** ℓ(y_w): the policy's summed log-prob of the chosen response's tokens. */
  policyChosen: number;
  /** ℓ(y_l). */
  policyRejected: number;
  /** ℓ_ref(y_w). */
  referenceChosen: number;
  /** ℓ_ref(y_l). */
  referenceRejected: number;
  /** The embedding margin e = log κ(e_x, e_w) − log κ(e_x, e_l); needed when γ > 0. */
  embeddingMargin?: number;
  /** |y_w|, the chosen response's token count; needed when the SFT weight is > 0 and for `ipo`. */
  chosenTokens?: number;
  /** |y_l|, the rejected response's token count; needed for `ipo`. */
  rejectedTokens?: number;
}

/** Options of {@link preferenceLoss}. */
export interface PreferenceLossOptions extends MarginShapeOptions, ImplicitScoreOptions {
  /** The loss (default `"dpo"`). */
  loss?: LossName;
  /** β > 0 (default 0.1). */
  beta?: number;
  /** γ ≥ 0, the embedding term's weight (default: the loss's, 0.5 for `hybrid`, else 0). */
  gamma?: number;
  /** The implicit (f-DPO) regularizer (default `"kl"`, standard DPO). */
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

/** The loss of one pair, its parts and its gradients. */
export interface PreferenceLossResult {
  /** The loss. */
  loss: number;
  /** r_w = β·φ(z_w), TRL's `rewards/chosen`. */
  rewardChosen: number;
  /** r_l = β·φ(z_l). */
  rewardRejected: number;
  /** Δ = r_w − r_l + γ·e. */
  margin: number;
  /** s, the kernelized margin. */
  score: number;
  /** ∂loss/∂ℓ(y_w). */
  gradChosen: number;
  /** ∂loss/∂ℓ(y_l). */
  gradRejected: number;
  /** The mixture weights in effect (mixture and HMK only). */
  weights?: KernelWeights;
  /** Their entropy bonus term H (mixture and HMK only). */
  entropy?: number;
  /**
   * ∂loss/∂logits (mixture and HMK only): the flat mixture's four logits, or HMK's six in the order
   * τ₁, τ₂, λ_rbf, λ_poly, λ_spec, λ_maha.
   */
  gradLogits?: number[];
}

/**
 * Looks a loss up by name, with a clear error for an unknown one.
 *
 * @param name A key of {@link LOSSES}.
 * @returns The loss's spec.
 * @throws {RangeError} For an unknown name, listing the valid ones.
 * @example
 * ```ts
 * import { lossByName } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(lossByName("rbf").margin, "rbf");
 * ```
 */
export function lossByName(name: string): LossSpec {
  return lookup(LOSSES as Readonly<Record<string, LossSpec>>, name, "options.loss");
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
  "polynomial",
  "rbf",
  "spectral",
  "mahalanobis",
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
  const spec = lossByName(options.loss ?? "dpo");
  const beta = options.beta ?? 0.1;
  assertPositive(beta, "options.beta");
  const gamma = options.gamma ?? spec.gamma;
  assertNonNegative(gamma, "options.gamma");
  const entropyWeight = options.entropyWeight ?? spec.entropyWeight;
  assertNonNegative(entropyWeight, "options.entropyWeight");
  const labelSmoothing = options.labelSmoothing ?? 0;
  if (!(labelSmoothing >= 0 && labelSmoothing < 0.5)) {
    throw new RangeError(`options.labelSmoothing must lie in [0, 0.5), got ${describe(labelSmoothing)}`);
  }
  const sftWeight = options.sftWeight ?? 0;
  assertNonNegative(sftWeight, "options.sftWeight");
  return { spec, beta, gamma, entropyWeight, labelSmoothing, sftWeight };
}

// Softmax backward: given ∂L/∂p for p = softmax(θ), returns ∂L/∂θ_j = p_j(∂L/∂p_j − Σ_k p_k ∂L/∂p_k).
function softmaxBackward(p: readonly number[], dp: readonly number[]): number[] {
  const dot = p.reduce((s, pk, k) => s + pk * (dp[k] as number), 0);
  return p.map((pj, j) => pj * ((dp[j] as number) - dot));
}
// ∂H/∂θ for p = softmax(θ): −p_j(log p_j + H).
function entropyBackward(p: readonly number[]): number[] {
  const h = -p.reduce((s, pk) => s + (pk > 0 ? pk * Math.log(pk) : 0), 0);
  return p.map((pj) => (pj > 0 ? -pj * (Math.log(pj) + h) : 0));
}

interface ResolvedMargin {
  shape: MarginShape;
  weights?: KernelWeights;
  entropy?: number;
  // Given ∂L/∂G_i·(per kernel) returns the logits' gradient (without the entropy bonus), and the bonus's.
  backward?: (dLdw: KernelWeights, eta: number) => number[];
}

const MARGINS: Readonly<Record<MarginKind, (o: PreferenceLossOptions) => ResolvedMargin>> = {
  linear: () => ({ shape: LINEAR_MARGIN }),
  polynomial: (o) => ({ shape: KERNEL_MARGINS.polynomial(o) }),
  rbf: (o) => ({ shape: KERNEL_MARGINS.rbf(o) }),
  spectral: (o) => ({ shape: KERNEL_MARGINS.spectral(o) }),
  mahalanobis: (o) => ({ shape: KERNEL_MARGINS.mahalanobis(o) }),
  mixture: (o) => {
    const logits = o.mixtureLogits ?? [0, 0, 0, 0];
    const weights = flatMixtureWeights(logits);
    const p = MIXTURE_KERNELS.map((k) => weights[k]);
    return {
      ...mixtureMargin(weights, o),
      weights,
      entropy: flatMixtureEntropy(weights),
      backward: (dLdw, eta) => {
        const g = softmaxBackward(p, MIXTURE_KERNELS.map((k) => dLdw[k]));
        const h = entropyBackward(p);
        return g.map((gj, j) => gj - eta * (h[j] as number));
      },
    };
  },
  hmk: (o) => {
    const w = hmkWeights(o.hmkLogits ?? { tau: [0, 0], local: [0, 0], global: [0, 0] });
    return {
      ...mixtureMargin(w.weights, o),
      weights: w.weights,
      entropy: hmkEntropy(w),
      backward: (dLdw, eta) => {
        // w_rbf = τ₁λ₁, w_poly = τ₁λ₂, w_spec = τ₂λ₃, w_maha = τ₂λ₄.
        const dTau = [
          dLdw.rbf * w.local[0] + dLdw.polynomial * w.local[1],
          dLdw.spectral * w.global[0] + dLdw.mahalanobis * w.global[1],
        ];
        const dLocal = [dLdw.rbf * w.tau[0], dLdw.polynomial * w.tau[0]];
        const dGlobal = [dLdw.spectral * w.tau[1], dLdw.mahalanobis * w.tau[1]];
        const levels: [readonly number[], number[]][] = [[w.tau, dTau], [w.local, dLocal], [
          w.global,
          dGlobal,
        ]];
        return levels.flatMap(([p, dp]) => {
          const g = softmaxBackward(p, dp);
          const h = entropyBackward(p);
          return g.map((gj, j) => gj - eta * (h[j] as number));
        });
      },
    };
  },
};

function tokenCounts(pair: PreferencePair, loss: string): [number, number] {
  const counts: [number, number] = [0, 0];
  (["chosenTokens", "rejectedTokens"] as const).forEach((key, i) => {
    const n = pair[key];
    if (n === undefined || !(n > 0) || !Number.isFinite(n)) {
      throw new RangeError(`pair.${key} must be a finite count > 0 for loss ${loss}, got ${describe(n)}`);
    }
    counts[i] = n;
  });
  return counts;
}

/**
 * The loss of one preference pair under any loss of {@link LOSSES}, with exact gradients with respect to the
 * policy's log-probs (and the mixture logits).
 *
 * Limits where the kernel losses reduce to DPO: the polynomial margin at degree 1; RBF as σ → ∞; Mahalanobis
 * as the variance → ∞; spectral at damping 0 as the length-scale → ∞; γ = 0 removes the embedding term. Every
 * kernel loss is non-increasing in ℓ(y_w) (spectral inside ρω²ℓ² ≤ π(1 − ρ)), finite for log-prob margins of
 * ±1e4, and equal to DPO to first order at Δ = 0.
 *
 * @param pair The four summed log-probs, and the embedding margin / token count when needed.
 * @param options The loss, β, γ, divergence, kernel options, mixture logits, label smoothing, SFT weight.
 * @returns The loss, rewards, margin, score and gradients.
 * @throws {RangeError} On non-finite inputs, bad options (named), γ > 0 without an embedding margin, or an
 * SFT weight without a token count.
 * @example
 * ```ts
 * import { preferenceLoss } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const pair = { policyChosen: -10, policyRejected: -12, referenceChosen: -11, referenceRejected: -11 };
 * const dpo = preferenceLoss(pair, { loss: "dpo", beta: 0.1 });
 * assert.ok(Math.abs(dpo.loss - Math.log1p(Math.exp(-0.2))) < 1e-15); // −log σ(0.1·(1 − (−1)))
 * const rbf = preferenceLoss(pair, { loss: "rbf", beta: 0.1, rbf: { sigma: 1 } });
 * assert.ok(rbf.loss > dpo.loss); // the RBF margin saturates: a slightly smaller score
 * ```
 */
export function preferenceLoss(
  pair: PreferencePair,
  options: PreferenceLossOptions = {},
): PreferenceLossResult {
  const { spec, beta, gamma, entropyWeight: eta, labelSmoothing, sftWeight } = resolveLossOptions(options);
  assertFinite(pair.policyChosen, "pair.policyChosen");
  assertFinite(pair.policyRejected, "pair.policyRejected");
  assertFinite(pair.referenceChosen, "pair.referenceChosen");
  assertFinite(pair.referenceRejected, "pair.referenceRejected");

  // Rewards: r = β·φ(z), z = ℓ − ℓ_ref (divided by the token count for length-normalized losses).
  const phi = implicitScore(options.divergence ?? "kl", options);
  const [nw, nl] = spec.lengthNormalized ? tokenCounts(pair, options.loss ?? "dpo") : [1, 1];
  const zw = (pair.policyChosen - pair.referenceChosen) / nw;
  const zl = (pair.policyRejected - pair.referenceRejected) / nl;
  const rewardChosen = beta * phi.value(zw);
  const rewardRejected = beta * phi.value(zl);

  // The hybrid margin Δ = r_w − r_l + γ·e.
  let margin = rewardChosen - rewardRejected;
  if (gamma > 0) {
    if (pair.embeddingMargin === undefined) {
      throw new RangeError(`pair.embeddingMargin is required when options.gamma > 0 (got gamma ${gamma})`);
    }
    assertFinite(pair.embeddingMargin, "pair.embeddingMargin");
    margin += gamma * pair.embeddingMargin;
  }

  // The kernelized score s and the objective ψ(s).
  const resolved = MARGINS[spec.margin](options);
  const { score, slope } = kernelizedMargin(margin, resolved.shape);
  const objective = OBJECTIVES[spec.objective];
  const ctx = { beta, labelSmoothing };
  let loss = objective.value(score, ctx);
  const dLds = Number.isFinite(score) ? objective.derivative(score, ctx) : 0;
  const dLdDelta = dLds * slope;
  let gradChosen = (dLdDelta * beta * phi.derivative(zw)) / nw;
  const gradRejected = (-dLdDelta * beta * phi.derivative(zl)) / nl;

  if (sftWeight > 0) {
    const n = pair.chosenTokens;
    if (n === undefined || !(n > 0)) {
      throw new RangeError(`pair.chosenTokens must be > 0 when options.sftWeight > 0, got ${describe(n)}`);
    }
    loss += (sftWeight * -pair.policyChosen) / n;
    gradChosen += -sftWeight / n;
  }

  const result: PreferenceLossResult = {
    loss,
    rewardChosen,
    rewardRejected,
    margin,
    score,
    gradChosen,
    gradRejected,
  };
  if (resolved.weights !== undefined && resolved.backward !== undefined && resolved.entropy !== undefined) {
    loss -= eta * resolved.entropy;
    // ∂s/∂w_i = Δ·G_i(u)/(2√G(u)) for the effective weight w_i of base kernel i.
    const u = margin * margin;
    const g = resolved.shape.g(u);
    const parts = mixtureMargin(resolved.weights, options).parts;
    const dLdw = {} as KernelWeights;
    for (const k of MIXTURE_KERNELS) {
      const d = Number.isFinite(score) && g > 0 ? (dLds * margin * parts[k].g(u)) / (2 * Math.sqrt(g)) : 0;
      dLdw[k] = Number.isFinite(d) ? d : 0;
    }
    result.loss = loss;
    result.weights = resolved.weights;
    result.entropy = resolved.entropy;
    result.gradLogits = resolved.backward(dLdw, eta);
  }
  return result;
}

/** Mean loss over a batch of pairs, with per-pair results and TRL-style summary statistics. */
export interface PreferenceBatchResult {
  /** Mean loss. */
  loss: number;
  /** Mean r_w (TRL's `rewards/chosen`). */
  rewardsChosen: number;
  /** Mean r_l (`rewards/rejected`). */
  rewardsRejected: number;
  /** Fraction of pairs with r_w > r_l (`rewards/accuracies`). */
  accuracy: number;
  /** Mean r_w − r_l (`rewards/margins`). */
  margins: number;
  /** Per-pair results; their gradients are of the mean loss (divided by the batch size). */
  items: PreferenceLossResult[];
}

/**
 * {@link preferenceLoss} over a batch, averaged, with the gradients of the mean.
 *
 * @param pairs A non-empty batch.
 * @param options As for {@link preferenceLoss}.
 * @returns The mean loss, TRL's reward statistics and the per-pair results.
 * @throws {RangeError} On an empty batch, or whatever {@link preferenceLoss} throws (naming the pair index).
 * @example
 * ```ts
 * import { preferenceLossBatch } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const pair = { policyChosen: -1, policyRejected: -1, referenceChosen: -1, referenceRejected: -1 };
 * const batch = preferenceLossBatch([pair, pair], { loss: "dpo" });
 * assert.equal(batch.loss, Math.LN2);
 * assert.equal(batch.items[0]?.gradChosen, -0.025); // −σ(0)·β / 2
 * ```
 */
export function preferenceLossBatch(
  pairs: readonly PreferencePair[],
  options: PreferenceLossOptions = {},
): PreferenceBatchResult {
  if (!Array.isArray(pairs) || pairs.length === 0) {
    throw new RangeError(`pairs must be a non-empty array of preference pairs, got ${describe(pairs)}`);
  }
  const n = pairs.length;
  const items = pairs.map((pair, i) => {
    try {
      const r = preferenceLoss(pair, options);
      r.gradChosen /= n;
      r.gradRejected /= n;
      if (r.gradLogits) r.gradLogits = r.gradLogits.map((g) => g / n);
      return r;
    } catch (e) {
      if (e instanceof RangeError) throw new RangeError(`pairs[${i}]: ${e.message}`);
      throw e;
    }
  });
  const mean = (f: (r: PreferenceLossResult) => number): number => items.reduce((s, r) => s + f(r), 0) / n;
  return {
    loss: mean((r) => r.loss),
    rewardsChosen: mean((r) => r.rewardChosen),
    rewardsRejected: mean((r) => r.rewardRejected),
    accuracy: mean((r) => (r.rewardChosen > r.rewardRejected ? 1 : 0)),
    margins: mean((r) => r.rewardChosen - r.rewardRejected),
    items,
  };
}
