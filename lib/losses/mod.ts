/**
 * The DPO-Kernels losses in numeric form: objectives, f-DPO implicit scores, kernelized margins, the embedding
 * term, and the named loss table with exact gradients.
 *
 * @module
 */
export * from "./objectives.ts";
export * from "./implicit_scores.ts";
export * from "./kernel_margin.ts";
export * from "./embedding_margin.ts";
export * from "./loss_table.ts";
export * from "./loss_options.ts";
export * from "./resolved_margin.ts";
export * from "./preference_loss.ts";
