/**
 * Evaluation of trained policies (preference and generation F1 per category, clusters, weighted alpha), the
 * experiment grid, and its reports.
 *
 * @module
 */
export * from "./decode.ts";
export * from "./evaluate.ts";
export * from "./embeddings.ts";
export * from "./experiment.ts";
export * from "./divergence_columns.ts";
export * from "./grid_cells.ts";
export * from "./grid_pilot.ts";
export * from "./grid_plan.ts";
export * from "./report.ts";
export * from "./safety_clusters.ts";
export * from "./selection_check.ts";
export * from "./protocol_report.ts";
