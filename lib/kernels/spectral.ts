/**
 * A spectral-mixture kernel (Table 1, third row), made strictly positive so that its log exists.
 *
 * The paper writes the spectral kernel as Σᵢ exp(−λᵢu²)·φᵢ(u): Gaussian envelopes times oscillating
 * eigenfunctions. Its stationary, positive-definite realization is the spectral mixture kernel of Wilson &
 * Adams (2013), Σ_q w_q·exp(−τ²/2ℓ_q²)·cos(2πμ_q·τ), which can be negative, so log κ (the hybrid loss takes
 * one) would not exist. We add a constant to each cosine:
 *
 *   κ(a, b) = Σ_q w_q · exp(−‖τ‖² / 2ℓ_q²) · (1 + ρ·cos(2π μ_q·τ)) / (1 + ρ),   τ = a − b,  0 ≤ ρ < 1.
 *
 * 1 + ρ cos(·) is a positive-definite kernel (a constant plus a cosine kernel) and the product of
 * positive-definite kernels is positive-definite, so κ is a valid kernel; it is ≥ (1 − ρ)/(1 + ρ) times a
 * Gaussian, hence > 0 everywhere, and κ(a, a) = Σ w_q.
 *
 * @module
 */
import type { Vector } from "../math/types.ts";
import { logSumExp } from "../math/stable.ts";
import { squaredEuclidean } from "../math/vector.ts";
import { assertFinite, assertInRange, assertNonEmpty, assertPositive, describe } from "../math/validation.ts";
import { asPair, type Point } from "./point.ts";

/** One component of the spectral mixture: a Gaussian envelope times a cosine. */
export interface SpectralComponent {
  /** Mixture weight w > 0. */
  weight: number;
  /** Envelope length-scale ℓ > 0. */
  lengthscale: number;
  /**
   * Frequency μ ≥ 0 in cycles per unit. A number applies to every coordinate (μ = (f, …, f)); a vector gives
   * one frequency per coordinate.
   */
  frequency: number | Vector;
}

/** Options of the spectral kernel. */
export interface SpectralKernelOptions {
  /** The components (default one component: weight 1, length-scale 1, frequency 0.25). */
  components?: readonly SpectralComponent[];
  /** The cosine's depth ρ in [0, 1) (default 0.5); ρ = 0 leaves a mixture of RBF kernels. */
  damping?: number;
}

/** The default spectral mixture: one component. */
export const DEFAULT_SPECTRAL_COMPONENTS: readonly SpectralComponent[] = Object.freeze([
  Object.freeze({ weight: 1, lengthscale: 1, frequency: 0.25 }),
]);

/** Resolved spectral options with their defaults, validated. */
export function spectralDefaults(options: SpectralKernelOptions = {}): Required<SpectralKernelOptions> {
  const components = options.components ?? DEFAULT_SPECTRAL_COMPONENTS;
  const damping = options.damping ?? 0.5;
  if (!Array.isArray(components)) {
    throw new TypeError(`options.components must be an array, got ${describe(components)}`);
  }
  assertNonEmpty(components, "options.components");
  components.forEach((c, q) => {
    assertPositive(c.weight, `options.components[${q}].weight`);
    assertPositive(c.lengthscale, `options.components[${q}].lengthscale`);
    if (typeof c.frequency === "number") {
      assertFinite(c.frequency, `options.components[${q}].frequency`);
    } else {
      for (let i = 0; i < c.frequency.length; i++) {
        assertFinite(c.frequency[i] as number, `options.components[${q}].frequency[${i}]`);
      }
    }
  });
  assertInRange(damping, "options.damping", 0, 1, { hi: true });
  return { components, damping };
}

function phase(frequency: number | Vector, tau: Vector): number {
  let s = 0;
  if (typeof frequency === "number") {
    for (let i = 0; i < tau.length; i++) s += tau[i] as number;
    return 2 * Math.PI * frequency * s;
  }
  if (frequency.length !== tau.length) {
    throw new RangeError(
      `a spectral component's frequency vector must have the points' length ${tau.length}, got ${frequency.length}`,
    );
  }
  for (let i = 0; i < tau.length; i++) s += (frequency[i] as number) * (tau[i] as number);
  return 2 * Math.PI * s;
}

/**
 * log κ(a, b) of the positive spectral mixture kernel, as a log-sum-exp over components (no underflow).
 *
 * @param a A number or a vector.
 * @param b A number or a vector of the same length.
 * @param options Components (weight, length-scale, frequency) and damping ρ.
 * @returns log Σ_q w_q·exp(−‖τ‖²/2ℓ_q²)·(1 + ρ cos 2πμ_q·τ)/(1 + ρ).
 * @throws {RangeError} On non-finite input, mismatched lengths, or invalid components or damping.
 * @example
 * ```ts
 * import { logSpectralKernel } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(logSpectralKernel(1, 1), 0); // κ(a, a) = Σ w = 1
 * assert.ok(Number.isFinite(logSpectralKernel(0, 1000)));
 * ```
 */
export function logSpectralKernel(a: Point, b: Point, options: SpectralKernelOptions = {}): number {
  const { components, damping } = spectralDefaults(options);
  const [va, vb] = asPair(a, b);
  const tau = Array.from(va, (x, i) => x - (vb[i] as number));
  const r2 = squaredEuclidean(va, vb);
  const logs = components.map((c) =>
    Math.log(c.weight) - r2 / (2 * c.lengthscale * c.lengthscale) +
    Math.log((1 + damping * Math.cos(phase(c.frequency, tau))) / (1 + damping))
  );
  return logSumExp(logs);
}

/**
 * The positive spectral mixture kernel κ(a, b) = Σ_q w_q·exp(−‖τ‖²/2ℓ_q²)·(1 + ρ cos 2πμ_q·τ)/(1 + ρ).
 *
 * @param a A number or a vector.
 * @param b A number or a vector of the same length.
 * @param options Components (weight, length-scale, frequency) and damping ρ (default 0.5).
 * @returns A similarity > 0, equal to Σ w_q where a = b.
 * @throws {RangeError} On non-finite input, mismatched lengths, or invalid components or damping.
 * @example
 * ```ts
 * import { spectralKernel } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const k = spectralKernel(0, 2, { components: [{ weight: 1, lengthscale: 1, frequency: 0.25 }], damping: 0.5 });
 * // exp(-2) · (1 + 0.5·cos(π)) / 1.5
 * assert.ok(Math.abs(k - Math.exp(-2) / 3) < 1e-15);
 * ```
 */
export function spectralKernel(a: Point, b: Point, options: SpectralKernelOptions = {}): number {
  return Math.exp(logSpectralKernel(a, b, options));
}
