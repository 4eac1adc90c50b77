/**
 * Reading and writing models: the safetensors format, training checkpoints, and GPT-2 weights from Hugging
 * Face (a local folder or the hub).
 *
 * @module
 */
export * from "./safetensors.ts";
export * from "./checkpoint.ts";
export * from "./hub.ts";
export * from "./safe_path.ts";
export * from "./gpt2.ts";
export * from "./gpt2_export.ts";
