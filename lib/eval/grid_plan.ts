/**
 * Planning a grid to a time budget: from measured costs per cell (seconds per preference step, seconds outside
 * the steps), the number of steps every cell trains and the cells that fit. A pure function: the measuring is
 * in `grid_pilot.ts`, the running (and the stop at the deadline) in `experiment.ts`.
 *
 * @module
 */
import type { GridCell } from "./experiment.ts";

/** What one cell costs, measured. */
export interface CellCost {
  /** The cell. */
  cell: GridCell;
  /** Seconds per preference step. */
  secondsPerStep: number;
  /** Seconds outside the steps: loading, the trainer's setup, the evaluation. */
  fixedSeconds: number;
}

/** The input of {@link planGrid}. */
export interface GridPlanRequest {
  /** Every cell still to run, in run order, with its measured cost. */
  costs: readonly CellCost[];
  /** Seconds left for the cells. */
  budgetSeconds: number;
  /** Steps per cell asked for: the plan never trains more. */
  steps: number;
  /**
   * Fewest steps worth training (default `min(steps, 100)`): below it the plan drops cells rather than steps.
   * Equal to `steps` keeps the steps fixed (as when resuming a grid whose finished cells used them).
   */
  minSteps?: number;
  /** Steps are rounded down to a multiple of this (default 10, or 1 under 10), so re-plans agree. */
  stepMultiple?: number;
}

/** A cell of the plan. */
export interface PlannedCell {
  /** The cell. */
  cell: GridCell;
  /** Predicted seconds at the plan's steps. */
  predictedSeconds: number;
}

/** A cell left out of the plan, and why. */
export interface DroppedCell {
  /** The cell. */
  cell: GridCell;
  /** Why: the axis value dropped to make the rest fit. */
  reason: string;
}

/** The plan: steps per cell, cells to run (in order), cells dropped, predicted seconds. */
export interface GridPlan {
  /** Preference steps of every planned cell (0 when nothing fits). */
  steps: number;
  /** The cells to run, in run order. */
  cells: PlannedCell[];
  /** The cells that do not fit. */
  dropped: DroppedCell[];
  /** Predicted seconds of all planned cells. */
  predictedSeconds: number;
}

type Axis = "divergence" | "seed" | "loss";
interface Drop {
  axis: Axis;
  value: string | number;
}

const keyOf = (c: GridCell): string => `${c.loss}|${c.divergence}|${c.seed}`;

/** The order in which axis values leave the plan, most expendable first (see {@link planGrid}). */
function dropOrder(costs: readonly CellCost[], minSteps: number): Drop[] {
  const distinct = <T>(f: (c: GridCell) => T): T[] => [...new Set(costs.map((c) => f(c.cell)))];
  const columnCost = new Map<string, number>();
  for (const c of costs) {
    const d = c.cell.divergence;
    columnCost.set(d, (columnCost.get(d) ?? 0) + c.fixedSeconds + minSteps * c.secondsPerStep);
  }
  const columns = [...columnCost.entries()].sort((a, b) => b[1] - a[1]);
  const sorted = columns.map(([, v]) => v).sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
  const outliers = columns.filter(([, v]) => v > 2 * median).map(([d]) => d);
  const others = columns.map(([d]) => d).filter((d) => !outliers.includes(d));
  return [
    // 1. Columns costing more than twice the median column (Wasserstein's Sinkhorn), most expensive first.
    ...outliers.map((value) => ({ axis: "divergence" as const, value })),
    // 2. Seeds, the last first; 3. the other columns, most expensive first; 4. losses, the last first.
    ...distinct((c) => c.seed).reverse().map((value) => ({ axis: "seed" as const, value })),
    ...others.map((value) => ({ axis: "divergence" as const, value })),
    ...distinct((c) => c.loss).reverse().map((value) => ({ axis: "loss" as const, value })),
  ];
}

/**
 * Plans a grid to a budget. Every planned cell trains the same number of steps: the most that fit, at most
 * `steps`, rounded down to `stepMultiple`. While that is below `minSteps`, whole axis values leave the plan,
 * in this order: divergence columns costing more than twice the median column (most expensive first), then
 * seeds (last first), then the other columns (most expensive first), then losses (last first) — never the
 * last value of an axis. If one cell still does not fit `minSteps`, it trains what fits; if not one step
 * fits, nothing is planned.
 *
 * @param request Costs per cell, the budget, the steps asked for.
 * @returns The plan.
 * @example
 * ```ts
 * import { planGrid } from "./grid_plan.ts";
 * import assert from "node:assert/strict";
 * const cell = (divergence: "kl" | "wasserstein", seed: number) => ({ loss: "dpo" as const, divergence, seed });
 * const plan = planGrid({
 *   costs: [
 *     { cell: cell("kl", 0), secondsPerStep: 0.1, fixedSeconds: 10 },
 *     { cell: cell("wasserstein", 0), secondsPerStep: 5, fixedSeconds: 10 },
 *   ],
 *   budgetSeconds: 60,
 *   steps: 300,
 * });
 * assert.equal(plan.steps, 300); // 10 + 300 × 0.1 = 40 s
 * assert.deepEqual(plan.dropped.map((d) => d.cell.divergence), ["wasserstein"]);
 * ```
 */
export function planGrid(request: GridPlanRequest): GridPlan {
  const { costs, budgetSeconds, steps } = request;
  if (!Number.isInteger(steps) || steps < 1) {
    throw new RangeError(`steps must be an integer ≥ 1, got ${steps}`);
  }
  if (!(budgetSeconds >= 0)) throw new RangeError(`budgetSeconds must be ≥ 0, got ${budgetSeconds}`);
  for (const c of costs) {
    if (!(c.secondsPerStep >= 0) || !(c.fixedSeconds >= 0)) {
      throw new RangeError(
        `costs of ${keyOf(c.cell)} must be ≥ 0, got ${c.secondsPerStep} s/step, ${c.fixedSeconds} s fixed`,
      );
    }
  }
  const minSteps = request.minSteps ?? Math.min(steps, 100);
  if (!Number.isInteger(minSteps) || minSteps < 1 || minSteps > steps) {
    throw new RangeError(`minSteps must be an integer in [1, steps = ${steps}], got ${minSteps}`);
  }
  const multiple = request.stepMultiple ?? (minSteps < 10 ? 1 : 10);
  if (!Number.isInteger(multiple) || multiple < 1) {
    throw new RangeError(`stepMultiple must be an integer ≥ 1, got ${multiple}`);
  }
  const fit = (kept: readonly CellCost[]): number => {
    const perStep = kept.reduce((s, c) => s + c.secondsPerStep, 0);
    const fixed = kept.reduce((s, c) => s + c.fixedSeconds, 0);
    if (fixed > budgetSeconds) return 0;
    const n = perStep === 0 ? steps : Math.min(steps, Math.floor((budgetSeconds - fixed) / perStep));
    return n === steps || n < multiple ? n : n - (n % multiple);
  };
  let kept = [...costs];
  const dropped: DroppedCell[] = [];
  for (const drop of dropOrder(costs, minSteps)) {
    if (kept.length === 0 || fit(kept) >= minSteps) break;
    const remaining = new Set<string | number>(kept.map((c) => c.cell[drop.axis]));
    if (remaining.size < 2 || !remaining.has(drop.value)) continue;
    const reason =
      `${drop.axis} ${drop.value} dropped: ${minSteps} steps of every cell do not fit the budget`;
    for (const c of kept) if (c.cell[drop.axis] === drop.value) dropped.push({ cell: c.cell, reason });
    kept = kept.filter((c) => c.cell[drop.axis] !== drop.value);
  }
  const n = fit(kept);
  if (n < 1) {
    const reason = `not one step fits the budget of ${budgetSeconds.toFixed(0)} s`;
    return {
      steps: 0,
      cells: [],
      dropped: [...dropped, ...kept.map((c) => ({ cell: c.cell, reason }))],
      predictedSeconds: 0,
    };
  }
  const cells = kept.map((c) => ({ cell: c.cell, predictedSeconds: c.fixedSeconds + n * c.secondsPerStep }));
  const order = new Map(costs.map((c, i) => [keyOf(c.cell), i]));
  dropped.sort((a, b) => order.get(keyOf(a.cell))! - order.get(keyOf(b.cell))!);
  return {
    steps: n,
    cells,
    dropped,
    predictedSeconds: cells.reduce((s, c) => s + c.predictedSeconds, 0),
  };
}

/**
 * The plan as the lines the grid prints before it starts: steps per cell, cells to run and predicted minutes,
 * then the dropped cells by reason (named when at most 4, else counted).
 *
 * @param plan The plan.
 * @param budgetSeconds The budget it was planned for.
 * @returns The lines.
 * @example
 * ```ts
 * import { formatPlan } from "./grid_plan.ts";
 * import assert from "node:assert/strict";
 * const plan = {
 *   steps: 50,
 *   cells: [{ cell: { loss: "dpo" as const, divergence: "kl" as const, seed: 0 }, predictedSeconds: 90 }],
 *   dropped: [{ cell: { loss: "dpo" as const, divergence: "wasserstein" as const, seed: 0 }, reason: "too slow" }],
 *   predictedSeconds: 90,
 * };
 * assert.deepEqual(formatPlan(plan, 120), [
 *   "plan: 1 cell × 50 steps, predicted 1.5 min of 2.0 min left",
 *   "not planned (too slow): dpo-wasserstein-seed0",
 * ]);
 * ```
 */
export function formatPlan(plan: GridPlan, budgetSeconds: number): string[] {
  const n = plan.cells.length;
  return [
    `plan: ${n} cell${n === 1 ? "" : "s"} × ${plan.steps} steps, predicted ${
      (plan.predictedSeconds / 60).toFixed(1)
    } min of ${(budgetSeconds / 60).toFixed(1)} min left`,
    ...[...Map.groupBy(plan.dropped, (d) => d.reason)].map(([reason, ds]) => {
      const names = ds.map(({ cell }) => `${cell.loss}-${cell.divergence}-seed${cell.seed}`);
      return `not planned (${reason}): ${names.length <= 4 ? names.join(", ") : `${names.length} cells`}`;
    }),
  ];
}

/**
 * Splits planned cells among `workers` processes, longest predicted first, each to the least loaded worker
 * (LPT scheduling: the longest worker is at most 4/3 of the best split); each worker keeps run order.
 *
 * @param cells The planned cells.
 * @param workers How many workers (≥ 1).
 * @returns One list per worker (some empty when there are fewer cells than workers).
 * @example
 * ```ts
 * import { partitionCells } from "./grid_plan.ts";
 * import assert from "node:assert/strict";
 * const cell = (seed: number, s: number) => ({ cell: { loss: "dpo" as const, divergence: "kl" as const, seed }, predictedSeconds: s });
 * const parts = partitionCells([cell(0, 5), cell(1, 3), cell(2, 3), cell(3, 2)], 2);
 * assert.deepEqual(parts.map((p) => p.map((c) => c.cell.seed)), [[0, 3], [1, 2]]);
 * ```
 */
export function partitionCells(cells: readonly PlannedCell[], workers: number): PlannedCell[][] {
  if (!Number.isInteger(workers) || workers < 1) {
    throw new RangeError(`workers must be an integer ≥ 1, got ${workers}`);
  }
  const parts = Array.from({ length: workers }, () => ({ load: 0, items: [] as number[] }));
  const order = cells.map((_, i) => i).sort((a, b) =>
    cells[b]!.predictedSeconds - cells[a]!.predictedSeconds
  );
  for (const i of order) {
    const least = parts.reduce((m, p) => (p.load < m.load ? p : m));
    least.load += cells[i]!.predictedSeconds;
    least.items.push(i);
  }
  return parts.map((p) => p.items.sort((a, b) => a - b).map((i) => cells[i]!));
}
