/**
 * Kernel × divergence combinations known to collapse (issue 12, item 4), for the selection rules and the CLI to
 * refuse or flag.
 *
 * The mechanism (docs/math.md, "The collapse nobody sees", measured step by step): an f-DPO score whose slope
 * grows exponentially as the policy lowers a log-prob (φ′(z) = e^{−az}: a = ½ for Hellinger and Bhattacharyya,
 * ¼ for Rényi of order ¾, 1 for `f` with its default generator) turns a drop of a few nats into margins
 * Δ = r_w − r_l of ±1e8 within two steps. There every kernel margin is flat: the saturating kernels (RBF,
 * Mahalanobis, spectral) because their score is bounded, the polynomial because the trainer clips kernel
 * margins at ±1e6 (float32). A badly ranked pair gets no gradient back, the exponent clamp (|az| ≤ 50) then
 * flattens the score itself, the gradient is exactly 0, and both log-probs sit ~180 nats below the reference
 * with rewards ≈ −1e21 for the rest of the run. DPO's linear margin keeps log σ's full gradient for every badly
 * ranked pair, and KL / JS scores stay linear as z → −∞: those combinations did not collapse.
 *
 * {@link collapseRisk} answers the table's entry where one was measured, else a `flag` wherever a kernel margin
 * meets an exploding score ({@link scoreExplodes}, computed from the score itself).
 *
 * @module
 */
import { KERNEL_MARGINS } from "../losses/kernel_margin.ts";
import { implicitScore } from "../losses/implicit_scores.ts";
import { linearRadius, slopeRatio } from "../analysis/kernel_regime.ts";
import type { MixtureKernelName } from "../kernels/mixture.ts";
import { DEFAULT_RENYI_ALPHA } from "../divergences/renyi.ts";

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

const SWEEP =
  "bench/collapse_sweep.ts on hh_rlhf_helpful.jsonl (the 171 shortest pairs: 137 train, 34 held-out), " +
  "60 SFT + 60 preference steps at defaults, seed 0 (docs/math.md, 'The collapse nobody sees')";
const SATURATING = "the exponential implicit score sends both rewards to −1e21 within a few steps, and the " +
  "saturating kernel gives a badly ranked pair no gradient to come back";
const CLIPPED =
  "the exponential implicit score sends margins past the trainer's float32 margin clip (±1e6), " +
  "where every kernel margin, the polynomial's included, is flat";
const DPO_KL = "DPO + KL on the same reference: 0.59, log-probs −116 / −114";

function entry(
  kernel: MixtureKernelName,
  divergence: string,
  level: CollapseLevel,
  reason: string,
  evidence: string,
): KnownCollapse {
  return Object.freeze({ kernel, divergence, level, reason, evidence });
}

/** The combinations measured to collapse (see docs/math.md for the full grid and the command). */
export const KNOWN_COLLAPSES: readonly KnownCollapse[] = Object.freeze([
  ...(["rbf", "spectral", "mahalanobis"] as const).flatMap((k) => [
    entry(
      k,
      "hellinger",
      "refuse",
      SATURATING,
      `${SWEEP}: held-out accuracy 0.03 (${DPO_KL}); log-probs −104 / −99 (reference) → −282 / −269; rewards ` +
        `−1.0e21 / −9.6e20; gradient norm exactly 0 from step 9. Issue 12's real set: 0.01 vs 0.66, −114 → −272, −1e21`,
    ),
    entry(
      k,
      "bhattacharyya",
      "refuse",
      `the Hellinger score (D_B is increasing in H²): ${SATURATING}`,
      `as hellinger`,
    ),
    entry(
      k,
      "renyi",
      "refuse",
      SATURATING,
      `${SWEEP}, Rényi order ¾: held-out accuracy 0.44, every pair tied or lost at rewards −6.8e20 / −3.7e20; ` +
        `log-probs → −282 / −270 (${DPO_KL})`,
    ),
  ]),
  entry(
    "polynomial",
    "hellinger",
    "refuse",
    CLIPPED,
    `${SWEEP}: held-out accuracy 0.09 (${DPO_KL}); log-probs → −268 / −253; rewards −9.2e20 / −8.6e20`,
  ),
  entry("polynomial", "bhattacharyya", "refuse", `the Hellinger score: ${CLIPPED}`, `as hellinger`),
]);

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

const KERNEL_LOSSES: ReadonlySet<string> = new Set([...Object.keys(KERNEL_ALIASES), "mixture", "hmk"]);

/**
 * The collapse risk of a kernel × divergence combination: the measured entry of {@link KNOWN_COLLAPSES} if
 * there is one (Rényi entries hold at the default order ¾), else a `flag` wherever a kernel margin meets an
 * exploding score ({@link scoreExplodes}; a saturating kernel for the first reason, the others for the margin
 * clip), else `undefined` (DPO's linear margin, or a score that stays linear: KL, JS). The selection rules should
 * not return a `refuse` combination (fall back to the KL divergence, which keeps the kernel) and should report
 * a `flag` beside their choice; the CLI should print either before training.
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
 * assert.equal(collapseRisk("poly", "renyi")?.level, "flag"); // predicted; 60 steps did not collapse
 * assert.equal(collapseRisk("rbf", "kl"), undefined);
 * assert.equal(collapseRisk("dpo", "hellinger"), undefined);
 * ```
 */
export function collapseRisk(
  kernel: string,
  divergence: string,
  options: { alpha?: number; f?: string } = {},
): CollapseRisk | undefined {
  const name = KERNEL_ALIASES[kernel] ?? kernel;
  const measured = divergence !== "renyi" || (options.alpha ?? DEFAULT_RENYI_ALPHA) === DEFAULT_RENYI_ALPHA;
  const known = measured
    ? KNOWN_COLLAPSES.find((e) => e.kernel === name && e.divergence === divergence)
    : undefined;
  if (known !== undefined) return { ...known };
  if (!KERNEL_LOSSES.has(name) || !scoreExplodes(divergence, options)) return undefined;
  return {
    level: "flag",
    kernel: name,
    divergence,
    reason: `predicted, not measured: ${kernelSaturates(name) ? SATURATING : CLIPPED}`,
    evidence: undefined,
  };
}
