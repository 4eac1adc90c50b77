/**
 * The training side of dpo-kernels: a GPT policy on TensorFlow.js, tokenizers, checkpoints and GPT-2 loading,
 * the DPO-Kernels losses as tensor ops, the explicit divergence regularizer, and the trainer.
 *
 * @example
 * ```ts ignore
 * import { train } from "@dpo-kernels/dpo-kernels/train";
 * for await (const event of train({ data: "pairs.jsonl", out: "out", loss: "hmk", steps: 100 })) {
 *   if (event.type === "step") console.log(event.phase, event.step, event.metrics.loss);
 * }
 * ```
 *
 * @module
 */
export * from "../model/mod.ts";
export * from "../io/mod.ts";
export * from "../tokenizer/mod.ts";
export * from "./data.ts";
export * from "./batch.ts";
export * from "./logprobs.ts";
export * from "./pooling.ts";
export * from "./config.ts";
export * from "./optimizer.ts";
export * from "./tensor_losses.ts";
export * from "./explicit_regularizer.ts";
export * from "./embedder.ts";
export * from "./trainer.ts";
export * from "./diagnostics.ts";
export * from "./reference_cache.ts";
export * from "../eval/mod.ts";
export * from "../plot/mod.ts";
// TensorFlow.js's memory management, for notebooks and scripts that run the model directly.
export { dispose, memory, tidy } from "@tensorflow/tfjs";
export * from "./run_folder.ts";
