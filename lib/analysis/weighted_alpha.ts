/**
 * Heavy-tailed self-regularization metrics (Martin & Mahoney): a weight matrix's empirical spectral density
 * and WeightWatcher's weighted alpha, the generalization metric of Sec. 7.5 of the paper.
 *
 * The singular values come from `ml-matrix` (a well-kept port of JAMA's Golub–Kahan SVD), not from
 * hand-written linear algebra.
 *
 * @module
 */
import { Matrix as MlMatrix, SingularValueDecomposition } from "ml-matrix";
import type { Matrix } from "../math/types.ts";
import { assertMatrix, assertNonNegative, describe } from "../math/validation.ts";
import { type PowerLawFit, powerLawFit } from "./power_law.ts";

/**
 * The eigenvalues of WᵀW, which are the squared singular values λᵢ = σᵢ² of W, largest first.
 *
 * An N × M matrix gives min(N, M) eigenvalues, as WeightWatcher keeps them (WᵀW has |M − N| further zeros,
 * which are left out). No normalization (WeightWatcher's default `normalize=False`). The SVD is
 * `ml-matrix`'s.
 *
 * @param matrix The weight matrix W, as rows (non-empty, equal lengths, finite).
 * @returns σ₁² ≥ σ₂² ≥ … ≥ 0, min(N, M) values.
 * @throws {TypeError} If `matrix` is not an array of rows.
 * @throws {RangeError} If `matrix` is empty, ragged, has empty rows or holds a non-finite value.
 * @example
 * ```ts
 * import { empiricalSpectralDensity } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const esd = empiricalSpectralDensity([[3, 0], [0, -2], [0, 0]]);
 * assert.equal(esd.length, 2);
 * assert.ok(Math.abs(esd[0]! - 9) < 1e-12 && Math.abs(esd[1]! - 4) < 1e-12);
 * ```
 */
export function empiricalSpectralDensity(matrix: Matrix): number[] {
  assertMatrix(matrix, "matrix");
  const cols = (matrix[0] as Matrix[number]).length;
  if (cols === 0) throw new RangeError(`matrix must have at least one column, got rows of length 0`);
  const ml = new MlMatrix(matrix.map((row) => Array.from(row)));
  const svd = new SingularValueDecomposition(ml, {
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
    autoTranspose: true,
  });
  return svd.diagonal.map((s) => s * s).sort((a, b) => b - a);
}

/** Options of {@link weightedAlpha}. */
export interface WeightedAlphaOptions {
  /**
   * Eigenvalues ≤ this are dropped before the power-law fit; WeightWatcher's `EVALS_THRESH`. Default
   * {@link DEFAULT_EVALS_THRESHOLD} (1e-5).
   */
  evalsThreshold?: number;
  /** Passed to {@link powerLawFit} as `minTail`. Default 2. */
  minTail?: number;
}

/** One layer of {@link WeightedAlphaResult}. */
export interface WeightedAlphaLayer {
  /** The power-law exponent of the layer's ESD tail. */
  alpha: number;
  /** The largest eigenvalue, σ₁². */
  lambdaMax: number;
  /** The lower cut-off of the fitted tail. */
  xmin: number;
  /** The KS distance of the fit. */
  ks: number;
  /** The number of eigenvalues in the fitted tail. */
  tailSize: number;
  /** α · log10(λmax). */
  weightedAlpha: number;
}

/** The result of {@link weightedAlpha}. */
export interface WeightedAlphaResult {
  /** The mean of the layers' α · log10(λmax). */
  weightedAlpha: number;
  /** Per-layer values, in the order of the input matrices. */
  layers: WeightedAlphaLayer[];
}

/** Default {@link WeightedAlphaOptions.evalsThreshold}: WeightWatcher's `EVALS_THRESH`. */
export const DEFAULT_EVALS_THRESHOLD = 1e-5;

/**
 * WeightWatcher's weighted alpha, α̂ = (1/L) Σₗ αₗ · log10(λmax,ₗ), over L weight matrices.
 *
 * For each matrix: its eigenvalues λ = σ² ({@link empiricalSpectralDensity}), λmax the largest, and αₗ the
 * exponent of {@link powerLawFit} on the eigenvalues above `evalsThreshold` (with the searched xmin). The
 * paper writes log without a base; we follow WeightWatcher (`alpha_weighted = alpha * log10(spectral_norm)`)
 * and use log10 — the one place in this library that is not the natural logarithm. Unlike WeightWatcher,
 * no layer is skipped for being small: the caller picks the matrices.
 *
 * @param matrices The layers' weight matrices, each as rows.
 * @param options `evalsThreshold` and `minTail`; see {@link WeightedAlphaOptions}.
 * @returns The mean weighted alpha and the per-layer α, λmax, xmin, KS distance, tail size and αₗ log10 λmax.
 * @throws {TypeError} If `matrices` or one of them is not an array of rows.
 * @throws {RangeError} If `matrices` is empty, a matrix is empty, ragged or not finite, or a layer has too
 *   few eigenvalues above the threshold to fit (the message names the layer).
 * @example
 * ```ts
 * import { weightedAlpha } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * // a diagonal matrix has its squared diagonal as spectrum; here a Pareto-like one, λmax = 100
 * const w = Array.from({ length: 50 }, (_, i) =>
 *   Array.from({ length: 50 }, (_, j) => (i === j ? 10 * ((i + 1) / 50) ** 0.5 : 0)));
 * const { weightedAlpha: wa, layers } = weightedAlpha([w]);
 * assert.ok(Math.abs(layers[0]!.lambdaMax - 100) < 1e-9);
 * assert.ok(Math.abs(wa - layers[0]!.alpha * 2) < 1e-9);
 * ```
 */
export function weightedAlpha(
  matrices: readonly Matrix[],
  options: WeightedAlphaOptions = {},
): WeightedAlphaResult {
  if (!Array.isArray(matrices)) {
    throw new TypeError(`matrices must be an array of matrices, got ${describe(matrices)}`);
  }
  if (matrices.length === 0) throw new RangeError(`matrices must not be empty, got length 0`);
  const threshold = options.evalsThreshold ?? DEFAULT_EVALS_THRESHOLD;
  assertNonNegative(threshold, "options.evalsThreshold");

  const layers: WeightedAlphaLayer[] = [];
  let total = 0;
  for (let l = 0; l < matrices.length; l++) {
    const name = `matrices[${l}]`;
    const w = matrices[l] as Matrix;
    assertMatrix(w, name);
    if ((w[0] as Matrix[number]).length === 0) {
      throw new RangeError(`${name} must have at least one column, got rows of length 0`);
    }
    const evals = empiricalSpectralDensity(w);
    const lambdaMax = evals[0] as number;
    const kept = evals.filter((v) => v > threshold);
    if (kept.length < 2) {
      throw new RangeError(
        `${name} must have at least 2 eigenvalues > options.evalsThreshold (${threshold}), got ${kept.length}`,
      );
    }
    let fit: PowerLawFit;
    try {
      fit = powerLawFit(kept, { minTail: options.minTail });
    } catch (e) {
      // name the layer in the fit's own errors ("values must …" → "matrices[l] eigenvalues must …")
      if (e instanceof RangeError) throw new RangeError(e.message.replace(/^values/, `${name} eigenvalues`));
      throw e;
    }
    const wa = fit.alpha * Math.log10(lambdaMax);
    layers.push({
      alpha: fit.alpha,
      lambdaMax,
      xmin: fit.xmin,
      ks: fit.ks,
      tailSize: fit.tailSize,
      weightedAlpha: wa,
    });
    total += wa;
  }
  return { weightedAlpha: total / layers.length, layers };
}
