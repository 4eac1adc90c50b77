/**
 * Figures: Observable Plot rendered headless to SVG and PNG, and notebook display helpers.
 *
 * @module
 */
export * from "./render.ts";
export * from "./notebook.ts";
export * from "./prose.ts";
export * from "./findings.ts";
