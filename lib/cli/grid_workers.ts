/**
 * The grid CLI's budget and workers: the pilot and the plan (`planToBudget`), and the cells trained by child
 * processes of `grid.ts` (`runWorkers`). Used by `grid.ts` only.
 *
 * @module
 */
import { cellName, type GridCell, type GridOptions, type GridResult } from "../eval/experiment.ts";
import { readResults } from "../eval/grid_cells.ts";
import { measureGridCosts } from "../eval/grid_pilot.ts";
import { formatPlan, partitionCells, planGrid, type PlannedCell } from "../eval/grid_plan.ts";

/**
 * How much slower a cell trains beside a second one on a 2-core machine (one BLAS thread each) than alone
 * (two threads): the median of 1.30–1.80 measured by `deno task bench:grid-parallel` (README).
 */
const PARALLEL_SLOWDOWN = 1.6;

/** A worker's job: its cells, the steps, the deadline (epoch ms, or null without a budget), predictions. */
export interface WorkerJob {
  cells: GridCell[];
  steps: number;
  deadline: number | null;
  predicted: Record<string, number>;
}

/**
 * Trains the cells of `options.cells` (default: every cell) not yet finished in `workers` child processes of
 * this CLI (`--worker JOB`, one BLAS thread each), split by predicted time, and returns every finished result.
 * Used by `grid.ts` only; tested through it (`tests/cli_grid.test.ts`).
 *
 * @param options The grid's options (cells, steps, budget as set by {@link planToBudget}).
 * @param asked Every cell asked for (when `options.cells` is unset).
 * @param workers How many worker processes.
 * @param values The CLI's parsed flags, forwarded to the workers.
 * @param elapsed The CLI's clock, for log lines.
 * @returns The finished results, in the order of the cells.
 */
export async function runWorkers(
  options: GridOptions,
  asked: readonly GridCell[],
  workers: number,
  values: Record<string, string | boolean | undefined>,
  elapsed: () => string,
): Promise<GridResult[]> {
  const cells = options.cells ?? asked;
  const finished = new Set((await readResults(options, cells)).map(cellName));
  const todo: PlannedCell[] = cells.filter((c) => !finished.has(cellName(c))).map((cell) => ({
    cell,
    predictedSeconds: options.budget?.predictSeconds(cell) ?? 1,
  }));
  const forwarded = ["losses", "divergences", "seeds", "sft-steps", "data", "test", "out", "backend"]
    .flatMap((k) => (typeof values[k] === "string" ? [`--${k}`, values[k] as string] : []));
  const script = new URL("./grid.ts", import.meta.url).pathname;
  const runs = partitionCells(todo, workers).filter((p) => p.length > 0).map(async (part, k) => {
    const file = `${options.out}/worker-${k}.json`;
    const job: WorkerJob = {
      cells: part.map((p) => p.cell),
      steps: options.base!.steps!,
      deadline: options.budget?.deadline ?? null,
      predicted: Object.fromEntries(part.map((p) => [cellName(p.cell), p.predictedSeconds])),
    };
    await Deno.writeTextFile(file, JSON.stringify(job) + "\n");
    console.log(`[${elapsed()}] worker ${k}: ${job.cells.map(cellName).join(", ")}`);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...[
          "--allow-read",
          "--allow-write",
          "--allow-env",
          "--allow-ffi",
          "--allow-sys",
          "--unstable-webgpu",
        ],
        script,
        ...forwarded,
        "--threads",
        String(values.threads ?? 1),
        "--parallel",
        "1",
        "--worker",
        file,
      ],
      stdout: "inherit",
      stderr: "inherit",
    });
    const { code } = await child.output();
    await Deno.remove(file);
    if (code !== 0) throw new Error(`worker ${k} exited with code ${code}`);
  });
  await Promise.all(runs);
  return await readResults(options, cells);
}

/**
 * Times the cells still to run (a pilot), plans them to the time left before `deadline`, prints the plan and
 * writes it to `OUT/plan.json`, and sets `options` to run it (steps, cells, deadline). Finished cells keep
 * their steps: a resumed grid plans the others at the same steps. Used by `grid.ts` only.
 *
 * @param options The grid's options; `base.steps`, `cells` and `budget` are set here.
 * @param asked Every cell asked for.
 * @param referenceDir The SFT reference the pilot starts from.
 * @param deadline The budget's end (epoch ms), the report's reserve already taken off.
 * @param workers How many cells train at a time (the plan divides the work among them).
 * @param elapsed The CLI's clock, for log lines.
 * @returns "N steps per cell", for the report.
 */
export async function planToBudget(
  options: GridOptions,
  asked: readonly GridCell[],
  referenceDir: string,
  deadline: number,
  workers: number,
  elapsed: () => string,
): Promise<string> {
  const finished = new Map<string, number | undefined>();
  for (const cell of asked) {
    const file = `${options.out}/results/${cellName(cell)}.json`;
    const steps = await Deno.readTextFile(file).then(
      (t) => (JSON.parse(t) as { steps?: number }).steps,
      () => null,
    );
    if (steps !== null) finished.set(cellName(cell), steps);
  }
  const todo = asked.filter((c) => !finished.has(cellName(c)));
  const done = asked.filter((c) => finished.has(cellName(c)));
  const doneSteps = [...new Set(finished.values())].filter((s): s is number => s !== undefined);
  const requested = doneSteps.length === 1 ? doneSteps[0]! : options.base!.steps!;
  if (todo.length === 0) return `${requested} steps per cell`;
  const pilot = await measureGridCosts(options, todo, referenceDir);
  const left = Math.max(0, (deadline - Date.now()) / 1000);
  // N workers share the cores: each cell runs PARALLEL_SLOWDOWN× slower than alone, N at a time.
  const slowdown = workers > 1 ? PARALLEL_SLOWDOWN : 1;
  const plan = planGrid({
    costs: pilot.costs.map((c) => ({
      ...c,
      secondsPerStep: (c.secondsPerStep * slowdown) / workers,
      fixedSeconds: (c.fixedSeconds * slowdown) / workers,
    })),
    budgetSeconds: left,
    steps: requested,
    minSteps: doneSteps.length === 1 ? requested : undefined,
  });
  console.log(`[${elapsed()}] pilot took ${pilot.seconds.toFixed(0)} s`);
  // Back from the shared budget to each cell's own predicted wall time on its worker.
  plan.cells = plan.cells.map((c) => ({ ...c, predictedSeconds: c.predictedSeconds * workers }));
  if (workers > 1) {
    console.log(`[${elapsed()}] ${workers} workers; a cell runs ${slowdown}× slower alongside another`);
  }
  for (const line of formatPlan(plan, left)) console.log(`[${elapsed()}] ${line}`);
  await Deno.writeTextFile(
    `${options.out}/plan.json`,
    JSON.stringify({ budgetSeconds: left, pilot: { ...pilot, costs: undefined }, ...plan }, null, 2) + "\n",
  );
  const predicted = new Map(plan.cells.map((c) => [cellName(c.cell), c.predictedSeconds]));
  options.base = { ...options.base, steps: plan.steps > 0 ? plan.steps : requested };
  options.cells = [...done, ...plan.cells.map((c) => c.cell)];
  options.budget = { deadline, predictSeconds: (cell) => predicted.get(cellName(cell)) ?? 0 };
  return `${plan.steps > 0 ? plan.steps : requested} steps per cell`;
}
