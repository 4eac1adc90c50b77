/**
 * The GPT policy on TensorFlow.js: its shape, its ops and the backends it runs on.
 *
 * @module
 */
export * from "./config.ts";
export * from "./gpt.ts";
export * from "./backend.ts";
