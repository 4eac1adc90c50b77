/**
 * The grid's divergence axis: divergences whose regularizer is the same function at a run's settings share one
 * trained column.
 *
 * @module
 */
import { implicitScore } from "../losses/implicit_scores.ts";
import type { TrainConfig, TrainDivergence } from "../train/config.ts";

/** One column of the grid's divergence axis: the divergence trained, and every name it stands for. */
export interface DivergenceColumn {
  /** The divergence trained. */
  divergence: TrainDivergence;
  /** Every requested divergence with the same regularizer function, `divergence` first. */
  standsFor: TrainDivergence[];
  /** The column's label: the names joined by " = " (e.g. "hellinger = bhattacharyya"). */
  label: string;
}

/** The z grid on which two implicit scores are compared (log-ratios from −8 to 8). */
const SIGNATURE_GRID = Array.from({ length: 33 }, (_, i) => -8 + 0.5 * i);

/**
 * Groups divergences whose regularizer is the same function at the given settings, so that the grid trains
 * each function once. Implicitly (f-DPO) a divergence acts only through its score φ (lib/losses/
 * implicit_scores.ts); two names with equal φ on a grid of z (to 12 significant digits) train the same run:
 * Hellinger and Bhattacharyya always (D_B is increasing in H²), Rényi at order ½ too, `f` with a named
 * generator (`f` with `js` is `js`). Wasserstein (explicit only) and every divergence under
 * `regularizer: "explicit"` are their own columns.
 *
 * @param divergences The requested divergences, in order.
 * @param options The run's Rényi order / α, f generator and regularizer kind (as in `TrainConfig`).
 * @returns The columns, in the order of their first name.
 * @example
 * ```ts
 * import { divergenceColumns } from "@dpo-kernels/dpo-kernels/eval";
 * import assert from "node:assert/strict";
 * const cols = divergenceColumns(["kl", "hellinger", "bhattacharyya", "renyi"], { alpha: 0.5 });
 * assert.deepEqual(cols.map((c) => c.label), ["kl", "hellinger = bhattacharyya = renyi"]);
 * ```
 */
export function divergenceColumns(
  divergences: readonly TrainDivergence[],
  options: Pick<TrainConfig, "alpha" | "f" | "regularizer"> = {},
): DivergenceColumn[] {
  const columns = new Map<string, DivergenceColumn>();
  for (const d of divergences) {
    const key = d === "wasserstein" || options.regularizer === "explicit"
      ? `explicit:${d}`
      : SIGNATURE_GRID.map((z) =>
        implicitScore(d, { alpha: options.alpha, f: options.f }).value(z).toPrecision(12)
      )
        .join(",");
    const column = columns.get(key);
    if (column === undefined) columns.set(key, { divergence: d, standsFor: [d], label: d });
    else if (!column.standsFor.includes(d)) {
      column.standsFor.push(d);
      column.label = column.standsFor.join(" = ");
    }
  }
  return [...columns.values()];
}
