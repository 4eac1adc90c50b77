/**
 * The kernel × divergence pair of the data-driven selection (Sec. 5), with the collapse table applied: the
 * kernel rule, then the divergence rule, skipping a divergence whose combination with the chosen kernel is known
 * to collapse (`collapseRisk` level `refuse`, issue 12 item 4) and flagging one predicted or measured to push
 * rewards to extremes (level `flag`).
 *
 * @module
 */
import { type CollapseRisk, collapseRisk } from "./collapse_risk.ts";
import {
  type DivergenceSelection,
  type DivergenceSelectionThresholds,
  selectDivergence,
} from "./divergence_rule.ts";
import type { DivergenceSelectionMetrics } from "./divergence_selection.ts";
import {
  type KernelRuleMetrics,
  type KernelSelection,
  type KernelSelectionThresholds,
  selectKernel,
} from "./kernel_selection.ts";

/** Options of {@link selectPair}. */
export interface PairSelectionOptions {
  /** Thresholds of the kernel rule (defaults: `DEFAULT_KERNEL_SELECTION_THRESHOLDS`). */
  readonly kernelThresholds?: KernelSelectionThresholds;
  /** Thresholds of the divergence rule (defaults: `DEFAULT_DIVERGENCE_SELECTION_THRESHOLDS`). */
  readonly divergenceThresholds?: DivergenceSelectionThresholds;
  /** The Rényi order the pair will train with (collapse entries hold at the default ¾). */
  readonly alpha?: number;
  /** The generator of the `f` divergence. */
  readonly f?: string;
}

/** The outcome of {@link selectPair}. */
export interface PairSelection {
  /** The kernel rule's choice and reason. */
  readonly kernel: KernelSelection;
  /**
   * The divergence to train with the kernel: the divergence rule's choice, or, where that combination is
   * refused, the next case of the rule table that holds and is not refused. Its `reason` says what was refused
   * and why, then what was chosen instead; `rule` is the number of the case that was taken.
   */
  readonly divergence: DivergenceSelection;
  /** The divergence rule's choice before the collapse table was applied. */
  readonly ruleDivergence: DivergenceSelection;
  /** The refused combinations that were skipped, in the rule table's order (empty when none). */
  readonly refused: readonly CollapseRisk[];
  /** The collapse risk of the returned pair when it is flagged, else `undefined` (a pair is never refused). */
  readonly flag: CollapseRisk | undefined;
}

/**
 * Selects a kernel ({@link selectKernel}) and a divergence ({@link selectDivergence}) and applies the collapse
 * table ({@link collapseRisk}): a `refuse` combination is never returned; the divergence rule's walk goes on in
 * the table's order to the next case that holds and is not refused (KL, the last case, always holds and never
 * collapses), and the refusal is stated in the divergence's `reason`. A `flag` combination is returned with the
 * flag in `flag` and in the reason.
 *
 * @param kernelMetrics PND, PNAV, TAT, NAG (e.g. from `kernelSelectionMetrics`).
 * @param divergenceMetrics Support overlap, drift, kurtosis, smoothness (e.g. from `divergenceSelectionMetrics`).
 * @param options The rules' thresholds, and the Rényi order and `f` generator the pair will train with.
 * @returns The kernel, the admissible divergence, the rule's own choice, the refusals and the flag.
 * @throws {RangeError} As {@link selectKernel} and {@link selectDivergence} for metrics or thresholds out of
 *   range.
 * @example
 * ```ts
 * import { selectPair } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * // PNAV > ε₁ and TAT < ε₂ → RBF; overlap > ε₁ → Bhattacharyya, which collapses with RBF
 * const s = selectPair(
 *   { pnd: 0.2, pnav: 0.61, tat: 0.22, nag: 0.1 },
 *   { supportOverlap: 0.7, driftMagnitude: 0.1, kurtosis: 2, smoothness: 0.2 },
 * );
 * assert.equal(s.kernel.kernel, "rbf");
 * assert.equal(s.ruleDivergence.divergence, "bhattacharyya");
 * assert.equal(s.divergence.divergence, "kl");
 * assert.deepEqual(s.refused.map((r) => r.divergence), ["bhattacharyya"]);
 * assert.match(s.divergence.reason, /refused with rbf/);
 * ```
 */
export function selectPair(
  kernelMetrics: KernelRuleMetrics,
  divergenceMetrics: DivergenceSelectionMetrics,
  options: PairSelectionOptions = {},
): PairSelection {
  const kernel = selectKernel(kernelMetrics, options.kernelThresholds);
  const thresholds = options.divergenceThresholds ?? {};
  const ruleDivergence = selectDivergence(divergenceMetrics, thresholds);
  const risk = (d: string) => collapseRisk(kernel.kernel, d, { alpha: options.alpha, f: options.f });
  const refused: CollapseRisk[] = [];
  let divergence = ruleDivergence;
  for (let r = risk(divergence.divergence); r?.level === "refuse"; r = risk(divergence.divergence)) {
    refused.push(r);
    const skipped = new Set(refused.map((x) => x.divergence));
    divergence = selectDivergence(divergenceMetrics, thresholds, (d) => !skipped.has(d));
  }
  const flagged = risk(divergence.divergence);
  const flag = flagged?.level === "flag" ? flagged : undefined;
  const refusal = refused.map((r) => `${r.divergence} refused with ${kernel.kernel}: ${r.reason}`).join("; ");
  const reason =
    (refused.length === 0 ? divergence.reason : `${ruleDivergence.reason}; ${refusal}; instead ` +
      divergence.reason) + (flag === undefined ? "" : `; flagged with ${kernel.kernel}: ${flag.reason}`);
  return { kernel, divergence: { ...divergence, reason }, ruleDivergence, refused, flag };
}
