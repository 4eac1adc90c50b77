/**
 * Kernelized margins: how a kernel turns the (hybrid) reward margin Δ = h_w − h_l into the score s that the
 * logistic loss sees. This is where DPO-Kernels departs from a literal reading of Table 1 (see docs/math.md).
 *
 * Read literally, κ(Δ) = exp(−Δ²/2σ²) is largest at Δ = 0, so maximizing it would reward indifference
 * between the chosen and the rejected response. We instead use the signed distance between the chosen and
 * the rejected reward in the kernel's feature space φ:
 *
 *   s_κ(Δ) = sign(Δ) · ‖φ(Δ) − φ(0)‖ / √c = sign(Δ) · √(κ(Δ,Δ) + κ(0,0) − 2κ(Δ,0)) / √c,
 *
 * where c = −∂²κ(τ)/∂τ² at 0 normalizes every kernel to unit slope at indifference. For the stationary kernels
 * (RBF, spectral, Mahalanobis) ‖φ(Δ) − φ(0)‖ = ‖φ(h_w) − φ(h_l)‖, the feature distance between the two
 * rewards. Every shape is written s = Δ·√G(Δ²) with G smooth, G(0) = 1 and G > 0, so s has no kink at 0,
 * s ≈ Δ near indifference (each kernel loss equals DPO to first order there), and the loss −log σ(s) is DPO
 * exactly when G ≡ 1 (the linear kernel). A mixture kernel Σ wᵢκᵢ of unit-curvature kernels adds squared
 * distances, so its G is Σ wᵢGᵢ.
 *
 * @module
 */
import { assertFinite } from "../math/validation.ts";
import type { KernelWeights, MixtureKernelName } from "../kernels/mixture.ts";
import { MIXTURE_KERNELS } from "../kernels/mixture.ts";
import { polynomialDefaults, type PolynomialKernelOptions } from "../kernels/polynomial.ts";
import { rbfDefaults, type RbfKernelOptions } from "../kernels/rbf.ts";
import { spectralDefaults, type SpectralKernelOptions } from "../kernels/spectral.ts";
import { assertPositive } from "../math/validation.ts";

/** The profile G of a kernelized margin s = Δ·√G(u), u = Δ², with its derivative dG/du. */
export interface MarginShape {
  /** G(u) > 0 with G(0) = 1. */
  g(u: number): number;
  /** dG/du. */
  dg(u: number): number;
}

/** Options of every margin shape, by kernel name. */
export interface MarginShapeOptions {
  /** Polynomial kernel: degree d ≥ 1 and offset c > 0. */
  polynomial?: PolynomialKernelOptions;
  /** RBF kernel: bandwidth σ. */
  rbf?: RbfKernelOptions;
  /** Spectral mixture kernel: components and damping. */
  spectral?: SpectralKernelOptions;
  /**
   * Mahalanobis kernel on the scalar margin: the variance σ² of the margin, estimated from data (see
   * `marginVariance`); default 1.
   */
  mahalanobis?: { variance?: number };
}

// E(v) = (1 − e^−v)/v and its derivative, exact near 0 by their Taylor series.
function expRatio(v: number): number {
  return v < 1e-8 ? 1 - v / 2 : -Math.expm1(-v) / v;
}
function expRatioDerivative(v: number): number {
  if (v < 1e-3) return -0.5 + v / 3 - (v * v) / 8 + (v * v * v) / 30;
  return (Math.exp(-v) * (1 + v) - 1) / (v * v);
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

/** The linear kernel: G ≡ 1, s = Δ, the loss is DPO. */
export const LINEAR_MARGIN: MarginShape = Object.freeze({ g: () => 1, dg: () => 0 });

/**
 * The RBF margin: s = σ·sign(Δ)·√(2(1 − e^{−Δ²/2σ²})), G(u) = E(u/2σ²) with E(v) = (1 − e^{−v})/v.
 * Bounded by σ√2: the RBF loss saturates, so a pair it already ranks far apart stops pulling. σ → ∞ gives
 * DPO.
 *
 * @param options The bandwidth σ (default 1).
 * @returns The margin shape.
 * @throws {RangeError} If σ ≤ 0.
 * @example
 * ```ts
 * import { rbfMargin } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(rbfMargin({ sigma: 2 }).g(0), 1);
 * ```
 */
export function rbfMargin(options: RbfKernelOptions = {}): MarginShape {
  const { sigma } = rbfDefaults(options);
  const k = 1 / (2 * sigma * sigma);
  return { g: (u) => expRatio(k * u), dg: (u) => k * expRatioDerivative(k * u) };
}

/**
 * The Mahalanobis margin on the scalar reward margin: an RBF margin whose bandwidth is the margin's standard
 * deviation σ² = Var(Δ) estimated from data, i.e. the margin measured in units of its own spread.
 *
 * @param options The variance σ² (default 1).
 * @returns The margin shape.
 * @throws {RangeError} If the variance is ≤ 0.
 * @example
 * ```ts
 * import { mahalanobisMargin, rbfMargin } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(mahalanobisMargin({ variance: 4 }).g(3), rbfMargin({ sigma: 2 }).g(3));
 * ```
 */
export function mahalanobisMargin(options: { variance?: number } = {}): MarginShape {
  const variance = options.variance ?? 1;
  assertPositive(variance, "options.variance");
  return rbfMargin({ sigma: Math.sqrt(variance) });
}

/**
 * The polynomial margin: s = sign(Δ)·√(((Δ² + c)^d − c^d) / (d·c^{d−1})), the feature distance between the
 * margin and indifference under κ(a, b) = (ab + c)^d. It grows like |Δ|^d (polynomial pairs keep pulling),
 * and d = 1 gives DPO exactly.
 *
 * @param options Degree d ≥ 1 (default 2) and offset c > 0 (default 1).
 * @returns The margin shape.
 * @throws {RangeError} If d < 1 (the shape would not be monotone) or c ≤ 0 (zero curvature at 0).
 * @example
 * ```ts
 * import { polynomialMargin } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * // degree 2, offset 1: G(u) = (u + 2)/2
 * assert.ok(Math.abs(polynomialMargin({ degree: 2, offset: 1 }).g(4) - 3) < 1e-12);
 * ```
 */
export function polynomialMargin(options: PolynomialKernelOptions = {}): MarginShape {
  const { degree: d, offset: c } = polynomialDefaults(options);
  if (d < 1) throw new RangeError(`options.degree must be >= 1 for a monotone margin, got ${d}`);
  assertPositive(c, "options.offset");
  // With v = u/c: G = ((1+v)^d − 1)/(d·v), exact near 0 by its Taylor series.
  const g = (u: number): number => {
    const v = u / c;
    if (v < 1e-8) return 1 + ((d - 1) / 2) * v;
    return Math.expm1(d * Math.log1p(v)) / (d * v);
  };
  const dg = (u: number): number => {
    const v = u / c;
    if (v < 1e-5) return ((d - 1) / 2 + (v * (d - 1) * (d - 2)) / 3) / c;
    const p = Math.pow(1 + v, d - 1);
    return ((d * v * p - (1 + v) * p + 1) / (d * v * v)) / c;
  };
  return { g, dg };
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

/** The base kernels' margin shapes, by name (options of every kernel in one object). */
export const KERNEL_MARGINS: Readonly<
  Record<MixtureKernelName, (options: MarginShapeOptions) => MarginShape>
> = Object.freeze({
  polynomial: (o: MarginShapeOptions) => polynomialMargin(o.polynomial),
  rbf: (o: MarginShapeOptions) => rbfMargin(o.rbf),
  spectral: (o: MarginShapeOptions) => spectralMargin(o.spectral),
  mahalanobis: (o: MarginShapeOptions) => mahalanobisMargin(o.mahalanobis),
});

/**
 * The shape of a mixture of unit-curvature kernels: G = Σᵢ wᵢGᵢ for weights summing to 1.
 *
 * @param weights A weight per base kernel (a softmax output: non-negative, summing to 1).
 * @param options The base kernels' options.
 * @returns The mixture's shape, and each base kernel's shape (for gradients with respect to the weights).
 * @example
 * ```ts
 * import { mixtureMargin } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const m = mixtureMargin({ polynomial: 0.25, rbf: 0.25, spectral: 0.25, mahalanobis: 0.25 });
 * assert.equal(m.shape.g(0), 1);
 * ```
 */
export function mixtureMargin(
  weights: KernelWeights,
  options: MarginShapeOptions = {},
): { shape: MarginShape; parts: Record<MixtureKernelName, MarginShape> } {
  for (const k of MIXTURE_KERNELS) assertFinite(weights[k], `weights.${k}`);
  const parts = {
    polynomial: KERNEL_MARGINS.polynomial(options),
    rbf: KERNEL_MARGINS.rbf(options),
    spectral: KERNEL_MARGINS.spectral(options),
    mahalanobis: KERNEL_MARGINS.mahalanobis(options),
  };
  const shape: MarginShape = {
    g: (u) => MIXTURE_KERNELS.reduce((s, k) => s + weights[k] * parts[k].g(u), 0),
    dg: (u) => MIXTURE_KERNELS.reduce((s, k) => s + weights[k] * parts[k].dg(u), 0),
  };
  return { shape, parts };
}

/** The kernelized score s(Δ) and its slope ds/dΔ. */
export interface KernelizedMargin {
  /** s = Δ·√G(Δ²). */
  score: number;
  /** ds/dΔ = √G + 2u·G′(u)/(2√G) with u = Δ². */
  slope: number;
}

/**
 * Applies a margin shape: s = Δ·√G(Δ²) and ds/dΔ. Infinite s (a polynomial margin beyond double range) is
 * returned as ±Infinity with slope 0, which the logistic loss turns into a zero loss and a zero gradient.
 *
 * @param delta The margin Δ.
 * @param shape A margin shape.
 * @returns The score and its slope.
 * @throws {RangeError} If Δ is not finite.
 * @example
 * ```ts
 * import { kernelizedMargin, LINEAR_MARGIN } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.deepEqual(kernelizedMargin(1.5, LINEAR_MARGIN), { score: 1.5, slope: 1 });
 * ```
 */
export function kernelizedMargin(delta: number, shape: MarginShape): KernelizedMargin {
  assertFinite(delta, "delta");
  const u = delta * delta;
  const g = shape.g(u);
  const root = Math.sqrt(g);
  const score = delta * root;
  if (!Number.isFinite(score)) return { score: delta > 0 ? Infinity : -Infinity, slope: 0 };
  const slope = root + (u * shape.dg(u)) / root;
  return { score, slope: Number.isFinite(slope) ? slope : 0 };
}

/**
 * Estimates the variance of reward margins for the Mahalanobis margin, shrunk toward a prior so that a small
 * or constant batch still gives a usable bandwidth: σ² = (1 − s)·Var(Δ) + s·prior (population variance).
 *
 * @param margins Observed margins Δ (for instance β·(z_w − z_l) of the reference-free SFT policy, or of a
 * previous epoch).
 * @param options The shrinkage s in [0, 1] (default 0.1) and the prior variance (default 1).
 * @returns The shrunk variance, > 0.
 * @throws {RangeError} On empty or non-finite margins, or options out of range.
 * @example
 * ```ts
 * import { marginVariance } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(marginVariance([1, 3], { shrinkage: 0 }), 1);
 * assert.equal(marginVariance([2, 2], { shrinkage: 0.5, prior: 4 }), 2);
 * ```
 */
export function marginVariance(
  margins: readonly number[],
  options: { shrinkage?: number; prior?: number } = {},
): number {
  const shrinkage = options.shrinkage ?? 0.1;
  const prior = options.prior ?? 1;
  if (!(shrinkage >= 0 && shrinkage <= 1)) {
    throw new RangeError(`options.shrinkage must lie in [0, 1], got ${shrinkage}`);
  }
  assertPositive(prior, "options.prior");
  if (!Array.isArray(margins) || margins.length === 0) {
    throw new RangeError(`margins must be a non-empty array, got length ${margins?.length}`);
  }
  margins.forEach((m, i) => assertFinite(m, `margins[${i}]`));
  const mean = margins.reduce((a, b) => a + b, 0) / margins.length;
  const variance = margins.reduce((a, b) => a + (b - mean) ** 2, 0) / margins.length;
  const shrunk = (1 - shrinkage) * variance + shrinkage * prior;
  if (!(shrunk > 0)) {
    throw new RangeError(`margins are constant and options.shrinkage is 0: the variance would be 0`);
  }
  return shrunk;
}
