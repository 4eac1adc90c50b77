/**
 * The minimal detectable difference of a paired design: the smallest true mean difference that a two-sided
 * level-α test on n paired differences detects with the given power, from the normal approximation,
 * MDD = (z₁₋α/₂ + z_power) · s / √n, with s the sample standard deviation of the observed differences.
 *
 * @module
 */
import { sampleStandardDeviation } from "simple-statistics";
import { describe } from "../math/validation.ts";

const poly = (c: readonly number[], x: number): number => c.reduceRight((acc, a) => acc * x + a, 0);

/**
 * The standard normal quantile Φ⁻¹(p), Wichura's algorithm AS241 (PPND16).
 *
 * @param p A probability in (0, 1).
 * @returns z with Φ(z) = p.
 * @throws {RangeError} If p is outside (0, 1).
 * @example
 * ```ts
 * import { normalQuantile } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.ok(Math.abs(normalQuantile(0.975) - 1.959963984540054) < 1e-14);
 * ```
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must lie in (0, 1), got ${describe(p)}`);
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return q * poly([
      3.387132872796366608,
      133.14166789178437745,
      1971.5909503065514427,
      13731.693765509461125,
      45921.953931549871457,
      67265.770927008700853,
      33430.575583588128105,
      2509.0809287301226727,
    ], r) / poly([
      1,
      42.313330701600911252,
      687.1870074920579083,
      5394.1960214247511077,
      21213.794301586595867,
      39307.89580009271061,
      28729.085735721942674,
      5226.495278852545925,
    ], r);
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let z: number;
  if (r <= 5) {
    r -= 1.6;
    z = poly([
      1.42343711074968357734,
      4.6303378461565452959,
      5.7694972214606914055,
      3.64784832476320460504,
      1.27045825245236838258,
      0.24178072517745061177,
      0.0227238449892691845833,
      7.7454501427834140764e-4,
    ], r) / poly([
      1,
      2.05319162663775882187,
      1.6763848301838038494,
      0.68976733498510000455,
      0.14810397642748007459,
      0.0151986665636164571966,
      5.475938084995344946e-4,
      1.05075007164441684324e-9,
    ], r);
  } else {
    r -= 5;
    z = poly([
      6.6579046435011037772,
      5.4637849111641143699,
      1.7848265399172913358,
      0.29656057182850489123,
      0.026532189526576123093,
      0.0012426609473880784386,
      2.71155556874348757815e-5,
      2.01033439929228813265e-7,
    ], r) / poly([
      1,
      0.59983220655588793769,
      0.13692988092273580531,
      0.0148753612908506148525,
      7.868691311456132591e-4,
      1.8463183175100546818e-5,
      1.4215117583164458887e-7,
      2.04426310338993978564e-15,
    ], r);
  }
  return q < 0 ? -z : z;
}

/** Options of {@link minimalDetectableDifference}. */
export interface DetectableDifferenceOptions {
  /** Two-sided significance level (default 0.05). */
  alpha?: number;
  /** Power (default 0.8). */
  power?: number;
}

/**
 * The minimal detectable difference (MDD) at the given power for a paired design whose per-unit differences
 * (e.g. a method's minus DPO's pair score, averaged over seeds) are given.
 *
 * @param differences The observed paired differences (at least two).
 * @param options `alpha` (default 0.05), `power` (default 0.8).
 * @returns (z₁₋α/₂ + z_power) · s / √n.
 * @throws {RangeError} If there are fewer than two finite differences, or alpha/power is outside (0, 1).
 * @example
 * ```ts
 * import { minimalDetectableDifference } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * // (1.95996 + 0.84162) · s / √4 with s = √(4/3)
 * assert.ok(Math.abs(minimalDetectableDifference([1, -1, 1, -1]) - 1.6174959798) < 1e-9);
 * ```
 */
export function minimalDetectableDifference(
  differences: readonly number[],
  options: DetectableDifferenceOptions = {},
): number {
  const { alpha = 0.05, power = 0.8 } = options;
  if (!Array.isArray(differences) || differences.length < 2) {
    throw new RangeError(`differences must hold at least two values, got ${describe(differences)}`);
  }
  differences.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new RangeError(`differences[${i}] must be finite, got ${describe(v)}`);
  });
  if (!(alpha > 0 && alpha < 1)) {
    throw new RangeError(`options.alpha must lie in (0, 1), got ${describe(alpha)}`);
  }
  if (!(power > 0 && power < 1)) {
    throw new RangeError(`options.power must lie in (0, 1), got ${describe(power)}`);
  }
  const z = normalQuantile(1 - alpha / 2) + normalQuantile(power);
  return z * sampleStandardDeviation([...differences]) / Math.sqrt(differences.length);
}
