/**
 * Stable scalar math, the shared numeric types and the seeded generator.
 *
 * @module
 */
export * from "./types.ts";
export * from "./stable.ts";
export * from "./vector.ts";
export * from "./lookup.ts";
export * from "./random.ts";
