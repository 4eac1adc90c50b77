/**
 * Principal component analysis, for 2-D pictures of embeddings such as the paper's Fig. 11 (safe vs. unsafe
 * clusters).
 *
 * The SVD comes from `ml-matrix` (a well-kept port of JAMA's Golub–Kahan SVD), not from hand-written linear
 * algebra.
 *
 * @module
 */
import { Matrix as MlMatrix, SingularValueDecomposition } from "ml-matrix";
import type { Matrix } from "../math/types.ts";
import { assertInteger, assertMatrix } from "../math/validation.ts";

/** Options of {@link pcaProject}. */
export interface PcaOptions {
  /** The number of principal components k, an integer in [1, min(n, d)]. Default 2. */
  components?: number;
}

/** The result of {@link pcaProject}. */
export interface PcaResult {
  /** The centred points in the principal axes: n rows of k coordinates (sklearn's `fit_transform`). */
  projected: number[][];
  /** The principal axes, k unit rows of length d (sklearn's `components_`). */
  components: number[][];
  /** The share of the total variance along each axis (sklearn's `explained_variance_ratio_`). */
  explainedVarianceRatio: number[];
  /** The per-feature mean that was subtracted (sklearn's `mean_`). */
  mean: number[];
}

/**
 * Projects points onto their first k principal components, matching
 * `sklearn.decomposition.PCA(n_components=k, svd_solver="full").fit_transform` (which is what sklearn's
 * default `"auto"` solver picks for inputs up to 500 × 500), signs included.
 *
 * The points X (n × d) are centred by their mean μ; the thin SVD Xc = U S Vᵀ gives the axes (rows of Vᵀ), the
 * projection U S, and the explained-variance ratios sⱼ² / Σᵢ sᵢ². Signs follow sklearn's `svd_flip`: each
 * column of U is flipped, with its row of Vᵀ, so that its entry of largest magnitude (the first such) is
 * positive.
 *
 * @param points The points, one row each: n ≥ 2 rows of equal length d ≥ 1, finite.
 * @param options `components` (k, default 2).
 * @returns The projection, the axes, the explained-variance ratios and the mean.
 * @throws {TypeError} If `points` is not an array of rows.
 * @throws {RangeError} If `points` is empty, has fewer than 2 rows, is ragged or not finite, or has all its
 *   rows equal (no variance); or if `options.components` is not an integer in [1, min(n, d)].
 * @example
 * ```ts
 * import { pcaProject } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * // points on the line y = x: one axis carries all the variance
 * const { projected, components, explainedVarianceRatio } = pcaProject([[0, 0], [1, 1], [5, 5]], {
 *   components: 1,
 * });
 * assert.ok(Math.abs(components[0]![0]! - Math.SQRT1_2) < 1e-12);
 * assert.ok(Math.abs(explainedVarianceRatio[0]! - 1) < 1e-12);
 * assert.ok(Math.abs(projected[2]![0]! - 3 * Math.SQRT2) < 1e-12); // sklearn: 4.2426…
 * ```
 */
export function pcaProject(points: Matrix, options: PcaOptions = {}): PcaResult {
  assertMatrix(points, "points");
  const n = points.length;
  const d = (points[0] as Matrix[number]).length;
  if (n < 2) throw new RangeError(`points must have at least 2 rows, got ${n}`);
  if (d < 1) throw new RangeError(`points must have at least one column, got rows of length 0`);
  const k = options.components ?? 2;
  assertInteger(k, "options.components", 1);
  if (k > Math.min(n, d)) {
    throw new RangeError(
      `options.components must be at most min(n, d) = ${Math.min(n, d)} for ${n} x ${d} points, got ${k}`,
    );
  }

  const first = points[0] as Matrix[number];
  if (points.every((row) => row.every((v, j) => v === first[j]))) {
    throw new RangeError(`points must not all be equal (zero variance), got ${n} equal rows`);
  }

  const mean = new Array<number>(d).fill(0);
  for (const row of points) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (row[j] as number);
  for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) / n;
  const centred = points.map((row) =>
    Array.from({ length: d }, (_, j) => (row[j] as number) - (mean[j] as number))
  );

  const svd = new SingularValueDecomposition(new MlMatrix(centred), {
    computeLeftSingularVectors: true,
    computeRightSingularVectors: true,
    autoTranspose: true,
  });
  const s = svd.diagonal;
  const u = svd.leftSingularVectors;
  const v = svd.rightSingularVectors;
  let total = 0;
  for (const sj of s) total += sj * sj;
  if (!(total > 0)) throw new RangeError(`points must not all be equal (zero variance), got ${n} equal rows`);

  const projected: number[][] = Array.from({ length: n }, () => new Array<number>(k).fill(0));
  const components: number[][] = [];
  const explainedVarianceRatio: number[] = [];
  for (let c = 0; c < k; c++) {
    // svd_flip (u-based): the largest-magnitude entry of U's column is made positive
    let at = 0;
    let best = -1;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(u.get(i, c));
      if (a > best) {
        best = a;
        at = i;
      }
    }
    const sign = u.get(at, c) < 0 ? -1 : 1;
    const sc = s[c] as number;
    for (let i = 0; i < n; i++) (projected[i] as number[])[c] = sign * u.get(i, c) * sc;
    components.push(Array.from({ length: d }, (_, j) => sign * v.get(j, c)));
    explainedVarianceRatio.push((sc * sc) / total);
  }
  return { projected, components, explainedVarianceRatio, mean };
}
