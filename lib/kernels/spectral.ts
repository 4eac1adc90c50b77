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
import { expRatio, expRatioDerivative, type MarginShape } from "./margin_shape.ts";

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

/** The spectral kernel's default cosine depth ρ. */
export const DEFAULT_SPECTRAL_DAMPING = 0.5;

/**
 * Resolved spectral options with their defaults, validated.
 *
 * @param options The kernel's options; a missing field takes its named default.
 * @returns Every option filled in.
 * @throws {RangeError} For an option outside its range, naming it.
 * @example
 * ```ts
 * import { spectralDefaults } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(spectralDefaults().damping, 0.5);
 * assert.throws(() => spectralDefaults({ damping: 2 }), RangeError);
 * ```
 */
export function spectralDefaults(options: SpectralKernelOptions = {}): Required<SpectralKernelOptions> {
  const components = options.components ?? DEFAULT_SPECTRAL_COMPONENTS;
  const damping = options.damping ?? DEFAULT_SPECTRAL_DAMPING;
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

// sinc(y) = sin y / y and q(y) = (y cos y − sin y)/y³, exact near 0 by their Taylor series.
function sinc(y: number): number {
  return Math.abs(y) < 1e-4 ? 1 - (y * y) / 6 : Math.sin(y) / y;
}
function sincSlopeRatio(y: number): number {
  const y2 = y * y;
  if (Math.abs(y) < 1e-2) return -1 / 3 + y2 / 30 - (y2 * y2) / 840;
  return (y * Math.cos(y) - Math.sin(y)) / (y2 * y);
}

/**
 * The spectral margin: s = sign(Δ)·√(2(κ(0) − κ(Δ)) / c) for the positive spectral mixture kernel
 * κ(τ) = Σ w_q e^{−τ²/2ℓ_q²}(1 + ρ cos ω_qτ)/(1 + ρ), ω = 2πμ, c = Σ w_q(1/ℓ_q² + ρω_q²/(1 + ρ)).
 * Monotone in Δ where ρ·ω_q²·ℓ_q² ≤ π(1 − ρ) for every component (the cosine cannot undo the envelope's
 * decay); the condition is sufficient, not necessary, and far outside it the loss oscillates. ρ = 0 gives an RBF mixture; ρ = 0, ℓ → ∞ gives DPO.
 *
 * @param options Components (scalar frequencies) and damping ρ.
 * @returns The margin shape.
 * @throws {RangeError} On invalid components, or a vector frequency (the margin is a scalar).
 * @example
 * ```ts
 * import { spectralMargin } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.ok(Math.abs(spectralMargin().g(0) - 1) < 1e-12);
 * ```
 */
export function spectralMargin(options: SpectralKernelOptions = {}): MarginShape {
  const { components, damping: rho } = spectralDefaults(options);
  const comps = components.map((c, q) => {
    if (typeof c.frequency !== "number") {
      throw new RangeError(`options.components[${q}].frequency must be a number for the scalar margin`);
    }
    const omega = 2 * Math.PI * c.frequency;
    return { w: c.weight, k: 1 / (2 * c.lengthscale * c.lengthscale), omega };
  });
  const curvature = comps.reduce(
    (s, { w, k, omega }) => s + w * (2 * k + (rho * omega * omega) / (1 + rho)),
    0,
  );
  const r = rho / (1 + rho);
  // d²(u) / u = 2 Σ w [ k·E(k u) + r·e^{−k u}·(ω²/2)·sinc²(ω√u/2) ];  G = that / curvature.
  const g = (u: number): number => {
    let s = 0;
    for (const { w, k, omega } of comps) {
      const y = (omega * Math.sqrt(u)) / 2;
      s += w * (k * expRatio(k * u) + r * Math.exp(-k * u) * (omega * omega / 2) * sinc(y) ** 2);
    }
    return (2 * s) / curvature;
  };
  const dg = (u: number): number => {
    let s = 0;
    for (const { w, k, omega } of comps) {
      const y = (omega * Math.sqrt(u)) / 2;
      const sc = sinc(y);
      const b = r * Math.exp(-k * u) * (omega * omega / 2);
      // d/du sinc²(y) = 2 sinc(y) sinc'(y) dy/du, with sinc'(y)/y = q(y) and y·dy/du = ω²/8.
      const dSinc2 = 2 * sc * sincSlopeRatio(y) * (omega * omega / 8);
      s += w * (k * k * expRatioDerivative(k * u) - k * b * sc * sc + b * dSinc2);
    }
    return (2 * s) / curvature;
  };
  return { g, dg };
}
