/**
 * The DPO family's objectives ψ(s) on the (kernelized) margin score s, with the formulas of TRL's DPOTrainer
 * (`loss_type` sigmoid, robust, hinge, ipo) and their papers. Each entry gives the value and dψ/ds.
 *
 * @module
 */
import { sigmoid, softplus } from "../math/stable.ts";

/** What an objective needs besides the score. */
export interface ObjectiveContext {
  /** β, the inverse temperature (IPO's target margin is 1/(2β) in log-ratio units). */
  beta: number;
  /** ε, the probability that a preference label is flipped (cDPO, robust DPO). */
  labelSmoothing: number;
}

/** One objective: its value ψ(s) and derivative ψ′(s). */
export interface Objective {
  /** ψ(s). */
  value(s: number, ctx: ObjectiveContext): number;
  /** dψ/ds. */
  derivative(s: number, ctx: ObjectiveContext): number;
  /** True where ψ is non-increasing in s, so that raising the chosen log-prob never raises the loss. */
  monotone: boolean;
}

/** The objectives, by name. */
export const OBJECTIVES = Object.freeze(
  {
    /**
     * DPO (Rafailov et al. 2023) with cDPO label smoothing (Mitchell 2023):
     * ψ = −(1 − ε) log σ(s) − ε log σ(−s). ε = 0 is DPO.
     */
    sigmoid: {
      value: (s: number, { labelSmoothing: e }: ObjectiveContext): number =>
        (1 - e) * softplus(-s) + (e === 0 ? 0 : e * softplus(s)),
      derivative: (s: number, { labelSmoothing: e }: ObjectiveContext): number =>
        -(1 - e) * sigmoid(-s) + e * sigmoid(s),
      monotone: true, // for ε = 0; with ε > 0 the loss has its minimum at a finite margin
    },
    /**
     * Robust DPO (Chowdhury et al. 2024): ψ = ((1 − ε)·(−log σ(s)) + ε·log σ(−s)) / (1 − 2ε), an unbiased
     * estimate of the clean-label loss.
     */
    robust: {
      value: (s: number, { labelSmoothing: e }: ObjectiveContext): number =>
        ((1 - e) * softplus(-s) - e * softplus(s)) / (1 - 2 * e),
      derivative: (s: number, { labelSmoothing: e }: ObjectiveContext): number =>
        (-(1 - e) * sigmoid(-s) - e * sigmoid(s)) / (1 - 2 * e),
      monotone: true,
    },
    /** Hinge (SLiC, Zhao et al. 2023): ψ = max(0, 1 − s). */
    hinge: {
      value: (s: number): number => Math.max(0, 1 - s),
      derivative: (s: number): number => (s < 1 ? -1 : 0),
      monotone: true,
    },
    /**
     * IPO (Azar et al. 2023, Eq. 17; TRL's `loss_type="ipo"`): ψ = (s/β − 1/(2β))², a regression of the log-ratio
     * margin h = s/β onto 1/(2β). The loss `ipo` feeds it TRL's length-normalized log-ratios (h in nats per token,
     * see `LOSSES.ipo`); `ipo-sum` the summed ones. Not
     * monotone: past the target, a larger chosen log-prob raises the loss, by design.
     */
    ipo: {
      value: (s: number, { beta }: ObjectiveContext): number => (s / beta - 1 / (2 * beta)) ** 2,
      derivative: (s: number, { beta }: ObjectiveContext): number => (2 * (s / beta - 1 / (2 * beta))) / beta,
      monotone: false,
    },
  } satisfies Record<string, Objective>,
);

/** The name of an objective. */
export type ObjectiveName = keyof typeof OBJECTIVES;

/** The objective names, in table order. */
export const OBJECTIVE_NAMES: readonly ObjectiveName[] = Object.freeze(
  Object.keys(OBJECTIVES) as ObjectiveName[],
);
