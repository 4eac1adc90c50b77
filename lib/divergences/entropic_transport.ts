/**
 * Entropy-regularized optimal transport between two discrete distributions under a general ground cost,
 * solved by log-domain Sinkhorn iterations.
 *
 * @module
 */
import type { Matrix, Vector } from "../math/types.ts";
import {
  assertInteger,
  assertMatrix,
  assertPositive,
  assertProbabilityVector,
  describe,
} from "../math/validation.ts";

/** Default ε of {@link entropicTransport}, relative to the largest entry of the cost: ε = 0.01·max C. */
export const DEFAULT_EPSILON_SCALE = 1e-2;
/** Default cap on Sinkhorn iterations (one iteration = one row and one column update). */
export const DEFAULT_SINKHORN_MAX_ITERATIONS = 10_000;
/** Default stopping tolerance: the L1 distance between the plan's row sums and `p`. */
export const DEFAULT_SINKHORN_TOLERANCE = 1e-6;

/** Options of {@link entropicTransport}. */
export interface EntropicTransportOptions {
  /**
   * The ground cost C, an m×n matrix of finite non-negative numbers: `cost[i][j]` is the cost of moving mass from
   * entry i of `p` to entry j of `q`.
   */
  cost: Matrix;
  /**
   * The entropic regularization ε > 0, in the units of the cost (absolute, not relative). Default
   * {@link DEFAULT_EPSILON_SCALE}·max C (ε = 1 when the cost is identically 0). Smaller ε brings ⟨P, C⟩ closer
   * to the exact transport cost but needs more iterations (roughly proportional to max C / ε).
   */
  epsilon?: number;
  /** Maximum number of Sinkhorn iterations, an integer ≥ 1. Default {@link DEFAULT_SINKHORN_MAX_ITERATIONS}. */
  maxIterations?: number;
  /**
   * Stop once Σᵢ |Σⱼ Pᵢⱼ − pᵢ| ≤ `tolerance` (the column sums are exact after every iteration). Default
   * {@link DEFAULT_SINKHORN_TOLERANCE}.
   */
  tolerance?: number;
}

/** The result of {@link entropicTransport}. */
export interface EntropicTransportResult {
  /** The transport cost ⟨P, C⟩ = Σᵢⱼ PᵢⱼCᵢⱼ of the entropic plan (without the entropy term). */
  cost: number;
  /** The entropic plan P, m rows of n entries; rows with pᵢ = 0 and columns with qⱼ = 0 are 0. */
  plan: Float64Array[];
  /** The number of Sinkhorn iterations run. */
  iterations: number;
  /** Whether the row marginals reached `tolerance` within `maxIterations`. */
  converged: boolean;
  /** The achieved accuracy: Σᵢ |Σⱼ Pᵢⱼ − pᵢ|, the L1 row-marginal error of the returned plan. */
  marginalError: number;
}

/** The dual solution on the supports, shared by {@link entropicTransport} and `wassersteinDistance`. */
interface SinkhornState {
  rows: Int32Array;
  cols: Int32Array;
  /** C on the supports, row-major rows.length × cols.length. */
  c: Float64Array;
  u: Float64Array;
  v: Float64Array;
  epsilon: number;
  iterations: number;
  converged: boolean;
  marginalError: number;
}

/**
 * Runs log-domain Sinkhorn on the supports of p and q and returns the scaled dual potentials u = f/ε, v = g/ε,
 * so that Pᵢⱼ = exp(uᵢ + vⱼ − Cᵢⱼ/ε). Validates every argument. Allocates O(mn) once, nothing per iteration.
 * Not part of the public barrel; `wassersteinDistance` and {@link entropicTransport} build on it.
 *
 * @internal
 *
 * @example
 * ```ts
 * import { sinkhornCost, solveSinkhorn } from "./entropic_transport.ts";
 * import assert from "node:assert/strict";
 * // one source, two targets: the only plan moves ½ at cost 1 and ½ at cost 3
 * const state = solveSinkhorn([1], [0.5, 0.5], { cost: [[1, 3]] });
 * assert.ok(Math.abs(sinkhornCost(state) - 2) < 1e-9);
 * ```
 */
export function solveSinkhorn(p: Vector, q: Vector, options: EntropicTransportOptions): SinkhornState {
  assertProbabilityVector(p, "p");
  assertProbabilityVector(q, "q");
  const cost = options?.cost;
  if (cost === undefined) throw new TypeError(`cost must be a matrix, got ${describe(cost)}`);
  assertMatrix(cost, "cost");
  if (cost.length !== p.length) {
    throw new RangeError(`cost must have one row per entry of p (${p.length}), got ${cost.length} rows`);
  }
  const n = q.length;
  if ((cost[0] as Vector).length !== n) {
    throw new RangeError(
      `cost must have one column per entry of q (${n}), got ${(cost[0] as Vector).length} columns`,
    );
  }
  let maxC = 0;
  for (let i = 0; i < cost.length; i++) {
    const row = cost[i] as Vector;
    for (let j = 0; j < n; j++) {
      const c = row[j] as number;
      if (c < 0) throw new RangeError(`cost[${i}][${j}] must be >= 0, got ${c}`);
      if (c > maxC) maxC = c;
    }
  }
  let epsilon = options.epsilon;
  if (epsilon === undefined) epsilon = maxC > 0 ? DEFAULT_EPSILON_SCALE * maxC : 1;
  else assertPositive(epsilon, "epsilon");
  const maxIterations = options.maxIterations ?? DEFAULT_SINKHORN_MAX_ITERATIONS;
  assertInteger(maxIterations, "maxIterations", 1);
  const tolerance = options.tolerance ?? DEFAULT_SINKHORN_TOLERANCE;
  assertPositive(tolerance, "tolerance");

  const rows = support(p);
  const cols = support(q);
  const m = rows.length;
  const k = cols.length;
  const c = new Float64Array(m * k);
  for (let a = 0; a < m; a++) {
    const row = cost[rows[a] as number] as Vector;
    const off = a * k;
    for (let b = 0; b < k; b++) c[off + b] = row[cols[b] as number] as number;
  }
  const pS = new Float64Array(m);
  const logP = new Float64Array(m);
  for (let a = 0; a < m; a++) {
    pS[a] = p[rows[a] as number] as number;
    logP[a] = Math.log(pS[a] as number);
  }
  const logQ = new Float64Array(k);
  for (let b = 0; b < k; b++) logQ[b] = Math.log(q[cols[b] as number] as number);
  const u = new Float64Array(m);
  const v = new Float64Array(k);
  const rowL = new Float64Array(m);
  const colMax = new Float64Array(k);
  const colSum = new Float64Array(k);

  // One Sinkhorn iteration at 1/ε = inv; returns the row-marginal L1 error of the state it started from, and
  // stops before updating when that error is ≤ tol (and `check` is set).
  const iterate = (inv: number, tol: number, check: boolean): boolean => {
    // Row update: u_a = log p_a − LSE_b(v_b − C_ab/ε); the old u gives the current row-marginal error for free.
    let err = 0;
    for (let a = 0; a < m; a++) {
      const off = a * k;
      let mx = -Infinity;
      for (let b = 0; b < k; b++) {
        const t = (v[b] as number) - (c[off + b] as number) * inv;
        if (t > mx) mx = t;
      }
      let s = 0;
      for (let b = 0; b < k; b++) s += Math.exp((v[b] as number) - (c[off + b] as number) * inv - mx);
      const l = mx + Math.log(s);
      rowL[a] = l;
      err += Math.abs(Math.exp((u[a] as number) + l) - (pS[a] as number));
    }
    if (check && err <= tol) return true;
    for (let a = 0; a < m; a++) u[a] = (logP[a] as number) - (rowL[a] as number);
    // Column update: v_b = log q_b − LSE_a(u_a − C_ab/ε), traversing C row by row.
    colMax.fill(-Infinity);
    for (let a = 0; a < m; a++) {
      const off = a * k;
      const ua = u[a] as number;
      for (let b = 0; b < k; b++) {
        const t = ua - (c[off + b] as number) * inv;
        if (t > (colMax[b] as number)) colMax[b] = t;
      }
    }
    colSum.fill(0);
    for (let a = 0; a < m; a++) {
      const off = a * k;
      const ua = u[a] as number;
      for (let b = 0; b < k; b++) {
        colSum[b] = (colSum[b] as number) +
          Math.exp(ua - (c[off + b] as number) * inv - (colMax[b] as number));
      }
    }
    for (let b = 0; b < k; b++) {
      v[b] = (logQ[b] as number) - (colMax[b] as number) - Math.log(colSum[b] as number);
    }
    return false;
  };

  let iterations = 0;
  let converged = false;
  const inv = 1 / epsilon;
  for (let s = 0;; s++) {
    if (iterate(inv, tolerance, s > 0)) {
      converged = true;
      break;
    }
    iterations++;
    if (iterations >= maxIterations) break;
  }
  // The achieved row-marginal L1 error of the final state (the columns are exact after each update).
  let marginalError = 0;
  for (let a = 0; a < m; a++) {
    const off = a * k;
    let s = 0;
    for (let b = 0; b < k; b++) {
      s += Math.exp((u[a] as number) + (v[b] as number) - (c[off + b] as number) * inv);
    }
    marginalError += Math.abs(s - (pS[a] as number));
  }
  return { rows, cols, c, u, v, epsilon, iterations, converged, marginalError };
}

/**
 * ⟨P, C⟩ of the plan described by a Sinkhorn state, without materializing P.
 *
 * @internal
 *
 * @example
 * ```ts
 * import { sinkhornCost, solveSinkhorn } from "./entropic_transport.ts";
 * import assert from "node:assert/strict";
 * // two sources, two targets at zero cost on the diagonal: a small ε keeps the plan on it
 * const state = solveSinkhorn([0.5, 0.5], [0.5, 0.5], { cost: [[0, 1], [1, 0]], epsilon: 0.01 });
 * assert.ok(sinkhornCost(state) < 1e-6);
 * ```
 */
export function sinkhornCost(state: SinkhornState): number {
  const { rows, cols, c, u, v, epsilon } = state;
  const m = rows.length;
  const k = cols.length;
  const inv = 1 / epsilon;
  let s = 0;
  for (let a = 0; a < m; a++) {
    const off = a * k;
    const ua = u[a] as number;
    for (let b = 0; b < k; b++) {
      const cab = c[off + b] as number;
      s += Math.exp(ua + (v[b] as number) - cab * inv) * cab;
    }
  }
  return s;
}

function support(x: Vector): Int32Array {
  let count = 0;
  for (let i = 0; i < x.length; i++) if ((x[i] as number) > 0) count++;
  const idx = new Int32Array(count);
  let c = 0;
  for (let i = 0; i < x.length; i++) if ((x[i] as number) > 0) idx[c++] = i;
  return idx;
}

/**
 * Entropy-regularized optimal transport: the plan P ≥ 0 with row sums p and column sums q that minimizes
 * ⟨P, C⟩ − ε·H(P), H(P) = −Σ Pᵢⱼ log Pᵢⱼ, found by Sinkhorn's alternating projections in the log domain.
 *
 * The iteration keeps the scaled dual potentials u, v with Pᵢⱼ = exp(uᵢ + vⱼ − Cᵢⱼ/ε) and alternates
 * uᵢ = log pᵢ − LSEⱼ(vⱼ − Cᵢⱼ/ε) and vⱼ = log qⱼ − LSEᵢ(uᵢ − Cᵢⱼ/ε) with max-shifted log-sum-exps, so that
 * nothing overflows or underflows however small ε is (the multiplicative form exp(−C/ε) underflows once
 * C/ε ≳ 745). Entries with pᵢ = 0 or qⱼ = 0 are dropped up front (their rows and columns of P are 0). The
 * returned `cost` is the transport cost ⟨P, C⟩ of the entropic plan, which tends to the exact
 * (Kantorovich) optimal cost as ε → 0 and exceeds it by at most ε·log(mn). `p` and `q` may have different
 * lengths m and n.
 *
 * @param p The source distribution, length m (non-negative, sums to 1).
 * @param q The target distribution, length n.
 * @param options `cost` (m×n, required), `epsilon` (default 0.01·max C), `maxIterations` (default 10,000),
 * `tolerance` (default 1e-6 on the L1 row-marginal error).
 * @returns `{ cost, plan, iterations, converged, marginalError }` (the achieved L1 row-marginal error).
 * @throws {RangeError} If `p` or `q` is not a probability vector, if `cost` has the wrong shape or a negative or
 * non-finite entry, or if `epsilon`, `maxIterations` or `tolerance` is out of range.
 * @throws {TypeError} If `cost` is missing or not a matrix, or `p`/`q` is not an array of numbers.
 * @example
 * ```ts
 * import { entropicTransport } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * // Moving all the mass one step costs 1.
 * const cost = [[0, 1], [1, 0]];
 * const r = entropicTransport([1, 0], [0, 1], { cost });
 * assert.ok(r.converged && r.marginalError <= 1e-6);
 * assert.ok(Math.abs(r.cost - 1) < 1e-12);
 * assert.ok(Math.abs((r.plan[0]?.[1] ?? NaN) - 1) < 1e-12);
 * // Half the mass has to move: the exact cost is 0.5.
 * const half = entropicTransport([0.5, 0.5], [1, 0], { cost, epsilon: 1e-3 });
 * assert.ok(Math.abs(half.cost - 0.5) < 1e-9);
 * ```
 */
export function entropicTransport(
  p: Vector,
  q: Vector,
  options: EntropicTransportOptions,
): EntropicTransportResult {
  const state = solveSinkhorn(p, q, options);
  const { rows, cols, c, u, v, epsilon, iterations, converged, marginalError } = state;
  const plan = Array.from({ length: p.length }, () => new Float64Array(q.length));
  const k = cols.length;
  const inv = 1 / epsilon;
  let cost = 0;
  for (let a = 0; a < rows.length; a++) {
    const row = plan[rows[a] as number] as Float64Array;
    const off = a * k;
    const ua = u[a] as number;
    for (let b = 0; b < k; b++) {
      const cab = c[off + b] as number;
      const pij = Math.exp(ua + (v[b] as number) - cab * inv);
      row[cols[b] as number] = pij;
      cost += pij * cab;
    }
  }
  return { cost, plan, iterations, converged, marginalError };
}
