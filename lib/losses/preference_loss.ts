/**
 * The DPO-Kernels loss of one preference pair in numeric form, with its exact gradients: the function that
 * evaluates any loss of the loss table (`loss_table.ts`). The trainer evaluates the same formulas as tensor ops;
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
import type { KernelWeights } from "../kernels/mixture.ts";
import { MIXTURE_KERNELS } from "../kernels/mixture.ts";
import { assertFinite, describe } from "../math/validation.ts";
import { implicitScore } from "./implicit_scores.ts";
import { kernelizedMargin, mixtureMargin } from "./kernel_margin.ts";
import { DEFAULT_DIVERGENCE, type PreferenceLossOptions, resolveLossOptions } from "./loss_options.ts";
import { DEFAULT_LOSS } from "./loss_table.ts";
import { OBJECTIVES } from "./objectives.ts";
import { resolveMargin } from "./resolved_margin.ts";

// The loss table and the options moved to their own files; importers of this module keep their names.
export { lossByName, LOSSES, type LossName, type LossSpec, type MarginKind } from "./loss_table.ts";
export {
  PREFERENCE_LOSS_OPTION_KEYS,
  type PreferenceLossOptions,
  type ResolvedLossOptions,
  resolveLossOptions,
} from "./loss_options.ts";

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
  const phi = implicitScore(options.divergence ?? DEFAULT_DIVERGENCE, options);
  const [nw, nl] = spec.lengthNormalized ? tokenCounts(pair, options.loss ?? DEFAULT_LOSS) : [1, 1];
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
  const resolved = resolveMargin(spec.margin, options);
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
