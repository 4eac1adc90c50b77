/**
 * The GPT policy on TensorFlow.js: its shape, its ops, the backends it runs on, and a seeded generator.
 *
 * @module
 */
export * from "./config.ts";
export * from "./gpt.ts";
export * from "./backend.ts";
export * from "./random.ts";
