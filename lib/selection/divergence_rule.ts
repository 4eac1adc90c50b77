/**
 * The divergence rule of Sec. 5.2 (Das et al., 2025) as a table: the cases in the paper's order, each with
 * its test and its reason, and the function that applies the first that holds.
 *
 * @module
 */
import { assertInRange, assertNonNegative, describe } from "../math/validation.ts";
import type { DivergenceSelectionMetrics } from "./divergence_selection.ts";
import { firstMatchingRule, formatAgainst, formatThreshold, resolveThresholds } from "./rule_table.ts";

/** The divergences {@link selectDivergence} can return. */
export type SelectableDivergence = "bhattacharyya" | "wasserstein" | "renyi" | "js" | "hellinger" | "kl";

/** Thresholds of the divergence rule (Sec. 5.2). */
export interface DivergenceSelectionThresholds {
  /** ε₁: support overlap above it selects Bhattacharyya. In [0, 1]; default 0.6. */
  readonly epsilon1?: number;
  /** ε₂: drift magnitude above it selects Wasserstein. ≥ 0; default 0.3. */
  readonly epsilon2?: number;
  /** ε₃: kurtosis above it selects Rényi; "kurtosis is low" means ≤ ε₃. ≥ 0; default 3. */
  readonly epsilon3?: number;
  /** "Overlap is low" means overlap < lowOverlap (selects JS). In [0, ε₁]; default 0.3. */
  readonly lowOverlap?: number;
  /** "Smoothness is low" means smoothness < lowSmoothness (selects Hellinger), in δ units. ≥ 0; default 0.05. */
  readonly lowSmoothness?: number;
}

/** The paper's defaults ε₁ = 0.6, ε₂ = 0.3, ε₃ = 3, and the two added thresholds. */
export const DEFAULT_DIVERGENCE_SELECTION_THRESHOLDS: Readonly<Required<DivergenceSelectionThresholds>> =
  Object.freeze({ epsilon1: 0.6, epsilon2: 0.3, epsilon3: 3, lowOverlap: 0.3, lowSmoothness: 0.05 });

/** One case of the divergence rule: a divergence, its condition, and the condition stated with numbers. */
export interface DivergenceSelectionRule {
  /** The divergence selected when `test` holds. */
  readonly divergence: SelectableDivergence;
  /** Whether the case applies. */
  readonly test: (
    m: DivergenceSelectionMetrics,
    t: Readonly<Required<DivergenceSelectionThresholds>>,
  ) => boolean;
  /** The condition with the actual values. */
  readonly describe: (
    m: DivergenceSelectionMetrics,
    t: Readonly<Required<DivergenceSelectionThresholds>>,
  ) => string;
}

/** The outcome of {@link selectDivergence}. */
export interface DivergenceSelection {
  /** The selected divergence. */
  readonly divergence: SelectableDivergence;
  /** A sentence with the numbers and thresholds that decided it. */
  readonly reason: string;
  /** The 1-based number of the rule that fired (6 = the "otherwise" case). */
  readonly rule: number;
}

/**
 * The divergence rule of Sec. 5.2 as a table, in the paper's order; the first case that holds wins.
 *
 * 1. Bhattacharyya if overlap > ε₁.
 * 2. Wasserstein if drift > ε₂.
 * 3. Rényi if kurtosis > ε₃.
 * 4. Jensen–Shannon if overlap < lowOverlap and kurtosis ≤ ε₃.
 * 5. Hellinger if smoothness < lowSmoothness and kurtosis ≤ ε₃.
 * 6. KL otherwise.
 *
 * Read literally ("overlap is low" = not > ε₁, "kurtosis is low" = not > ε₃), case 4 would hold whenever
 * cases 1–3 fail, leaving Hellinger and KL unreachable; `lowOverlap` and `lowSmoothness` resolve this.
 *
 * @example
 * ```ts
 * import { DIVERGENCE_SELECTION_RULES } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.deepEqual(DIVERGENCE_SELECTION_RULES.map((r) => r.divergence), [
 *   "bhattacharyya", "wasserstein", "renyi", "js", "hellinger", "kl",
 * ]);
 * ```
 */
export const DIVERGENCE_SELECTION_RULES: readonly DivergenceSelectionRule[] = Object.freeze(
  [
    {
      divergence: "bhattacharyya",
      test: (m, t) => m.supportOverlap > t.epsilon1,
      describe: (m, t) =>
        `support overlap ${formatAgainst(m.supportOverlap, t.epsilon1)} > ε₁ ${formatThreshold(t.epsilon1)}`,
    },
    {
      divergence: "wasserstein",
      test: (m, t) => m.driftMagnitude > t.epsilon2,
      describe: (m, t) =>
        `drift magnitude ${formatAgainst(m.driftMagnitude, t.epsilon2)} > ε₂ ${formatThreshold(t.epsilon2)}`,
    },
    {
      divergence: "renyi",
      test: (m, t) => m.kurtosis > t.epsilon3,
      describe: (m, t) =>
        `kurtosis ${formatAgainst(m.kurtosis, t.epsilon3)} > ε₃ ${formatThreshold(t.epsilon3)}`,
    },
    {
      divergence: "js",
      test: (m, t) => m.supportOverlap < t.lowOverlap && m.kurtosis <= t.epsilon3,
      describe: (m, t) =>
        `support overlap ${formatAgainst(m.supportOverlap, t.lowOverlap)} < lowOverlap ${
          formatThreshold(t.lowOverlap)
        } ` +
        `and kurtosis ${formatAgainst(m.kurtosis, t.epsilon3)} ≤ ε₃ ${formatThreshold(t.epsilon3)}`,
    },
    {
      divergence: "hellinger",
      test: (m, t) => m.smoothness < t.lowSmoothness && m.kurtosis <= t.epsilon3,
      describe: (m, t) =>
        `smoothness ${formatAgainst(m.smoothness, t.lowSmoothness)} < lowSmoothness ${
          formatThreshold(t.lowSmoothness)
        } ` +
        `and kurtosis ${formatAgainst(m.kurtosis, t.epsilon3)} ≤ ε₃ ${formatThreshold(t.epsilon3)}`,
    },
    {
      divergence: "kl",
      test: () => true,
      describe: (m, t) =>
        `no earlier case holds (overlap ${formatAgainst(m.supportOverlap, t.lowOverlap)} in ` +
        `[lowOverlap ${formatThreshold(t.lowOverlap)}, ε₁ ${formatThreshold(t.epsilon1)}], drift ${
          formatAgainst(m.driftMagnitude, t.epsilon2)
        } ` +
        `≤ ε₂ ${formatThreshold(t.epsilon2)}, kurtosis ${formatAgainst(m.kurtosis, t.epsilon3)} ≤ ε₃ ${
          formatThreshold(t.epsilon3)
        }, ` +
        `smoothness ${formatAgainst(m.smoothness, t.lowSmoothness)} ≥ lowSmoothness ${
          formatThreshold(t.lowSmoothness)
        })`,
    },
  ] satisfies DivergenceSelectionRule[],
);

const DIVERGENCE_LABELS: Readonly<Record<SelectableDivergence, string>> = Object.freeze({
  bhattacharyya: "Bhattacharyya",
  wasserstein: "Wasserstein",
  renyi: "Rényi",
  js: "Jensen–Shannon",
  hellinger: "Hellinger",
  kl: "KL",
});

function resolveDivergenceThresholds(
  thresholds: DivergenceSelectionThresholds,
): Readonly<Required<DivergenceSelectionThresholds>> {
  const t = resolveThresholds(DEFAULT_DIVERGENCE_SELECTION_THRESHOLDS, thresholds);
  assertInRange(t.epsilon1, "thresholds.epsilon1", 0, 1);
  if (t.lowOverlap > t.epsilon1) {
    throw new RangeError(
      `thresholds.lowOverlap must be <= thresholds.epsilon1 (${t.epsilon1}), got ${t.lowOverlap}`,
    );
  }
  return t;
}

/**
 * Chooses a divergence from the selection metrics by the rule of Sec. 5.2, evaluated as the table
 * {@link DIVERGENCE_SELECTION_RULES}: the first case that holds, in the paper's order, wins. Comparisons
 * are strict except "kurtosis is low", which is the complement of case 3 (≤ ε₃).
 *
 * The paper's cascade, read literally, always ends at Jensen–Shannon once cases 1–3 fail (overlap ≤ ε₁ and
 * kurtosis ≤ ε₃ are then "low"), so Hellinger and KL could never be chosen. Two added thresholds make the
 * words "low" concrete: JS needs overlap < `lowOverlap` (default 0.3), Hellinger needs smoothness <
 * `lowSmoothness` (default 0.05, in the units of δ = d⁺ − d⁻), and KL is the remainder.
 *
 * @param metrics `supportOverlap` in [0, 1], `driftMagnitude`, `kurtosis` and `smoothness` ≥ 0, e.g. from
 *   {@link divergenceSelectionMetrics}.
 * @param thresholds ε₁ = 0.6 (in [0, 1]), ε₂ = 0.3, ε₃ = 3 (the paper's defaults), `lowOverlap` = 0.3 (in
 *   [0, ε₁]) and `lowSmoothness` = 0.05; each finite and ≥ 0.
 * @param admissible Which divergences may be returned (default all): a case whose divergence is not admissible
 *   is skipped, and the walk goes on in the table's order (used by `selectPair` to skip a combination with the
 *   chosen kernel that is known to collapse).
 * @returns `{ divergence, reason, rule }`; `reason` states the deciding numbers, `rule` is 1–6.
 * @throws {RangeError} If a metric or a threshold is out of range (naming e.g. `metrics.kurtosis` or
 *   `thresholds.lowOverlap`), or if no admissible case holds.
 * @example
 * ```ts
 * import { selectDivergence } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const s = selectDivergence({ supportOverlap: 0.45, driftMagnitude: 0.1, kurtosis: 4.2, smoothness: 0.2 });
 * assert.equal(s.divergence, "renyi");
 * assert.equal(s.reason, "kurtosis 4.2 > ε₃ 3 → Rényi (rule 3)");
 * const k = selectDivergence({ supportOverlap: 0.45, driftMagnitude: 0.1, kurtosis: 2, smoothness: 0.2 });
 * assert.equal(k.divergence, "kl");
 * const skip = selectDivergence({ supportOverlap: 0.45, driftMagnitude: 0.1, kurtosis: 4.2, smoothness: 0.2 }, {}, (d) => d !== "renyi");
 * assert.equal(skip.divergence, "kl");
 * ```
 */
export function selectDivergence(
  metrics: DivergenceSelectionMetrics,
  thresholds: DivergenceSelectionThresholds = {},
  admissible: (divergence: SelectableDivergence) => boolean = () => true,
): DivergenceSelection {
  if (typeof metrics !== "object" || metrics === null) {
    throw new TypeError(
      `metrics must be an object {supportOverlap, driftMagnitude, kurtosis, smoothness}, got ${
        describe(metrics)
      }`,
    );
  }
  assertNonNegative(metrics.supportOverlap, "metrics.supportOverlap");
  assertInRange(metrics.supportOverlap, "metrics.supportOverlap", 0, 1);
  assertNonNegative(metrics.driftMagnitude, "metrics.driftMagnitude");
  assertNonNegative(metrics.kurtosis, "metrics.kurtosis");
  assertNonNegative(metrics.smoothness, "metrics.smoothness");
  const t = resolveDivergenceThresholds(thresholds);
  const rules = DIVERGENCE_SELECTION_RULES.filter((r) => admissible(r.divergence));
  if (rules.length === 0 || !rules.some((r) => r.test(metrics, t))) {
    throw new RangeError(
      `admissible must accept a divergence whose case holds; none of ${
        DIVERGENCE_SELECTION_RULES.map((r) => r.divergence).join(", ")
      } does`,
    );
  }
  const { rule: r } = firstMatchingRule(rules, metrics, t);
  const rule = DIVERGENCE_SELECTION_RULES.indexOf(r) + 1;
  return {
    divergence: r.divergence,
    reason: `${r.describe(metrics, t)} → ${DIVERGENCE_LABELS[r.divergence]} (rule ${rule})`,
    rule,
  };
}
