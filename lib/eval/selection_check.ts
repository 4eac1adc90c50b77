/**
 * The paper's data-driven selection (Sec. 5) run on a dataset, for training: embeddings of the training pairs
 * from a reference model, the kernel and divergence metrics, the rules' choices with their reasons, and the
 * loss and divergence names the trainer takes for them.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { loadCheckpoint } from "../io/checkpoint.ts";
import { checkpointTokenizerSpec } from "../io/checkpoint_config.ts";
import type { LossName } from "../losses/preference_loss.ts";
import { Gpt } from "../model/gpt.ts";
import {
  type DivergenceSelection,
  type DivergenceSelectionMetrics,
  divergenceSelectionMetrics,
} from "../selection/divergence_selection.ts";
import {
  type KernelSelection,
  type KernelSelectionMetrics,
  kernelSelectionMetrics,
  type SelectableKernel,
} from "../selection/kernel_selection.ts";
import type { CollapseRisk } from "../selection/collapse_risk.ts";
import { selectPair } from "../selection/pair_selection.ts";
import { MIXTURE_KERNELS, type MixtureKernelName } from "../kernels/mixture.ts";
import { KERNELS } from "../kernels/table.ts";
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
  /**
   * The divergence to train with the kernel and its reason: the divergence rule's choice, or the next case of
   * the rule that holds where that choice is known to collapse with the kernel (`selectPair`).
   */
  divergence: DivergenceSelection;
  /** The divergence rule's own choice, before the collapse table. */
  ruleDivergence: DivergenceSelection;
  /** The kernel × divergence combinations refused as known to collapse (empty when none). */
  refused: readonly CollapseRisk[];
  /** The chosen pair's collapse flag, or `undefined`. */
  flag: CollapseRisk | undefined;
  /** The loss that trains with the chosen kernel. */
  loss: LossName;
  /** The divergence the trainer takes for the choice (Wasserstein trains explicitly). */
  trainDivergence: TrainDivergence;
}

/** How many training pairs {@link selectionCheck} embeds when not told. */
export const DEFAULT_SELECTION_LIMIT = 400;

/** The chosen kernel → the loss that uses it (each kernel's `loss` in `KERNELS`, and HMK's). */
export const KERNEL_TO_LOSS: Readonly<{ [K in SelectableKernel]: LossName }> = Object.freeze({
  ...(Object.fromEntries(MIXTURE_KERNELS.map((k) => [k, KERNELS[k].loss])) as Record<
    MixtureKernelName,
    LossName
  >),
  hmk: "hmk",
});

/**
 * Runs the selection on a dataset with a reference checkpoint's hidden-state embeddings: the kernel and
 * divergence rules with the collapse table applied (`selectPair`: a refused combination is never returned).
 *
 * @param referenceDir A checkpoint folder (the SFT reference).
 * @param examples The training pairs (at most `limit` are embedded).
 * @param options How many pairs to embed (default 400).
 * @returns Metrics, choices with reasons, and the trainer's names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectionCheck } from "./selection_check.ts";
 * import { collapseRisk } from "../selection/collapse_risk.ts";
 * import { Gpt } from "../model/gpt.ts";
 * import { saveCheckpoint } from "../io/checkpoint.ts";
 * const dir = await Deno.makeTempDir();
 * const model = new Gpt({ vocabSize: 256, contextLength: 16, dModel: 16, layers: 1, heads: 2 }, { seed: 0 });
 * await saveCheckpoint(dir, { model, tokenizer: { name: "byte", vocabSize: 256 } });
 * model.dispose();
 * const pairs = Array.from({ length: 12 }, (_, i) => ({ prompt: `${i}+${i}=`, chosen: `${2 * i}.`, rejected: `${i}?` }));
 * const s = await selectionCheck(dir, pairs);
 * assert.match(s.kernel.reason, /\(rule \d/);
 * // never a combination known to collapse
 * assert.notEqual(collapseRisk(s.kernel.kernel, s.divergence.divergence)?.level, "refuse");
 * await Deno.remove(dir, { recursive: true });
 * ```
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
    const tokenizer = await loadTokenizer(checkpointTokenizerSpec(referenceDir, ckpt));
    const triplets = await tripletEmbeddings(
      reference,
      tokenizer,
      examples.slice(0, options.limit ?? DEFAULT_SELECTION_LIMIT),
    );
    const kernelMetrics = kernelSelectionMetrics(triplets);
    const divergenceMetrics = divergenceSelectionMetrics(triplets);
    const { kernel, divergence, ruleDivergence, refused, flag } = selectPair(
      kernelMetrics,
      divergenceMetrics,
    );
    return {
      kernelMetrics,
      kernel,
      divergenceMetrics,
      divergence,
      ruleDivergence,
      refused,
      flag,
      loss: KERNEL_TO_LOSS[kernel.kernel],
      trainDivergence: divergence.divergence as TrainDivergence,
    };
  } finally {
    reference.dispose();
  }
}
