/**
 * How each margin kind of the loss table resolves to a margin shape: G ≡ 1, one kernel's shape (every kernel
 * of `KERNELS`), or a learned mixture with its weights, entropy and the exact backward pass to its logits.
 *
 * @module
 */
import {
  flatMixtureEntropy,
  flatMixtureWeights,
  hmkEntropy,
  type HmkLogits,
  hmkWeights,
  type KernelWeights,
  MIXTURE_KERNELS,
} from "../kernels/mixture.ts";
import type { MarginShape } from "../kernels/margin_shape.ts";
import { KERNEL_NAMES, kernelMarginShape, type KernelName } from "../kernels/table.ts";
import { LINEAR_MARGIN, mixtureMargin } from "./kernel_margin.ts";
import type { PreferenceLossOptions } from "./loss_options.ts";
import type { MarginKind } from "./loss_table.ts";

/** HMK's logits when none are given: zeros, every weight ½ at each level. */
export const DEFAULT_HMK_LOGITS: Readonly<HmkLogits> = Object.freeze({
  tau: [0, 0],
  local: [0, 0],
  global: [0, 0],
});

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

/** A loss's margin shape, and for the mixtures their weights, entropy and the logits' backward pass. */
export interface ResolvedMargin {
  shape: MarginShape;
  weights?: KernelWeights;
  entropy?: number;
  // Given ∂L/∂G_i·(per kernel) returns the logits' gradient (without the entropy bonus), and the bonus's.
  backward?: (dLdw: KernelWeights, eta: number) => number[];
}

const MARGINS: Readonly<{ [K in MarginKind]: (o: PreferenceLossOptions) => ResolvedMargin }> = {
  linear: () => ({ shape: LINEAR_MARGIN }),
  ...(Object.fromEntries(
    KERNEL_NAMES.map((k) => [k, (o: PreferenceLossOptions) => ({ shape: kernelMarginShape(k, o) })]),
  ) as Record<KernelName, (o: PreferenceLossOptions) => ResolvedMargin>),
  mixture: (o) => {
    const logits = o.mixtureLogits ?? MIXTURE_KERNELS.map(() => 0);
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
    const w = hmkWeights(o.hmkLogits ?? DEFAULT_HMK_LOGITS);
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

/**
 * The margin of a loss's margin kind under the given options.
 *
 * @param kind The loss's `margin`.
 * @param options The loss's options (kernel options, mixture logits).
 * @returns The shape, and for the mixtures their weights, entropy and backward pass.
 * @throws {RangeError} On bad kernel options or logits (named).
 * @example
 * ```ts
 * import { resolveMargin } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(resolveMargin("linear", {}).shape.g(9), 1);
 * assert.equal(resolveMargin("mixture", {}).weights?.rbf, 0.25);
 * ```
 */
export function resolveMargin(kind: MarginKind, options: PreferenceLossOptions): ResolvedMargin {
  return MARGINS[kind](options);
}
