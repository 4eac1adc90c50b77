/**
 * Reading and writing models: the safetensors format, training checkpoints, and GPT-2 weights from Hugging
 * Face (a local folder or the hub).
 *
 * @module
 */
export * from "./safetensors_dtypes.ts";
export * from "./safetensors.ts";
export * from "./safetensors_file.ts";
export * from "./checkpoint_config.ts";
export * from "./checkpoint.ts";
export * from "./gpt2.ts";
export * from "./gpt2_export.ts";
export * from "./checkpoint_model.ts";
