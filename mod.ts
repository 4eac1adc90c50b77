/**
 * dpo-kernels: the pure numeric core of DPO-Kernels (Das et al., 2025).
 *
 * Kernels, divergences, DPO-family losses with their gradients, the data-driven selection metrics and rules,
 * and the analysis metrics (Davies–Bouldin, heavy-tailed power-law fits, weighted alpha, PCA). Numbers in,
 * numbers out: no tensors, no I/O.
 *
 * @example
 * ```ts
 * import { klDivergence } from "./mod.ts";
 * klDivergence([0.5, 0.5], [0.9, 0.1]); // 0.5108…
 * ```
 *
 * @module
 */
export * from "./lib/math/mod.ts";
export * from "./lib/divergences/mod.ts";
export * from "./lib/kernels/mod.ts";
export * from "./lib/losses/mod.ts";
export * from "./lib/selection/mod.ts";
export * from "./lib/analysis/mod.ts";
