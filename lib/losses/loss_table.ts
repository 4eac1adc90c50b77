/**
 * The named losses: the objective on the score, the kernel that shapes the margin, and each loss's defaults.
 * The kernel rows come from `KERNELS` (one per kernel, named by its `loss`), so a new kernel brings its loss.
 *
 * @module
 */
import { KERNEL_NAMES, type KernelLossName, type KernelName, KERNELS } from "../kernels/table.ts";
import { lookup } from "../math/lookup.ts";
import type { ObjectiveName } from "./objectives.ts";

/** How a loss shapes the margin: no kernel, one kernel of `KERNELS`, or a learned mixture. */
export type MarginKind = "linear" | KernelName | "mixture" | "hmk";

/** One entry of {@link LOSSES}. */
/** One entry of {@link LOSSES}. */
export interface LossSpec {
  /** The objective on the score. */
  objective: ObjectiveName;
  /** The kernel that shapes the margin. */
  margin: MarginKind;
  /** The default weight γ of the embedding term (0: none unless asked for). */
  gamma: number;
  /** The default entropy-bonus weight η on the mixture weights. */
  entropyWeight: number;
  /**
   * Divide each response's log-prob (policy and reference) by its token count before the margin, as TRL does
   * for `loss_type="ipo"` (the pair must carry `chosenTokens` and `rejectedTokens`).
   */
  lengthNormalized: boolean;
  /** One line for tables and `--help`. */
  description: string;
}

// The losses without a kernel.
const LINEAR_LOSSES = {
  dpo: {
    objective: "sigmoid",
    margin: "linear",
    gamma: 0,
    entropyWeight: 0,
    lengthNormalized: false,
    description: "sigmoid DPO",
  },
  // TRL's IPO (trl/trainer/dpo_trainer.py, `concatenated_forward`: `if self.loss_type == "ipo": all_logps =
  // all_logps / loss_mask.sum(-1)`, and `dpo_loss`: `losses = (logits - 1 / (2 * self.beta)) ** 2`;
  // huggingface/trl at commit 9d58faa7, v0.8 onwards).
  ipo: {
    objective: "ipo",
    margin: "linear",
    gamma: 0,
    entropyWeight: 0,
    lengthNormalized: true,
    description: "IPO as TRL (length-normalized log-probs, squared margin)",
  },
  "ipo-sum": {
    objective: "ipo",
    margin: "linear",
    gamma: 0,
    entropyWeight: 0,
    lengthNormalized: false,
    description: "IPO on summed log-probs (squared margin)",
  },
  hinge: {
    objective: "hinge",
    margin: "linear",
    gamma: 0,
    entropyWeight: 0,
    lengthNormalized: false,
    description: "hinge (SLiC)",
  },
  robust: {
    objective: "robust",
    margin: "linear",
    gamma: 0,
    entropyWeight: 0,
    lengthNormalized: false,
    description: "robust DPO",
  },
  hybrid: {
    objective: "sigmoid",
    margin: "linear",
    gamma: 0.5,
    entropyWeight: 0,
    lengthNormalized: false,
    description: "DPO + γ·embedding log-ratio",
  },
} satisfies Record<string, LossSpec>;

// The learned mixtures.
const MIXTURE_LOSSES = {
  mixture: {
    objective: "sigmoid",
    margin: "mixture",
    gamma: 0,
    entropyWeight: 0,
    lengthNormalized: false,
    description: "flat kernel mixture (softmax over 4)",
  },
  hmk: {
    objective: "sigmoid",
    margin: "hmk",
    gamma: 0,
    entropyWeight: 0.05,
    lengthNormalized: false,
    description: "hierarchical mixture of kernels",
  },
} satisfies Record<string, LossSpec>;

/** One loss per kernel of `KERNELS`: the sigmoid objective on the kernel's margin. */
const KERNEL_LOSSES = Object.fromEntries(
  KERNEL_NAMES.map((k): [KernelLossName, LossSpec] => [KERNELS[k].loss, {
    objective: "sigmoid",
    margin: k,
    gamma: 0,
    entropyWeight: 0,
    lengthNormalized: false,
    description: KERNELS[k].description,
  }]),
) as Record<KernelLossName, LossSpec>;

/** The name of a loss in {@link LOSSES}. */
export type LossName = keyof typeof LINEAR_LOSSES | KernelLossName | keyof typeof MIXTURE_LOSSES;

/**
 * The named losses: DPO and its linear variants, one loss per kernel (from `KERNELS`), and the two mixtures.
 *
 * @example
 * ```ts
 * import { LOSSES } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(LOSSES.poly.margin, "polynomial");
 * assert.equal(LOSSES["rational-quadratic"].margin, "rationalQuadratic");
 * ```
 */
export const LOSSES: Readonly<Record<LossName, LossSpec>> = Object.freeze({
  ...LINEAR_LOSSES,
  ...KERNEL_LOSSES,
  ...MIXTURE_LOSSES,
});

/** The loss names, in table order. */
export const LOSS_NAMES: readonly LossName[] = Object.freeze(Object.keys(LOSSES) as LossName[]);

/** The loss a run uses when none is named. */
export const DEFAULT_LOSS: LossName = "dpo";

/**
 * Looks a loss up by name, with a clear error for an unknown one.
 *
 * @param name A key of {@link LOSSES}.
 * @returns The loss's spec.
 * @throws {RangeError} For an unknown name, listing the valid ones.
 * @example
 * ```ts
 * import { lossByName } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(lossByName("rbf").margin, "rbf");
 * ```
 */
export function lossByName(name: string): LossSpec {
  return lookup(LOSSES as Readonly<Record<string, LossSpec>>, name, "options.loss");
}
