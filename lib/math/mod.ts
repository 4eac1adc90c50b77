/**
 * Stable scalar math and the shared numeric types.
 *
 * @module
 */
export * from "./types.ts";
export * from "./stable.ts";
export * from "./vector.ts";
export * from "./lookup.ts";
