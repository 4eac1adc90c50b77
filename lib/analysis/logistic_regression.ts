/**
 * L2-regularized binary logistic regression, fitted by Newton's method: the objective and defaults of
 * scikit-learn's `LogisticRegression` (C = 1, intercept fitted and not penalized), small and deterministic.
 * Used by the prompt-blind bag-of-words shortcut baseline.
 *
 * @module
 */
import { describe } from "../math/validation.ts";

/** Options of {@link fitLogisticRegression}. */
export interface LogisticRegressionOptions {
  /** Inverse regularization strength, as in scikit-learn (default 1): minimizes C·Σ log-loss + ½‖w‖². */
  C?: number;
  /** Whether to fit an unpenalized intercept (default true). */
  fitIntercept?: boolean;
  /** Newton iterations at most (default 100). */
  maxIterations?: number;
  /** Stop when the Newton step's largest component is below this (default 1e-12). */
  tolerance?: number;
}

/** A fitted model: decision value w·x + b. */
export interface LogisticRegressionModel {
  /** One weight per feature. */
  weights: number[];
  /** The intercept b (0 when not fitted). */
  intercept: number;
  /** Newton iterations used. */
  iterations: number;
}

/** Solves the symmetric positive definite system A x = b by Cholesky (A is overwritten). */
function choleskySolve(a: number[][], b: number[]): number[] {
  const n = b.length;
  for (let j = 0; j < n; j++) {
    const rj = a[j] as number[];
    let d = rj[j] as number;
    for (let k = 0; k < j; k++) d -= (rj[k] as number) ** 2;
    if (!(d > 0)) throw new RangeError(`logistic regression: Hessian not positive definite (pivot ${d})`);
    const l = Math.sqrt(d);
    rj[j] = l;
    for (let i = j + 1; i < n; i++) {
      const ri = a[i] as number[];
      let s = ri[j] as number;
      for (let k = 0; k < j; k++) s -= (ri[k] as number) * (rj[k] as number);
      ri[j] = s / l;
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    const ri = a[i] as number[];
    let s = b[i] as number;
    for (let k = 0; k < i; k++) s -= (ri[k] as number) * (y[k] as number);
    y[i] = s / (ri[i] as number);
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i] as number;
    for (let k = i + 1; k < n; k++) s -= ((a[k] as number[])[i] as number) * (x[k] as number);
    x[i] = s / ((a[i] as number[])[i] as number);
  }
  return x;
}

/**
 * Fits w, b minimizing C·Σᵢ log(1 + exp(−ỹᵢ(w·xᵢ + b))) + ½‖w‖² (ỹ = ±1), scikit-learn's L2 objective, by
 * Newton's method with a Cholesky solve (the objective is strictly convex in w; with an intercept, the
 * Hessian also needs both classes present).
 *
 * @param x Feature rows (n × d, every row the same length).
 * @param y Labels, 0 or 1, one per row.
 * @param options `C` (default 1), `fitIntercept` (default true), `maxIterations`, `tolerance`.
 * @returns The weights, the intercept and the iterations used.
 * @throws {RangeError} If x is empty or ragged, y has another length or a label other than 0/1, or C ≤ 0.
 * @example
 * ```ts
 * import { fitLogisticRegression, logisticDecision } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const model = fitLogisticRegression([[0], [1], [2], [3]], [0, 1, 0, 1]);
 * assert.ok(model.weights[0]! > 0);
 * assert.ok(logisticDecision(model, [3]) > 0 && logisticDecision(model, [0]) < 0);
 * ```
 */
export function fitLogisticRegression(
  x: readonly (readonly number[])[],
  y: readonly number[],
  options: LogisticRegressionOptions = {},
): LogisticRegressionModel {
  const { C = 1, fitIntercept = true, maxIterations = 100, tolerance = 1e-12 } = options;
  if (!Array.isArray(x) || x.length === 0) {
    throw new RangeError(`x must be a non-empty matrix, got ${describe(x)}`);
  }
  const d = (x[0] as readonly number[]).length;
  x.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== d) {
      throw new RangeError(`x[${i}] must have ${d} features, got ${describe(row)}`);
    }
  });
  if (!Array.isArray(y) || y.length !== x.length) {
    throw new RangeError(`y must have one label per row (${x.length}), got ${describe(y)}`);
  }
  y.forEach((v, i) => {
    if (v !== 0 && v !== 1) throw new RangeError(`y[${i}] must be 0 or 1, got ${describe(v)}`);
  });
  if (!(typeof C === "number" && C > 0 && Number.isFinite(C))) {
    throw new RangeError(`options.C must be a finite number > 0, got ${describe(C)}`);
  }
  const p = d + (fitIntercept ? 1 : 0);
  const theta = new Array<number>(p).fill(0);
  const row = (i: number): readonly number[] => x[i] as readonly number[];
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const grad = theta.map((t, j) => (j < d ? t : 0));
    const hess = Array.from({ length: p }, (_, j) => {
      const r = new Array<number>(p).fill(0);
      if (j < d) r[j] = 1;
      return r;
    });
    for (let i = 0; i < x.length; i++) {
      const xi = row(i);
      let z = fitIntercept ? theta[d] as number : 0;
      for (let j = 0; j < d; j++) z += (theta[j] as number) * (xi[j] as number);
      const prob = 1 / (1 + Math.exp(-z));
      const r = C * (prob - (y[i] as number));
      const w = C * prob * (1 - prob);
      const feature = (j: number): number => (j < d ? xi[j] as number : 1);
      for (let j = 0; j < p; j++) {
        const fj = feature(j);
        if (fj === 0) continue;
        grad[j] = (grad[j] as number) + r * fj;
        const hj = hess[j] as number[];
        for (let k = 0; k <= j; k++) hj[k] = (hj[k] as number) + w * fj * feature(k);
      }
    }
    for (let j = 0; j < p; j++) {
      for (let k = j + 1; k < p; k++) (hess[j] as number[])[k] = (hess[k] as number[])[j] as number;
    }
    const step = choleskySolve(hess, grad);
    let largest = 0;
    for (let j = 0; j < p; j++) {
      theta[j] = (theta[j] as number) - (step[j] as number);
      largest = Math.max(largest, Math.abs(step[j] as number));
    }
    if (largest < tolerance) {
      iterations++;
      break;
    }
  }
  return { weights: theta.slice(0, d), intercept: fitIntercept ? theta[d] as number : 0, iterations };
}

/**
 * The decision value w·x + b of a fitted model (positive: class 1).
 *
 * @param model A model from {@link fitLogisticRegression}.
 * @param features One feature row.
 * @returns w·x + b.
 * @throws {RangeError} If features has another length than the weights.
 * @example
 * ```ts
 * import { logisticDecision } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(logisticDecision({ weights: [2, -1], intercept: 0.5, iterations: 0 }, [1, 1]), 1.5);
 * ```
 */
export function logisticDecision(model: LogisticRegressionModel, features: readonly number[]): number {
  if (!Array.isArray(features) || features.length !== model.weights.length) {
    throw new RangeError(
      `features must have ${model.weights.length} entries, got ${describe(features)}`,
    );
  }
  let z = model.intercept;
  for (let j = 0; j < features.length; j++) z += (model.weights[j] as number) * (features[j] as number);
  return z;
}
