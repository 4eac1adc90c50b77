/**
 * Covariance estimation with shrinkage, for the Mahalanobis kernel. With few samples in many dimensions (a
 * few hundred preference pairs of 384-dimensional embeddings, say) the sample covariance is singular; shrinking
 * it toward a scaled identity makes it invertible and better conditioned.
 *
 * @module
 */
import { CholeskyDecomposition, Matrix as MlMatrix } from "ml-matrix";
import type { Matrix } from "../math/types.ts";
import { assertInRange, assertMatrix, describe } from "../math/validation.ts";

/** Options of {@link estimateCovariance}. */
export interface CovarianceOptions {
  /**
   * The shrinkage s in [0, 1], or `"ledoit-wolf"` (default) for the Ledoit–Wolf (2004) optimal value.
   * The estimate is (1 − s)·S + s·(tr S / p)·I, with S the maximum-likelihood covariance.
   */
  shrinkage?: number | "ledoit-wolf";
}

/** A covariance estimate, its inverse and the shrinkage that was applied. */
export interface CovarianceEstimate {
  /** The per-feature mean of the samples. */
  mean: number[];
  /** The shrunk covariance, p × p. */
  covariance: number[][];
  /** Its inverse (the precision matrix), p × p. */
  precision: number[][];
  /** The shrinkage coefficient that was used. */
  shrinkage: number;
}

function ledoitWolfShrinkage(x: MlMatrix): number {
  // sklearn.covariance.ledoit_wolf_shrinkage on centered data, in one block.
  const n = x.rows;
  const p = x.columns;
  const x2 = x.clone();
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) x2.set(i, j, x.get(i, j) ** 2);
  const empCovTrace = x2.sum("column").map((v) => v / n);
  const mu = empCovTrace.reduce((a, b) => a + b, 0) / p;
  const beta_ = x2.transpose().mmul(x2).sum();
  const xtx = x.transpose().mmul(x);
  let delta_ = 0;
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) delta_ += xtx.get(i, j) ** 2;
  delta_ /= n * n;
  let beta = (1 / (p * n)) * (beta_ / n - delta_);
  let delta = delta_ - 2 * mu * empCovTrace.reduce((a, b) => a + b, 0) + p * mu * mu;
  delta /= p;
  beta = Math.min(beta, delta);
  return beta === 0 ? 0 : beta / delta;
}

/**
 * Estimates a covariance matrix from samples with shrinkage toward a scaled identity, as scikit-learn's
 * `ShrunkCovariance` (fixed shrinkage) and `LedoitWolf` (optimal shrinkage) do, and inverts it.
 *
 * @param samples n × p samples as rows (n ≥ 1).
 * @param options The shrinkage: a number in [0, 1] or `"ledoit-wolf"` (default).
 * @returns The mean, shrunk covariance, precision and shrinkage.
 * @throws {RangeError} On empty, ragged or non-finite samples, a shrinkage outside [0, 1], or a covariance
 * that is singular after shrinkage (for instance constant samples with shrinkage 0).
 * @example
 * ```ts
 * import { estimateCovariance } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const est = estimateCovariance([[0, 0], [2, 0], [0, 2], [2, 2]], { shrinkage: 0 });
 * assert.deepEqual(est.covariance, [[1, 0], [0, 1]]);
 * ```
 */
export function estimateCovariance(samples: Matrix, options: CovarianceOptions = {}): CovarianceEstimate {
  assertMatrix(samples, "samples");
  const shrinkageOption = options.shrinkage ?? "ledoit-wolf";
  if (typeof shrinkageOption === "number") {
    assertInRange(shrinkageOption, "options.shrinkage", 0, 1);
  } else if (shrinkageOption !== "ledoit-wolf") {
    throw new RangeError(
      `options.shrinkage must be a number in [0, 1] or "ledoit-wolf", got ${describe(shrinkageOption)}`,
    );
  }
  const n = samples.length;
  const x = new MlMatrix(samples.map((row) => Array.from(row)));
  const p = x.columns;
  const mean = x.mean("column");
  x.subRowVector(mean);
  const s = x.transpose().mmul(x).div(n);
  const shrinkage = shrinkageOption === "ledoit-wolf"
    ? (n === 1 ? 1 : ledoitWolfShrinkage(x))
    : shrinkageOption;
  const mu = s.trace() / p;
  const shrunk = s.mul(1 - shrinkage);
  for (let i = 0; i < p; i++) shrunk.set(i, i, shrunk.get(i, i) + shrinkage * mu);
  const chol = new CholeskyDecomposition(shrunk);
  if (!chol.isPositiveDefinite()) {
    throw new RangeError(
      `the covariance of samples is singular with options.shrinkage ${shrinkage}; use a shrinkage > 0 ` +
        `or non-constant samples`,
    );
  }
  const precision = chol.solve(MlMatrix.eye(p));
  return { mean, covariance: shrunk.to2DArray(), precision: precision.to2DArray(), shrinkage };
}
