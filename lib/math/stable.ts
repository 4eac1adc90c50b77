/**
 * Numerically stable scalar functions used throughout the losses: softplus, log-sigmoid, log-sum-exp,
 * softmax and entropy. Each is exact in double precision for arguments of any magnitude (no overflow at
 * ±1e4, which plain `Math.log(1 + Math.exp(x))` does not survive).
 *
 * @module
 */
import type { Vector } from "./types.ts";
import { assertNonEmpty, assertVector } from "./validation.ts";

/**
 * softplus(x) = log(1 + eˣ), computed as max(x, 0) + log1p(e^−|x|) so that it never overflows.
 *
 * @param x Any real number.
 * @returns log(1 + eˣ), ≥ 0.
 * @example
 * ```ts
 * import { softplus } from "./stable.ts";
 * softplus(0); // Math.LN2
 * softplus(1e4); // 1e4
 * softplus(-1e4); // 0
 * ```
 */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * log σ(x) = −softplus(−x), the log of the logistic sigmoid, stable for every x.
 *
 * @param x Any real number.
 * @returns log(1 / (1 + e^−x)), ≤ 0.
 * @example
 * ```ts
 * import { logSigmoid } from "./stable.ts";
 * logSigmoid(0); // -Math.LN2
 * logSigmoid(-1e4); // -1e4
 * ```
 */
export function logSigmoid(x: number): number {
  return -softplus(-x);
}

/**
 * The logistic sigmoid σ(x) = 1 / (1 + e^−x), evaluated without overflow.
 *
 * @param x Any real number.
 * @returns A number in [0, 1].
 * @example
 * ```ts
 * import { sigmoid } from "./stable.ts";
 * sigmoid(0); // 0.5
 * ```
 */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * log Σᵢ exp(xᵢ), shifted by the maximum so that it never overflows; −∞ for an all −∞ input.
 *
 * @param x A non-empty vector.
 * @returns The log of the sum of exponentials.
 * @throws {RangeError} If `x` is empty.
 * @example
 * ```ts
 * import { logSumExp } from "./stable.ts";
 * logSumExp([0, 0]); // Math.LN2
 * logSumExp([1000, 1000]); // 1000 + Math.LN2
 * ```
 */
export function logSumExp(x: Vector): number {
  assertVector(x, "x");
  assertNonEmpty(x, "x");
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) m = Math.max(m, x[i] as number);
  if (m === -Infinity || m === Infinity) return m;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.exp((x[i] as number) - m);
  return m + Math.log(s);
}

/**
 * softmax(x)ᵢ = exp(xᵢ) / Σⱼ exp(xⱼ), computed through {@link logSumExp}.
 *
 * @param x A non-empty vector of logits.
 * @returns A probability vector of the same length.
 * @throws {RangeError} If `x` is empty.
 * @example
 * ```ts
 * import { softmax } from "./stable.ts";
 * softmax([0, 0, 0, 0]); // [0.25, 0.25, 0.25, 0.25]
 * ```
 */
export function softmax(x: Vector): number[] {
  const lse = logSumExp(x);
  return Array.from(x, (v) => Math.exp(v - lse));
}

/**
 * x·log(y) with the convention 0·log(0) = 0 (scipy's `xlogy`).
 *
 * @param x Multiplier.
 * @param y Argument of the logarithm.
 * @returns 0 when x = 0, else x·log(y).
 * @example
 * ```ts
 * import { xlogy } from "./stable.ts";
 * xlogy(0, 0); // 0
 * ```
 */
export function xlogy(x: number, y: number): number {
  return x === 0 ? 0 : x * Math.log(y);
}

/**
 * Shannon entropy H(p) = −Σ pᵢ log pᵢ in nats, with 0·log 0 = 0.
 *
 * @param p A vector of non-negative weights (not re-normalized).
 * @returns The entropy in nats.
 * @example
 * ```ts
 * import { entropy } from "./stable.ts";
 * entropy([0.5, 0.5]); // Math.LN2
 * ```
 */
export function entropy(p: Vector): number {
  assertVector(p, "p");
  let h = 0;
  for (let i = 0; i < p.length; i++) h -= xlogy(p[i] as number, p[i] as number);
  return h;
}
