/**
 * Files on disk and from the Hugging Face hub: the one check for names that become paths, hub ids, the hub
 * cache and its downloads, and small file helpers. No tensors; model, tokenizer and dataset loaders share it.
 *
 * @module
 */
export * from "./safe_path.ts";
export * from "./hub.ts";
export * from "./files.ts";
