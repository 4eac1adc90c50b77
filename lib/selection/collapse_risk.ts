/**
 * Kernel × divergence combinations known to collapse (issue 12, item 4), for the selection rules and the CLI to
 * refuse or flag.
 *
 * The mechanism (docs/math.md, "The collapse nobody sees"): an f-DPO score whose slope grows exponentially as
 * the policy lowers a response's log-prob (φ′(z) = e^{−az}: a = ½ for Hellinger/Bhattacharyya, ¼ for Rényi
 * of order ¾, 1 for `f` with its default generator)
 * turns a fall of a few nats into implicit rewards of −1e3 … −1e21; the margin Δ = r_w − r_l of such pairs is
 * huge and of either sign. A **saturating** kernel (RBF, Mahalanobis, spectral: s(Δ) bounded, s′(Δ) → 0) hands
 * a pair with Δ ≪ −σ no gradient at all, so badly ranked pairs are abandoned while the pairs still in the
 * kernel's active region push z_l down with a gradient amplified by φ′(z_l) = e^{−az_l}; the shared weights drag
 * z_w down with it, and both log-probs fall. DPO's log σ (linear kernel) and the polynomial kernel keep a
 * gradient for every badly ranked pair, and KL / JS scores stay linear for z → −∞.
 *
 * {@link collapseRisk} answers the table's entry where one was measured, else a `flag` wherever the two
 * properties that make the mechanism — {@link kernelSaturates} and {@link scoreExplodes}, both computed from the
 * shapes themselves — meet.
 *
 * @module
 */
import { KERNEL_MARGINS } from "../losses/kernel_margin.ts";
import { implicitScore } from "../losses/implicit_scores.ts";
import { linearRadius, slopeRatio } from "../analysis/kernel_regime.ts";
import type { MixtureKernelName } from "../kernels/mixture.ts";

/** What the selection should do with a combination. */
export type CollapseLevel = "refuse" | "flag";

/** One measured entry of {@link KNOWN_COLLAPSES}. */
export interface KnownCollapse {
  /** The base kernel (selection and loss names both accepted by {@link collapseRisk}). */
  readonly kernel: MixtureKernelName;
  /** The implicit divergence. */
  readonly divergence: string;
  /** `refuse`: measured collapse; `flag`: measured exploding rewards, accuracy not (yet) lost. */
  readonly level: CollapseLevel;
  /** Why, in one sentence. */
  readonly reason: string;
  /** The numbers and the command behind the entry. */
  readonly evidence: string;
}

/** The answer of {@link collapseRisk}. */
export interface CollapseRisk {
  /** `refuse` or `flag`. */
  readonly level: CollapseLevel;
  /** The kernel, normalized (`poly` → `polynomial`). */
  readonly kernel: string;
  /** The divergence. */
  readonly divergence: string;
  /** Why. */
  readonly reason: string;
  /** The measured evidence, or `undefined` where only the mechanism predicts the risk. */
  readonly evidence: string | undefined;
}

const SWEEP = "bench/collapse_sweep.ts (docs/math.md, 'The collapse nobody sees')";
const MECHANISM =
  "a saturating kernel gives no gradient to a badly ranked pair, and the exponential implicit " +
  "score sends pairs there";

/** The combinations measured to collapse or to blow up their rewards (see docs/math.md for the tables). */
export const KNOWN_COLLAPSES: readonly KnownCollapse[] = Object.freeze([
  {
    kernel: "rbf",
    divergence: "hellinger",
    level: "refuse",
    reason: MECHANISM,
    evidence:
      "issue 12: short factual real set, 60 SFT + 60 preference steps at defaults: held-out accuracy 0.01 " +
      "(DPO+KL 0.66), log-probs −114 → −272, implicit rewards −1e21; " + SWEEP +
      ": prm800k (shortest 171 pairs) rewards −3.2e3 / −570 after 60 steps, alpacaeval −284 / −8.3e3 after 200",
  },
  {
    kernel: "rbf",
    divergence: "bhattacharyya",
    level: "refuse",
    reason: `the same implicit score as Hellinger (D_B is increasing in H²): ${MECHANISM}`,
    evidence: `identical runs to rbf × hellinger in ${SWEEP}`,
  },
].map((e) => Object.freeze(e as KnownCollapse)));

const KERNEL_ALIASES: Readonly<Record<string, MixtureKernelName>> = Object.freeze({
  rbf: "rbf",
  polynomial: "polynomial",
  poly: "polynomial",
  spectral: "spectral",
  mahalanobis: "mahalanobis",
});

/**
 * Whether a kernel's margin saturates: its score is bounded, so its slope at 1000 linear radii is below 1 % of
 * the slope at indifference (RBF, Mahalanobis, spectral at their defaults; not the polynomial, whose slope
 * grows, nor DPO's linear margin or the mixtures, whose polynomial part keeps growing).
 *
 * @param kernel A kernel or loss name (`rbf`, `poly`/`polynomial`, `spectral`, `mahalanobis`, `dpo`, `hmk`, …).
 * @returns `true` for a saturating base kernel.
 * @example
 * ```ts
 * import { kernelSaturates } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(kernelSaturates("rbf"), true);
 * assert.equal(kernelSaturates("poly"), false);
 * assert.equal(kernelSaturates("dpo"), false);
 * ```
 */
export function kernelSaturates(kernel: string): boolean {
  const name = KERNEL_ALIASES[kernel];
  if (name === undefined) return false;
  const shape = KERNEL_MARGINS[name]({});
  return slopeRatio(shape, 1000 * linearRadius(shape)) < 0.01;
}

/**
 * Whether a divergence's implicit f-DPO score explodes as the policy lowers a log-prob: φ′(−40) > 100·φ′(0)
 * (Hellinger, Bhattacharyya: φ′ = e^{−z/2}, e^{20}; Rényi of order ¾: e^{−z/4}, e^{10}; `f` with its default
 * generator `reverse-kl`: e^{−z}, e^{40}; not KL, whose slope is 1, nor JS, whose slope tends to 1).
 * Divergences without an implicit score (Wasserstein) answer `false`.
 *
 * @param divergence A divergence name of the trainer.
 * @param options The Rényi order α (default ¾) and the generator f of `f`.
 * @returns `true` for an exponential score.
 * @example
 * ```ts
 * import { scoreExplodes } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(scoreExplodes("hellinger"), true);
 * assert.equal(scoreExplodes("kl"), false);
 * assert.equal(scoreExplodes("js"), false);
 * ```
 */
export function scoreExplodes(divergence: string, options: { alpha?: number; f?: string } = {}): boolean {
  let score;
  try {
    score = implicitScore(divergence, options);
  } catch {
    return false;
  }
  return score.derivative(-40) > 100 * score.derivative(0);
}

/**
 * The collapse risk of a kernel × divergence combination: the measured entry of {@link KNOWN_COLLAPSES} if
 * there is one, else a `flag` where the kernel saturates and the score explodes, else `undefined`. The
 * selection rules should not return a `refuse` combination (fall back to the KL divergence, which keeps the
 * kernel) and should report a `flag` beside their choice; the CLI should print either before training.
 *
 * @param kernel A kernel or loss name (`rbf`, `poly`/`polynomial`, `spectral`, `mahalanobis`, `hmk`, `dpo`, …).
 * @param divergence A divergence name (`kl`, `hellinger`, `renyi`, …).
 * @param options The Rényi order α and the generator f, as the trainer's config has them.
 * @returns The risk, or `undefined`.
 * @example
 * ```ts
 * import { collapseRisk } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(collapseRisk("rbf", "hellinger")?.level, "refuse");
 * assert.equal(collapseRisk("rbf", "kl"), undefined);
 * assert.equal(collapseRisk("poly", "hellinger"), undefined);
 * ```
 */
export function collapseRisk(
  kernel: string,
  divergence: string,
  options: { alpha?: number; f?: string } = {},
): CollapseRisk | undefined {
  const name = KERNEL_ALIASES[kernel] ?? kernel;
  const known = KNOWN_COLLAPSES.find((e) => e.kernel === name && e.divergence === divergence);
  if (known !== undefined) return { ...known };
  if (!kernelSaturates(name) || !scoreExplodes(divergence, options)) return undefined;
  return {
    level: "flag",
    kernel: name,
    divergence,
    reason:
      `${MECHANISM} (predicted from the shapes: ${name} saturates, ${divergence}'s score is exponential)`,
    evidence: undefined,
  };
}
