/**
 * The training side of dpo-kernels: batches, log-probabilities and pooling, the DPO-Kernels losses as tensor
 * ops, the explicit divergence regularizer, AdamW, the reference cache, the run folder and the trainer. The
 * model, tokenizers, checkpoints, evaluation and figures are their own exports (`./model`, `./tokenizer`,
 * `./io`, `./eval`, `./plot`).
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
export * from "./batch.ts";
export * from "./logprobs.ts";
export * from "./pooling.ts";
export * from "./config.ts";
export * from "./optimizer.ts";
export * from "./tensor_losses.ts";
export * from "./explicit_regularizer.ts";
export * from "./embedder.ts";
export * from "./frozen_embedder.ts";
export * from "./trainer.ts";
export * from "./diagnostics.ts";
export * from "./reference_cache.ts";
export * from "./run_folder.ts";
export * from "./drain.ts";
