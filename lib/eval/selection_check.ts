/**
 * The paper's data-driven selection (Sec. 5) run on a dataset, for training: embeddings of the training pairs
 * from a reference model, the kernel and divergence metrics, the rules' choices with their reasons, and the
 * loss and divergence names the trainer takes for them.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { loadCheckpoint } from "../io/checkpoint.ts";
import type { LossName } from "../losses/preference_loss.ts";
import { Gpt } from "../model/gpt.ts";
import {
  type DivergenceSelection,
  type DivergenceSelectionMetrics,
  divergenceSelectionMetrics,
  selectDivergence,
} from "../selection/divergence_selection.ts";
import {
  type KernelSelection,
  type KernelSelectionMetrics,
  kernelSelectionMetrics,
  selectKernel,
} from "../selection/kernel_selection.ts";
import { loadTokenizer } from "../tokenizer/mod.ts";
import type { TrainDivergence } from "../train/config.ts";
import type { PreferenceExample } from "../data/preference.ts";
import { tripletEmbeddings } from "./embeddings.ts";

/** The selection's metrics, choices, and the trainer's names for them. */
export interface SelectionCheck {
  /** PND, PNAV, TAT, NAG. */
  kernelMetrics: KernelSelectionMetrics;
  /** The kernel rule's choice and reason. */
  kernel: KernelSelection;
  /** Support overlap, drift, kurtosis, smoothness. */
  divergenceMetrics: DivergenceSelectionMetrics;
  /** The divergence rule's choice and reason. */
  divergence: DivergenceSelection;
  /** The loss that trains with the chosen kernel. */
  loss: LossName;
  /** The divergence the trainer takes for the choice (Wasserstein trains explicitly). */
  trainDivergence: TrainDivergence;
}

/** The chosen kernel → the loss that uses it. */
export const KERNEL_TO_LOSS: Readonly<Record<string, LossName>> = Object.freeze({
  polynomial: "poly",
  rbf: "rbf",
  spectral: "spectral",
  mahalanobis: "mahalanobis",
  hmk: "hmk",
});

/**
 * Runs the selection on a dataset with a reference checkpoint's hidden-state embeddings.
 *
 * @param referenceDir A checkpoint folder (the SFT reference).
 * @param examples The training pairs (at most `limit` are embedded).
 * @param options How many pairs to embed (default 400).
 * @returns Metrics, choices with reasons, and the trainer's names.
 */
export async function selectionCheck(
  referenceDir: string,
  examples: readonly PreferenceExample[],
  options: { limit?: number } = {},
): Promise<SelectionCheck> {
  const ckpt = await loadCheckpoint(referenceDir);
  const reference = new Gpt(ckpt.config, { weights: ckpt.weights, trainable: false });
  tf.dispose([...ckpt.weights.values(), ...(ckpt.optimizer?.values() ?? [])]);
  try {
    const tokenizer = await loadTokenizer(ckpt.tokenizer?.name ?? "byte");
    const triplets = await tripletEmbeddings(reference, tokenizer, examples.slice(0, options.limit ?? 400));
    const kernelMetrics = kernelSelectionMetrics(triplets);
    const divergenceMetrics = divergenceSelectionMetrics(triplets);
    const kernel = selectKernel(kernelMetrics);
    const divergence = selectDivergence(divergenceMetrics);
    return {
      kernelMetrics,
      kernel,
      divergenceMetrics,
      divergence,
      loss: KERNEL_TO_LOSS[kernel.kernel] ?? "hmk",
      trainDivergence: divergence.divergence as TrainDivergence,
    };
  } finally {
    reference.dispose();
  }
}
