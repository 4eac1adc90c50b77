/**
 * Data-driven kernel selection (Das et al., 2025, Sec. 5.1 and Table 3): the four geometric metrics PND,
 * PNAV, TAT and NAG of a dataset of preference triplets, and the rule that maps them to a kernel.
 *
 * @module
 */
import type { MixtureKernelName } from "../kernels/mixture.ts";
import { firstMatchingRule, formatAgainst, formatThreshold, resolveThresholds } from "./rule_table.ts";
import { assertFinite, assertInRange, assertNonNegative, describe } from "../math/validation.ts";
import {
  type DistanceFunction,
  type DistanceName,
  type PreferenceTriplet,
  tripletDistances,
} from "./distance.ts";

/** Floor applied to d⁺ and d⁻ inside PND's logarithm and ratio, so that a zero distance stays finite. */
export const PND_EPSILON = 1e-12;

/** The four kernel-selection metrics of Table 3, plus the literal PND ratio. */
export interface KernelSelectionMetrics {
  /** PND = |(1/n) Σ ln(d⁺ᵢ/d⁻ᵢ)|: 0 when balanced, large under systematic imbalance. */
  readonly pnd: number;
  /** PNAV = (1/n) Σ (d⁺ᵢ − d⁻ᵢ)². */
  readonly pnav: number;
  /** TAT = (1/n) Σ d(y⁺ᵢ, y⁻ᵢ)/(d⁺ᵢ + d⁻ᵢ). */
  readonly tat: number;
  /** NAG = (1/n) Σ (d⁻ᵢ − d⁺ᵢ)/(d⁻ᵢ + d⁺ᵢ), in [−1, 1]. */
  readonly nag: number;
  /** The literal ratio of Table 3, averaged: (1/n) Σ d⁺ᵢ/d⁻ᵢ (≈ 1 when balanced). */
  readonly pndRatio: number;
}

/** Options of {@link kernelSelectionMetrics}. */
export interface KernelSelectionMetricsOptions {
  /** The embedding distance: a name from `DISTANCES` or a function. Default `"cosine"`. */
  readonly distance?: DistanceName | DistanceFunction;
}

/**
 * Computes PND, PNAV, TAT and NAG (Table 3) of a dataset of preference triplets.
 *
 * With d⁺ᵢ = d(xᵢ, y⁺ᵢ), d⁻ᵢ = d(xᵢ, y⁻ᵢ) under the chosen distance (default cosine, 1 − cos):
 *
 * - PND = |mean of ln(d⁺ᵢ/d⁻ᵢ)|. Table 3 writes the ratio d⁺/d⁻, but the rules test "PND ≈ 0" and
 *   "PND < 0.1" while a balanced ratio is ≈ 1; the absolute mean log-ratio is 0 when balanced and grows
 *   with systematic imbalance in either direction. Both distances are floored at {@link PND_EPSILON}
 *   (1e-12) first, so a pair with a zero distance contributes at most |ln 1e-12| ≈ 27.6 (and a pair with
 *   both distances zero contributes 0). `pndRatio` is the literal ratio, mean of d⁺ᵢ/d⁻ᵢ, same floor.
 * - PNAV = mean of (d⁺ᵢ − d⁻ᵢ)².
 * - TAT = mean of d(y⁺ᵢ, y⁻ᵢ)/(d⁺ᵢ + d⁻ᵢ) (the distance is assumed symmetric, d(y, x) = d(x, y)). Under a
 *   metric such as `"euclidean"` it lies in [0, 1] by the triangle inequality; under `"cosine"` or
 *   `"squared-euclidean"` (not metrics) it lies in [0, 2], exceeding 1 when x lies between y⁺ and y⁻.
 *   A term whose denominator is 0 (y⁺ and y⁻ both at distance 0 from x) counts as 0; its numerator is 0
 *   too under every built-in distance. For a custom distance where it is not, a RangeError is thrown.
 * - NAG = mean of (d⁻ᵢ − d⁺ᵢ)/(d⁻ᵢ + d⁺ᵢ), in [−1, 1]; positive when prompts lie closer to the chosen
 *   responses. A term with d⁺ᵢ = d⁻ᵢ = 0 counts as 0.
 *
 * @param triplets Non-empty dataset of {prompt, chosen, rejected} embeddings of equal length.
 * @param options `distance` (default `"cosine"`).
 * @returns `{ pnd, pnav, tat, nag, pndRatio }`.
 * @throws {RangeError} On an empty dataset, a length mismatch or a non-finite entry (naming e.g.
 *   `triplets[3].chosen`), an unknown distance, a zero vector under cosine, or an invalid distance value.
 * @throws {TypeError} If an element is not a triplet of vectors.
 * @example
 * ```ts
 * import { kernelSelectionMetrics } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const m = kernelSelectionMetrics(
 *   [
 *     { prompt: [0, 0], chosen: [1, 0], rejected: [-2, 0] },
 *     { prompt: [0, 0], chosen: [0, 1], rejected: [0, 1] },
 *   ],
 *   { distance: "euclidean" },
 * );
 * assert.equal(m.pnav, 0.5); // ((1 − 2)² + 0²) / 2
 * assert.equal(m.tat, 0.5); // (3/3 + 0/2) / 2
 * assert.ok(Math.abs(m.nag - 1 / 6) < 1e-15); // ((2 − 1)/3 + 0) / 2
 * assert.ok(Math.abs(m.pnd - Math.LN2 / 2) < 1e-15); // |ln(1/2) + ln 1| / 2
 * assert.equal(m.pndRatio, 0.75);
 * ```
 */
export function kernelSelectionMetrics(
  triplets: readonly PreferenceTriplet[],
  options: KernelSelectionMetricsOptions = {},
): KernelSelectionMetrics {
  const { chosen, rejected, between } = tripletDistances(triplets, {
    distance: options.distance,
    between: true,
  });
  const n = chosen.length;
  const yy = between as Float64Array;
  let logRatio = 0;
  let ratio = 0;
  let pnav = 0;
  let tat = 0;
  let nag = 0;
  for (let i = 0; i < n; i++) {
    const dp = chosen[i] as number;
    const dm = rejected[i] as number;
    const fp = Math.max(dp, PND_EPSILON);
    const fm = Math.max(dm, PND_EPSILON);
    logRatio += Math.log(fp) - Math.log(fm);
    ratio += fp / fm;
    const diff = dp - dm;
    pnav += diff * diff;
    const sum = dp + dm;
    const num = yy[i] as number;
    if (sum > 0) {
      tat += num / sum;
      nag += (dm - dp) / sum;
    } else if (num > 0) {
      throw new RangeError(
        `triplets[${i}]: TAT is undefined, d(chosen, rejected) = ${num} > 0 while d(prompt, chosen) = ` +
          `d(prompt, rejected) = 0 (the custom distance violates the triangle inequality)`,
      );
    }
  }
  return {
    pnd: Math.abs(logRatio / n),
    pnav: pnav / n,
    tat: tat / n,
    nag: nag / n,
    pndRatio: ratio / n,
  };
}

/** The kernels {@link selectKernel} can return; `"hmk"` is the fallback mixture. */
export type SelectableKernel = MixtureKernelName | "hmk";

/** Thresholds of the kernel rule (Sec. 5.1). All must be finite and ≥ 0. */
export interface KernelSelectionThresholds {
  /** ε₁: PNAV above it (with low TAT) selects RBF. Default 0.5. */
  readonly epsilon1?: number;
  /** ε₂: TAT below it (with high PNAV) selects RBF. Default 0.3. */
  readonly epsilon2?: number;
  /** ε₃: PNAV below it (with NAG > 0) selects Mahalanobis. Default 0.2. */
  readonly epsilon3?: number;
  /** ε₄: TAT above it (with low PND) selects Spectral. Default 0.7. */
  readonly epsilon4?: number;
  /** ε₅: PND below it (with high TAT) selects Spectral. Default 0.1. */
  readonly epsilon5?: number;
  /** Tolerance of the "≈ 0" tests of the Polynomial rule: |NAG| < approxZero and PND < approxZero. Default 0.05. */
  readonly approxZero?: number;
}

/** The paper's default thresholds (Sec. 5.1) and the `approxZero` tolerance. */
export const DEFAULT_KERNEL_SELECTION_THRESHOLDS: Readonly<Required<KernelSelectionThresholds>> = Object
  .freeze({
    epsilon1: 0.5,
    epsilon2: 0.3,
    epsilon3: 0.2,
    epsilon4: 0.7,
    epsilon5: 0.1,
    approxZero: 0.05,
  });

/** The metrics the kernel rule reads. */
export type KernelRuleMetrics = Pick<KernelSelectionMetrics, "pnd" | "pnav" | "tat" | "nag">;

/** One case of the kernel rule: a kernel, its condition, and a sentence stating the condition with numbers. */
export interface KernelSelectionRule {
  /** The kernel selected when `test` holds. */
  readonly kernel: SelectableKernel;
  /** Whether the case applies. */
  readonly test: (m: KernelRuleMetrics, t: Readonly<Required<KernelSelectionThresholds>>) => boolean;
  /** The condition with the actual values, e.g. "PNAV 0.61 > ε₁ 0.5 and TAT 0.22 < ε₂ 0.3". */
  readonly describe: (m: KernelRuleMetrics, t: Readonly<Required<KernelSelectionThresholds>>) => string;
}

/** The outcome of {@link selectKernel}. */
export interface KernelSelection {
  /** The selected kernel. */
  readonly kernel: SelectableKernel;
  /** A sentence with the numbers and thresholds that decided it. */
  readonly reason: string;
  /** The 1-based number of the rule that fired (5 = the fallback). */
  readonly rule: number;
}

/**
 * The kernel rule of Sec. 5.1 as a table, in the paper's order; the first case that holds wins, and the
 * fallback (the paper is silent when none holds) is the hierarchical mixture HMK.
 *
 * 1. RBF if PNAV > ε₁ and TAT < ε₂.
 * 2. Polynomial if NAG ≈ 0 and PND ≈ 0, read as |NAG| < approxZero and PND < approxZero.
 * 3. Mahalanobis if NAG > 0 and PNAV < ε₃ (the equation's NAG > 0; Table 3 says NAG ≠ 0).
 * 4. Spectral if TAT > ε₄ and PND < ε₅.
 * 5. HMK otherwise.
 *
 * @example
 * ```ts
 * import { KERNEL_SELECTION_RULES } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.deepEqual(KERNEL_SELECTION_RULES.map((r) => r.kernel), [
 *   "rbf", "polynomial", "mahalanobis", "spectral", "hmk",
 * ]);
 * ```
 */
export const KERNEL_SELECTION_RULES: readonly KernelSelectionRule[] = Object.freeze(
  [
    {
      kernel: "rbf",
      test: (m, t) => m.pnav > t.epsilon1 && m.tat < t.epsilon2,
      describe: (m, t) =>
        `PNAV ${formatAgainst(m.pnav, t.epsilon1)} > ε₁ ${formatThreshold(t.epsilon1)} and ` +
        `TAT ${formatAgainst(m.tat, t.epsilon2)} < ε₂ ${formatThreshold(t.epsilon2)}`,
    },
    {
      kernel: "polynomial",
      test: (m, t) => Math.abs(m.nag) < t.approxZero && m.pnd < t.approxZero,
      describe: (m, t) =>
        `|NAG| ${formatAgainst(Math.abs(m.nag), t.approxZero)} < approxZero ${
          formatThreshold(t.approxZero)
        } and ` +
        `PND ${formatAgainst(m.pnd, t.approxZero)} < approxZero ${
          formatThreshold(t.approxZero)
        } (NAG ≈ 0 and PND ≈ 0)`,
    },
    {
      kernel: "mahalanobis",
      test: (m, t) => m.nag > 0 && m.pnav < t.epsilon3,
      describe: (m, t) =>
        `NAG ${formatAgainst(m.nag, 0)} > 0 and PNAV ${formatAgainst(m.pnav, t.epsilon3)} < ε₃ ${
          formatThreshold(t.epsilon3)
        }`,
    },
    {
      kernel: "spectral",
      test: (m, t) => m.tat > t.epsilon4 && m.pnd < t.epsilon5,
      describe: (m, t) =>
        `TAT ${formatAgainst(m.tat, t.epsilon4)} > ε₄ ${formatThreshold(t.epsilon4)} and ` +
        `PND ${formatAgainst(m.pnd, t.epsilon5)} < ε₅ ${formatThreshold(t.epsilon5)}`,
    },
    {
      kernel: "hmk",
      test: () => true,
      describe: (m) =>
        `no case of Sec. 5.1 holds (PNAV ${formatAgainst(m.pnav, NaN)}, TAT ${formatAgainst(m.tat, NaN)}, ` +
        `NAG ${formatAgainst(m.nag, NaN)}, PND ${formatAgainst(m.pnd, NaN)})`,
    },
  ] satisfies KernelSelectionRule[],
);

const KERNEL_LABELS: Readonly<Record<SelectableKernel, string>> = Object.freeze({
  rbf: "RBF",
  polynomial: "Polynomial",
  mahalanobis: "Mahalanobis",
  spectral: "Spectral",
  hmk: "HMK",
});

/**
 * Chooses a kernel from the selection metrics by the rule of Sec. 5.1, evaluated as the table
 * {@link KERNEL_SELECTION_RULES}: the first case that holds, in the paper's order, wins (RBF, Polynomial,
 * Mahalanobis, Spectral), and HMK is returned when none does. Comparisons are strict.
 *
 * @param metrics PND, PNAV, TAT (all finite and ≥ 0) and NAG (in [−1, 1]), e.g. from
 *   {@link kernelSelectionMetrics}.
 * @param thresholds ε₁ = 0.5, ε₂ = 0.3, ε₃ = 0.2, ε₄ = 0.7, ε₅ = 0.1 (the paper's defaults) and
 *   `approxZero` = 0.05; each finite and ≥ 0.
 * @returns `{ kernel, reason, rule }`; `reason` states the deciding numbers, `rule` is 1–5.
 * @throws {RangeError} If a metric or a threshold is out of range (naming e.g. `metrics.tat` or
 *   `thresholds.epsilon1`).
 * @example
 * ```ts
 * import { selectKernel } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const s = selectKernel({ pnd: 0.3, pnav: 0.61, tat: 0.22, nag: 0.1 });
 * assert.equal(s.kernel, "rbf");
 * assert.equal(s.rule, 1);
 * assert.equal(s.reason, "PNAV 0.61 > ε₁ 0.5 and TAT 0.22 < ε₂ 0.3 → RBF (rule 1)");
 * assert.equal(selectKernel({ pnd: 0.3, pnav: 0.3, tat: 0.5, nag: -0.1 }).kernel, "hmk");
 * ```
 */
export function selectKernel(
  metrics: KernelRuleMetrics,
  thresholds: KernelSelectionThresholds = {},
): KernelSelection {
  if (typeof metrics !== "object" || metrics === null) {
    throw new TypeError(`metrics must be an object {pnd, pnav, tat, nag}, got ${describe(metrics)}`);
  }
  assertNonNegative(metrics.pnd, "metrics.pnd");
  assertNonNegative(metrics.pnav, "metrics.pnav");
  assertNonNegative(metrics.tat, "metrics.tat");
  assertFinite(metrics.nag, "metrics.nag");
  assertInRange(metrics.nag, "metrics.nag", -1, 1);
  const t = resolveThresholds(DEFAULT_KERNEL_SELECTION_THRESHOLDS, thresholds);
  const { rule: r, number: rule } = firstMatchingRule(KERNEL_SELECTION_RULES, metrics, t);
  const fallback = rule === KERNEL_SELECTION_RULES.length ? ", fallback" : "";
  return {
    kernel: r.kernel,
    reason: `${r.describe(metrics, t)} → ${KERNEL_LABELS[r.kernel]} (rule ${rule}${fallback})`,
    rule,
  };
}
