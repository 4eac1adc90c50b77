/**
 * Analysis metrics of Sec. 7.4 and 7.5 of the paper (the Davies–Bouldin cluster score, power-law fits of
 * eigenvalue spectra, WeightWatcher's weighted alpha, PCA projections) and the measurement protocol: held-out
 * pairwise accuracy, seeded bootstrap intervals over pairs and seeds, paired comparisons with a sign-flip
 * test, the minimal detectable difference, and prompt-blind shortcut baselines.
 *
 * @module
 */
export * from "./davies_bouldin.ts";
export * from "./power_law.ts";
export * from "./weighted_alpha.ts";
export * from "./pca.ts";
export * from "./classification.ts";
export * from "./logistic_regression.ts";
export * from "./pairwise_accuracy.ts";
export * from "./bootstrap.ts";
export * from "./two_level_bootstrap.ts";
export * from "./paired_comparison.ts";
export * from "./detectable_difference.ts";
export * from "./shortcut_baselines.ts";
export * from "./baselines_table.ts";
export * from "./kernel_regime.ts";
export * from "./verdict.ts";
export * from "./sensitivity.ts";
