/**
 * Data-driven selection of kernels and divergences (Das et al., 2025, Sec. 5): the embedding distances, the
 * kernel-selection metrics PND, PNAV, TAT, NAG and their rule, and the divergence-selection metrics support
 * overlap, drift magnitude, kurtosis, smoothness and their rule.
 *
 * @module
 */
export * from "./distance.ts";
export {
  DEFAULT_KERNEL_SELECTION_THRESHOLDS,
  KERNEL_SELECTION_RULES,
  type KernelRuleMetrics,
  type KernelSelection,
  type KernelSelectionMetrics,
  kernelSelectionMetrics,
  type KernelSelectionMetricsOptions,
  type KernelSelectionRule,
  type KernelSelectionThresholds,
  PND_EPSILON,
  type SelectableKernel,
  selectKernel,
} from "./kernel_selection.ts";
export * from "./divergence_selection.ts";
export * from "./collapse_risk.ts";
export * from "./pair_selection.ts";
