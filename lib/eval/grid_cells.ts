/**
 * The cells of an experiment grid, and the training configuration of one: shared by the grid's run
 * (`experiment.ts`) and its timing pilot (`grid_pilot.ts`).
 *
 * @module
 */
import type { TrainConfig } from "../train/config.ts";
import { cellName, type GridCell, type GridOptions, type GridResult } from "./experiment.ts";
import { divergenceColumns } from "./divergence_columns.ts";

/**
 * Every cell of a grid, in run order (seed, then loss, then divergence column).
 *
 * @param options The grid's axes and shared settings.
 * @returns The cells.
 * @example
 * ```ts
 * import { gridCells } from "./grid_cells.ts";
 * import assert from "node:assert/strict";
 * const cells = gridCells({ losses: ["dpo"], divergences: ["kl", "hellinger", "bhattacharyya"], seeds: [0, 1] });
 * assert.deepEqual(cells.map((c) => `${c.divergence}${c.seed}`), ["kl0", "hellinger0", "kl1", "hellinger1"]);
 * ```
 */
export function gridCells(
  options: Pick<GridOptions, "losses" | "divergences" | "seeds" | "base">,
): GridCell[] {
  const columns = divergenceColumns(options.divergences ?? ["kl"], options.base ?? {});
  return (options.seeds ?? [0, 1, 2]).flatMap((seed) =>
    (options.losses ?? ["dpo", "rbf", "hmk"]).flatMap((loss) =>
      columns.map(({ divergence }) => ({ loss, divergence, seed }))
    )
  );
}

/**
 * The training configuration of one grid cell: the shared settings, from the reference, no held-out split and
 * no checkpoints; Wasserstein explicitly.
 *
 * @param options The grid's options.
 * @param cell The cell.
 * @param referenceDir The reference checkpoint.
 * @param out The run's folder.
 * @returns The configuration for `train`.
 * @example
 * ```ts
 * import { cellConfig } from "./grid_cells.ts";
 * import assert from "node:assert/strict";
 * const options = { train: [], test: [], out: "out", base: { steps: 50 } };
 * const config = cellConfig(options, { loss: "hmk", divergence: "wasserstein", seed: 2 }, "ref", "out/run");
 * assert.deepEqual([config.steps, config.regularizer, config.seed, config.model], [50, "explicit", 2, "ref"]);
 * ```
 */
export function cellConfig(
  options: GridOptions,
  cell: GridCell,
  referenceDir: string,
  out: string,
): TrainConfig {
  return {
    ...options.base,
    data: options.train,
    out,
    overwrite: true, // a cell without its result file did not finish: train it again
    model: referenceDir,
    seed: cell.seed,
    sft: { steps: 0 },
    loss: cell.loss,
    divergence: cell.divergence,
    regularizer: cell.divergence === "wasserstein" ? "explicit" : options.base?.regularizer ?? "implicit",
    evalFraction: 0,
    evalEvery: 0,
    checkpointEvery: 0,
  };
}

/**
 * The finished results among `cells` (those with a result file in `OUT/results/`), in the order of `cells`,
 * each with the divergences its column stands for. Reads only: nothing is trained.
 *
 * @param options The grid's output folder, divergences and shared settings.
 * @param cells The cells to read.
 * @returns The results found.
 * @example
 * ```ts
 * import { readResults } from "./grid_cells.ts";
 * import assert from "node:assert/strict";
 * const out = await Deno.makeTempDir();
 * assert.deepEqual(await readResults({ out }, [{ loss: "dpo", divergence: "kl", seed: 0 }]), []);
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export async function readResults(
  options: Pick<GridOptions, "out" | "divergences" | "base">,
  cells: readonly GridCell[],
): Promise<GridResult[]> {
  const columns = divergenceColumns(options.divergences ?? ["kl"], options.base ?? {});
  const results: GridResult[] = [];
  for (const cell of cells) {
    const text = await Deno.readTextFile(`${options.out}/results/${cellName(cell)}.json`).catch(() =>
      undefined
    );
    if (text === undefined) continue;
    const standsFor = columns.find((c) => c.divergence === cell.divergence)?.standsFor;
    results.push({ ...(JSON.parse(text) as GridResult), ...(standsFor ? { standsFor } : {}) });
  }
  return results;
}
