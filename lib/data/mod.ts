/**
 * Datasets: the preference pair and its JSON-Lines reader, the embedded synthetic preference suite, and
 * loaders of the paper's preference datasets.
 *
 * @module
 */
export * from "./synthetic/mod.ts";
export * from "./loaders/mod.ts";
export * from "./preference.ts";
export * from "./categories.ts";
export * from "./real_subset.ts";
