/**
 * Tokenizers: the byte tokenizer, Hugging Face tokenizers through transformers.js, and a loader by spec.
 *
 * @module
 */
export * from "./types.ts";
export * from "./byte.ts";
export * from "./hf.ts";
export * from "./load.ts";
