/**
 * Kernel mixtures: the flat mixture of Sec. 6 (one softmax over four kernels, which collapses onto one kernel
 * during training, Fig. 5) and the Hierarchical Mixture of Kernels of Sec. 6.1 (a softmax over a local and a
 * global group, and a softmax inside each group), with the entropy that the training objective rewards against
 * collapse.
 *
 * @module
 */
import { entropy, logSumExp, softmax } from "../math/stable.ts";
import type { Vector } from "../math/types.ts";
import { assertFiniteVector, describe } from "../math/validation.ts";
import { KERNEL_NAMES, type KernelName, KERNELS } from "./table.ts";

/** The name of a kernel the mixtures use: an entry of `KERNELS` with `mixture: true`. */
export type MixtureKernelName = {
  [K in KernelName]: (typeof KERNELS)[K]["mixture"] extends true ? K : never;
}[KernelName];

/**
 * The base kernels of a mixture, in the order of the paper's flat mixture (λ₁…λ₄): the kernels of `KERNELS`
 * marked `mixture`, in table order.
 */
export const MIXTURE_KERNELS: readonly MixtureKernelName[] = Object.freeze(
  KERNEL_NAMES.filter((k): k is MixtureKernelName => KERNELS[k].mixture),
);

/** A weight per base kernel. */
export type KernelWeights = Record<MixtureKernelName, number>;

/** The HMK groups: τ₁ weighs the local kernels (RBF, polynomial), τ₂ the global ones (spectral, Mahalanobis). */
export const HMK_GROUPS: Readonly<
  { local: readonly MixtureKernelName[]; global: readonly MixtureKernelName[] }
> = Object.freeze({ local: ["rbf", "polynomial"] as const, global: ["spectral", "mahalanobis"] as const });

/** Unconstrained HMK parameters: logits of τ (local, global) and of λ inside each group. */
export interface HmkLogits {
  /** Logits of (τ₁, τ₂) = (local, global). */
  tau: Vector;
  /** Logits of (λ₁, λ₂) = (RBF, polynomial). */
  local: Vector;
  /** Logits of (λ₃, λ₄) = (spectral, Mahalanobis). */
  global: Vector;
}

/** HMK weights after the softmaxes, and the effective weight τ_g·λ_i of each base kernel. */
export interface HmkWeights {
  /** (τ₁, τ₂), summing to 1. */
  tau: [number, number];
  /** (λ₁, λ₂) for (RBF, polynomial), summing to 1. */
  local: [number, number];
  /** (λ₃, λ₄) for (spectral, Mahalanobis), summing to 1. */
  global: [number, number];
  /** The effective weight τ_g·λ_i of each base kernel; they sum to 1. */
  weights: KernelWeights;
}

function pair(logits: Vector, name: string): [number, number] {
  assertFiniteVector(logits, name);
  if (logits.length !== 2) throw new RangeError(`${name} must hold 2 logits, got ${describe(logits)}`);
  const [a, b] = softmax(logits) as [number, number];
  return [a, b];
}

/**
 * The flat mixture's weights λ = softmax(θ) over (polynomial, RBF, spectral, Mahalanobis).
 *
 * @param logits One unconstrained parameter θ per kernel of {@link MIXTURE_KERNELS} (four), in its order.
 * @returns The weight of each kernel; they sum to 1.
 * @throws {RangeError} Unless there is exactly one finite logit per mixture kernel.
 * @example
 * ```ts
 * import { flatMixtureWeights } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.deepEqual(flatMixtureWeights([0, 0, 0, 0]), { polynomial: 0.25, rbf: 0.25, spectral: 0.25, mahalanobis: 0.25 });
 * ```
 */
export function flatMixtureWeights(logits: Vector): KernelWeights {
  assertFiniteVector(logits, "logits");
  const n = MIXTURE_KERNELS.length;
  if (logits.length !== n) throw new RangeError(`logits must hold ${n} values, got ${describe(logits)}`);
  const w = softmax(logits);
  return Object.fromEntries(MIXTURE_KERNELS.map((k, i) => [k, w[i] as number])) as KernelWeights;
}

/**
 * The HMK weights K = τ₁(λ₁K_RBF + λ₂K_poly) + τ₂(λ₃K_spec + λ₄K_maha), each level a softmax of its logits.
 *
 * @param logits The logits of τ, of the local λ and of the global λ (two each).
 * @returns τ, λ per group, and the effective weight τ_g·λ_i of each kernel.
 * @throws {RangeError} Unless each group holds exactly two finite logits.
 * @example
 * ```ts
 * import { hmkWeights } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const w = hmkWeights({ tau: [0, 0], local: [0, 0], global: [0, 0] });
 * assert.equal(w.weights.rbf, 0.25);
 * ```
 */
export function hmkWeights(logits: HmkLogits): HmkWeights {
  const tau = pair(logits.tau, "logits.tau");
  const local = pair(logits.local, "logits.local");
  const global = pair(logits.global, "logits.global");
  return {
    tau,
    local,
    global,
    weights: {
      rbf: tau[0] * local[0],
      polynomial: tau[0] * local[1],
      spectral: tau[1] * global[0],
      mahalanobis: tau[1] * global[1],
    },
  };
}

/**
 * The entropy the flat mixture's objective can reward: H(λ) in nats (at most ln 4).
 *
 * @param weights The kernel weights.
 * @returns −Σ λ_i log λ_i.
 * @example
 * ```ts
 * import { flatMixtureEntropy, flatMixtureWeights } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.ok(Math.abs(flatMixtureEntropy(flatMixtureWeights([0, 0, 0, 0])) - Math.log(4)) < 1e-15);
 * ```
 */
export function flatMixtureEntropy(weights: KernelWeights): number {
  return entropy(MIXTURE_KERNELS.map((k) => weights[k]));
}

/**
 * The HMK entropy bonus: H(τ) + H(λ_local) + H(λ_global), each level's entropy counted in full so that
 * neither the groups nor the kernels inside a group can collapse without losing bonus (at most 3·ln 2).
 *
 * @param weights HMK weights from {@link hmkWeights}.
 * @returns The summed entropy in nats.
 * @example
 * ```ts
 * import { hmkEntropy, hmkWeights } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const h = hmkEntropy(hmkWeights({ tau: [0, 0], local: [0, 0], global: [0, 0] }));
 * assert.ok(Math.abs(h - 3 * Math.LN2) < 1e-15);
 * ```
 */
export function hmkEntropy(weights: HmkWeights): number {
  return entropy(weights.tau) + entropy(weights.local) + entropy(weights.global);
}

/**
 * The value of a mixture kernel Σ_i w_i κ_i from the base kernels' values.
 *
 * @param weights A weight per base kernel.
 * @param values Each base kernel's value κ_i(a, b).
 * @returns Σ_i w_i κ_i.
 * @example
 * ```ts
 * import { mixKernelValues } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const w = { polynomial: 0.1, rbf: 0.2, spectral: 0.3, mahalanobis: 0.4 };
 * assert.equal(mixKernelValues(w, { polynomial: 1, rbf: 1, spectral: 1, mahalanobis: 1 }), 1);
 * ```
 */
export function mixKernelValues(weights: KernelWeights, values: KernelWeights): number {
  let s = 0;
  for (const k of MIXTURE_KERNELS) s += weights[k] * values[k];
  return s;
}

/**
 * log Σ_i w_i κ_i from the base kernels' log-values, without underflow (for the hybrid loss's log-ratio).
 *
 * @param weights A weight per base kernel (≥ 0).
 * @param logValues Each base kernel's log κ_i(a, b).
 * @returns log Σ_i w_i κ_i.
 * @example
 * ```ts
 * import { logMixKernelValues } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const w = { polynomial: 0.25, rbf: 0.25, spectral: 0.25, mahalanobis: 0.25 };
 * assert.equal(logMixKernelValues(w, { polynomial: -1000, rbf: -1000, spectral: -1000, mahalanobis: -1000 }), -1000);
 * ```
 */
export function logMixKernelValues(weights: KernelWeights, logValues: KernelWeights): number {
  return logSumExp(MIXTURE_KERNELS.map((k) => Math.log(weights[k]) + logValues[k]));
}
