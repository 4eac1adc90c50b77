/**
 * A checkpoint folder straight to a model: load, build the `Gpt`, and free the loaded tensors (the model keeps
 * its own copies), so that callers cannot leak them.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Gpt } from "../model/gpt.ts";
import { loadCheckpoint } from "./checkpoint.ts";

/** Options of {@link loadCheckpointModel}. */
export interface LoadCheckpointModelOptions {
  /** Whether the model's parameters are trainable variables (default false: a frozen model for evaluation). */
  trainable?: boolean;
}

/**
 * Loads the GPT saved in a checkpoint folder. The checkpoint's weights and optimizer tensors are disposed once
 * the model holds its copies; the caller disposes the model.
 *
 * @param dir The checkpoint folder ({@link loadCheckpoint}).
 * @param options `trainable` (default false).
 * @returns The model.
 * @throws As {@link loadCheckpoint}.
 * @example
 * ```ts
 * import { loadCheckpointModel, saveCheckpoint } from "@dpo-kernels/dpo-kernels/io";
 * import { Gpt } from "@dpo-kernels/dpo-kernels/model";
 * import * as tf from "@tensorflow/tfjs";
 * import assert from "node:assert/strict";
 * const dir = (await Deno.makeTempDir()) + "/ckpt";
 * const model = new Gpt({ vocabSize: 16, contextLength: 4, dModel: 8, layers: 1, heads: 2 }, { seed: 1 });
 * await saveCheckpoint(dir, { model });
 * const before = tf.memory().numTensors;
 * const copy = await loadCheckpointModel(dir);
 * assert.equal(tf.memory().numTensors - before, 1 + copy.params.size); // its parameters and causal mask
 * assert.deepEqual(await copy.param("wte.weight").data(), await model.param("wte.weight").data());
 * copy.dispose();
 * model.dispose();
 * ```
 */
export async function loadCheckpointModel(
  dir: string,
  options: LoadCheckpointModelOptions = {},
): Promise<Gpt> {
  const ckpt = await loadCheckpoint(dir);
  try {
    return new Gpt(ckpt.config, { weights: ckpt.weights, trainable: options.trainable ?? false });
  } finally {
    tf.dispose([...ckpt.weights.values(), ...(ckpt.optimizer?.values() ?? [])]);
  }
}
