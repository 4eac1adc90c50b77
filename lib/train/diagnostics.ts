/**
 * Collapse diagnostics (issue 12, item 4): how far the policy's log-probs of the chosen and the rejected
 * responses have drifted from the reference's, and a warning when both fall together.
 *
 * DPO only constrains the margin (ℓ_w − ℓ^ref_w) − (ℓ_l − ℓ^ref_l), so it can be lowered by pushing the rejected
 * response down faster than the chosen one while both fall. Both falling a little is common; both falling by
 * many nats per token is the collapse of issue 12 (held-out accuracy 0.01, log-probs −114 → −272, implicit
 * rewards −1e21): the policy stops putting mass on either response, and the implicit rewards of the exponential
 * f-DPO scores explode. `docs/math.md` ("Kernels where they act, and the collapse nobody sees") has the numbers.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { assertPositive, describe } from "../math/validation.ts";

/** The per-step drift metrics, in the order {@link driftStats} returns them. */
export const DRIFT_METRICS: readonly string[] = Object.freeze([
  "drift/chosen",
  "drift/rejected",
  "drift/chosen_per_token",
  "drift/rejected_per_token",
]);

/**
 * The batch means of the drift from the reference, as scalars in the order of {@link DRIFT_METRICS}:
 * mean(ℓ_w − ℓ^ref_w), mean(ℓ_l − ℓ^ref_l) (summed log-probs, nats per response) and the same divided by each
 * response's token count (nats per token; a response with no token counts as one).
 *
 * @param policyChosen The policy's summed log-probs of the chosen responses `[B]`.
 * @param policyRejected The policy's summed log-probs of the rejected responses `[B]`.
 * @param referenceChosen The reference's, chosen `[B]`.
 * @param referenceRejected The reference's, rejected `[B]`.
 * @param chosenTokens Response token counts, chosen `[B]`.
 * @param rejectedTokens Response token counts, rejected `[B]`.
 * @returns Four scalars (call inside `tf.tidy`, or dispose them).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { driftStats } from "@dpo-kernels/dpo-kernels/train";
 * import assert from "node:assert/strict";
 * const t = (x: number[]) => tf.tensor1d(x);
 * const d = tf.tidy(() => tf.stack(driftStats(t([-12, -8]), t([-20, -10]), t([-10, -10]), t([-10, -10]), t([4, 2]), t([5, 5]))).arraySync());
 * assert.deepEqual(d, [0, -5, 0.25, -1]);
 * ```
 */
export function driftStats(
  policyChosen: tf.Tensor1D,
  policyRejected: tf.Tensor1D,
  referenceChosen: tf.Tensor1D,
  referenceRejected: tf.Tensor1D,
  chosenTokens: tf.Tensor1D,
  rejectedTokens: tf.Tensor1D,
): tf.Scalar[] {
  const dc = tf.sub(policyChosen, referenceChosen);
  const dr = tf.sub(policyRejected, referenceRejected);
  const perToken = (d: tf.Tensor, n: tf.Tensor1D) => tf.mean(tf.div(d, tf.maximum(n, 1))) as tf.Scalar;
  return [
    tf.mean(dc) as tf.Scalar,
    tf.mean(dr) as tf.Scalar,
    perToken(dc, chosenTokens),
    perToken(dr, rejectedTokens),
  ];
}

/** One step's drifts (any unit, the same for both). */
export interface DriftPoint {
  /** The step. */
  step: number;
  /** Drift of the chosen responses' log-probs from the reference. */
  chosen: number;
  /** Drift of the rejected responses' log-probs from the reference. */
  rejected: number;
}

/** When {@link collapseWarning} fires. */
export interface CollapseWarningOptions {
  /** Both drifts must be below −threshold (threshold > 0; default 2, in nats per token for the trainer). */
  threshold?: number;
  /** ... at this many consecutive points (an integer ≥ 1; default 5). */
  patience?: number;
}

/**
 * The defaults of {@link CollapseWarningOptions}: 2 nats per token, 5 consecutive steps. Measured (docs/math.md):
 * the collapsed rbf × hellinger run sits at −5.1 to −6.1 nats/token from its 12th step on, while in 600 steps
 * of DPO + KL both drifts were below −2 for at most 2 consecutive steps (worst chosen −2.45, rejected −4.7).
 */
export const DEFAULT_COLLAPSE_WARNING: Readonly<Required<CollapseWarningOptions>> = Object.freeze({
  threshold: 2,
  patience: 5,
});

/** A fired warning: the step at which it fired and a message for the log. */
export interface CollapseWarning {
  /** The step of the last of the `patience` consecutive points. */
  step: number;
  /** The drifts at that step. */
  chosen: number;
  /** The drifts at that step. */
  rejected: number;
  /** One line for the log. */
  message: string;
}

function resolveWarningOptions(options: CollapseWarningOptions): Required<CollapseWarningOptions> {
  const { threshold, patience } = { ...DEFAULT_COLLAPSE_WARNING, ...options };
  assertPositive(threshold, "options.threshold");
  if (!Number.isSafeInteger(patience) || patience < 1) {
    throw new RangeError(`options.patience must be an integer >= 1, got ${describe(patience)}`);
  }
  return { threshold, patience };
}

/**
 * Checks collapse-warning options (or `false`, off) as {@link CollapseMonitor} would, naming the field.
 *
 * @param options The options, or `false`.
 * @param name The field's name in messages (default `options`).
 * @throws {RangeError} On a threshold ≤ 0 or a patience that is not an integer ≥ 1.
 * @example
 * ```ts
 * import { validateCollapseWarning } from "@dpo-kernels/dpo-kernels/train";
 * import assert from "node:assert/strict";
 * assert.throws(() => validateCollapseWarning({ patience: 0 }, "config.collapseWarning"), /config.collapseWarning.patience/);
 * validateCollapseWarning(false);
 * ```
 */
export function validateCollapseWarning(options: CollapseWarningOptions | false, name = "options"): void {
  if (options === false) return;
  try {
    resolveWarningOptions(options);
  } catch (e) {
    throw new RangeError((e as Error).message.replace(/^options\./, `${name}.`));
  }
}

/**
 * The first point at which the chosen AND the rejected drift have both been below −threshold for `patience`
 * consecutive points, or `undefined`. A point with a non-finite drift breaks the run (it is not evidence).
 *
 * @param history Drifts in step order.
 * @param options Threshold and patience ({@link DEFAULT_COLLAPSE_WARNING}).
 * @returns The warning, or `undefined` if it never fires.
 * @throws {RangeError} On a threshold ≤ 0 or a patience that is not an integer ≥ 1.
 * @example
 * ```ts
 * import { collapseWarning } from "@dpo-kernels/dpo-kernels/train";
 * import assert from "node:assert/strict";
 * const h = [0, 1, 2, 3].map((step) => ({ step, chosen: -step, rejected: -2 * step }));
 * assert.equal(collapseWarning(h, { threshold: 0.5, patience: 2 })?.step, 2);
 * assert.equal(collapseWarning(h, { threshold: 5, patience: 1 }), undefined);
 * ```
 */
export function collapseWarning(
  history: readonly DriftPoint[],
  options: CollapseWarningOptions = {},
): CollapseWarning | undefined {
  const { threshold, patience } = resolveWarningOptions(options);
  let run = 0;
  for (const point of history) {
    run = point.chosen < -threshold && point.rejected < -threshold ? run + 1 : 0;
    if (run >= patience) {
      return {
        ...point,
        message: `collapse warning at step ${point.step}: the chosen and the rejected log-probs have both ` +
          `fallen by more than ${threshold} below the reference for ${patience} consecutive steps ` +
          `(drift ${point.chosen.toPrecision(3)} / ${point.rejected.toPrecision(3)}); held-out accuracy ` +
          `and rewards are likely degenerate (docs/math.md, "the collapse nobody sees")`,
      };
    }
  }
  return undefined;
}

/**
 * The trainer's side of {@link collapseWarning}: fed each step's metrics, it answers the warning once, the
 * first time it fires, and `undefined` otherwise (and always after it fired). It reads the per-token drifts
 * `drift/chosen_per_token` and `drift/rejected_per_token`; steps without them are skipped.
 *
 * @example
 * ```ts
 * import { CollapseMonitor } from "@dpo-kernels/dpo-kernels/train";
 * import assert from "node:assert/strict";
 * const m = new CollapseMonitor({ threshold: 1, patience: 1 });
 * const at = (step: number, d: number) => ({ step, "drift/chosen_per_token": d, "drift/rejected_per_token": d });
 * assert.equal(m.observe(at(0, -0.5)), undefined);
 * assert.match(m.observe(at(1, -2)) ?? "", /collapse warning at step 1/);
 * assert.equal(m.observe(at(2, -3)), undefined); // once
 * ```
 */
export class CollapseMonitor {
  readonly #options: Required<CollapseWarningOptions>;
  #run = 0;
  #fired = false;

  /**
   * Builds a monitor.
   *
   * @param options Threshold (nats per token) and patience; see {@link DEFAULT_COLLAPSE_WARNING}.
   * @throws {RangeError} On bad options.
   */
  constructor(options: CollapseWarningOptions = {}) {
    this.#options = resolveWarningOptions(options);
  }

  /**
   * Feeds one step's metrics.
   *
   * @param metrics The step's metrics (`step` and the per-token drifts).
   * @returns The warning's message the first time it fires, else `undefined`.
   */
  observe(metrics: Readonly<Record<string, number>>): string | undefined {
    if (this.#fired) return undefined;
    const chosen = metrics["drift/chosen_per_token"];
    const rejected = metrics["drift/rejected_per_token"];
    if (chosen === undefined || rejected === undefined) return undefined;
    // The monitor keeps only the current run length: the same rule as collapseWarning over the whole history.
    const point = { step: metrics.step ?? NaN, chosen, rejected };
    const hit = collapseWarning([point], { ...this.#options, patience: 1 }) !== undefined;
    this.#run = hit ? this.#run + 1 : 0;
    if (this.#run < this.#options.patience) return undefined;
    this.#fired = true;
    return collapseWarning(Array(this.#options.patience).fill(point), this.#options)!.message;
  }
}
