import fc from "fast-check";
import { type CellCost, formatPlan, type GridCell, partitionCells, planGrid } from "../lib/eval/mod.ts";
import { assert, assertClose } from "./_assert.ts";

type Div = GridCell["divergence"];
const cost = (loss: string, divergence: Div, seed: number, perStep: number, fixed: number): CellCost => ({
  cell: { loss: loss as GridCell["loss"], divergence, seed },
  secondsPerStep: perStep,
  fixedSeconds: fixed,
});
const names = (cells: readonly { cell: GridCell }[]) =>
  cells.map(({ cell }) => `${cell.loss}-${cell.divergence}-${cell.seed}`);

Deno.test("planGrid: everything fits at the steps asked for; predicted seconds in closed form", () => {
  const costs = [cost("dpo", "kl", 0, 0.1, 5), cost("hmk", "kl", 0, 0.2, 6)];
  const plan = planGrid({ costs, budgetSeconds: 1000, steps: 300 });
  assert.equal(plan.steps, 300);
  assert.deepEqual(plan.dropped, []);
  assert.deepEqual(names(plan.cells), ["dpo-kl-0", "hmk-kl-0"]);
  assertClose(plan.cells[0]!.predictedSeconds, 5 + 300 * 0.1, 1e-12);
  assertClose(plan.predictedSeconds, 5 + 30 + 6 + 60, 1e-12);
});

Deno.test("planGrid: fewer steps when they fit, rounded down to the multiple; never more than asked", () => {
  // (200 − 11) / 0.3 = 630 → capped at 300; (100 − 11) / 0.3 = 296.7 → 290.
  const costs = [cost("dpo", "kl", 0, 0.1, 5), cost("hmk", "kl", 0, 0.2, 6)];
  assert.equal(planGrid({ costs, budgetSeconds: 200, steps: 300 }).steps, 300);
  assert.equal(planGrid({ costs, budgetSeconds: 100, steps: 300 }).steps, 290);
  assert.equal(planGrid({ costs, budgetSeconds: 100, steps: 300, stepMultiple: 1 }).steps, 296);
  assert.equal(planGrid({ costs, budgetSeconds: 90, steps: 295 }).steps, 260); // (90 − 11) / 0.3 = 263
  assert.equal(
    planGrid({ costs, budgetSeconds: 1000, steps: 295 }).steps,
    295,
    "the steps asked for are kept",
  );
});

Deno.test("planGrid: the expensive column goes first, then seeds, then columns, then losses", () => {
  const costs: CellCost[] = [];
  for (const seed of [0, 1, 2]) {
    for (const loss of ["dpo", "rbf"]) {
      for (const [d, s] of [["kl", 0.1], ["js", 0.12], ["wasserstein", 5]] as const) {
        costs.push(cost(loss, d, seed, s, 2));
      }
    }
  }
  // Without Wasserstein: 12 cells × (2 + 0.11·n) ≤ 200 → n ≤ 133 → 130 steps.
  const a = planGrid({ costs, budgetSeconds: 200, steps: 300 });
  assert.equal(a.steps, 130);
  assert.deepEqual([...new Set(a.dropped.map((d) => d.cell.divergence))], ["wasserstein"]);
  assert.equal(a.dropped.length, 6);
  assert.match(a.dropped[0]!.reason, /divergence wasserstein dropped/);
  // 100 s: seeds 2 then 1 go (4 cells × (2 + 0.11·n) ≤ 100 → n ≤ 209 → 200).
  const b = planGrid({ costs, budgetSeconds: 100, steps: 300 });
  assert.deepEqual(names(b.cells), ["dpo-kl-0", "dpo-js-0", "rbf-kl-0", "rbf-js-0"]);
  assert.equal(b.steps, 200);
  // 30 s: js (dearer than kl) goes next: 2 cells × (2 + 0.1·n) ≤ 30 → 130.
  const c = planGrid({ costs, budgetSeconds: 30, steps: 300 });
  assert.deepEqual(names(c.cells), ["dpo-kl-0", "rbf-kl-0"]);
  assert.equal(c.steps, 130);
  // 12 s: the last loss goes; one cell: (12 − 2) / 0.1 = 100.
  const d = planGrid({ costs, budgetSeconds: 12, steps: 300 });
  assert.deepEqual(names(d.cells), ["dpo-kl-0"]);
  assert.equal(d.steps, 100);
  // Dropped cells are listed in run order.
  assert.deepEqual(names(d.dropped), names(costs).filter((n) => n !== "dpo-kl-0"));
  // 5 s: the last cell trains what fits, below minSteps (30).
  assert.equal(planGrid({ costs, budgetSeconds: 5, steps: 300 }).steps, 30);
});

Deno.test("planGrid: nothing planned when not one step fits; fixed steps drop cells instead", () => {
  const costs = [cost("dpo", "kl", 0, 1, 50), cost("dpo", "kl", 1, 1, 50)];
  const none = planGrid({ costs, budgetSeconds: 40, steps: 10 });
  assert.equal(none.steps, 0);
  assert.deepEqual(none.cells, []);
  assert.equal(none.dropped.length, 2);
  assert.match(none.dropped.at(-1)!.reason, /not one step fits the budget of 40 s/);
  const fixed = planGrid({ costs, budgetSeconds: 100, steps: 20, minSteps: 20 });
  assert.deepEqual(names(fixed.cells), ["dpo-kl-0"]);
  assert.equal(fixed.steps, 20);
});

Deno.test("planGrid: the plan fits its budget, partitions the cells and uses the steps that fit", () => {
  const divs: Div[] = ["kl", "js", "wasserstein"];
  const arbCost = fc.record({
    loss: fc.constantFrom("dpo", "rbf", "hmk"),
    d: fc.constantFrom(...divs),
    seed: fc.integer({ min: 0, max: 2 }),
    perStep: fc.double({ min: 0.001, max: 10, noNaN: true }),
    fixed: fc.double({ min: 0, max: 50, noNaN: true }),
  });
  fc.assert(
    fc.property(
      fc.uniqueArray(arbCost, { minLength: 1, maxLength: 20, selector: (c) => `${c.loss}${c.d}${c.seed}` }),
      fc.double({ min: 0, max: 5000, noNaN: true }),
      fc.integer({ min: 1, max: 400 }),
      (raw, budget, steps) => {
        const costs = raw.map((c) => cost(c.loss, c.d, c.seed, c.perStep, c.fixed));
        const plan = planGrid({ costs, budgetSeconds: budget, steps });
        assert.ok(plan.steps <= steps && plan.steps >= 0);
        assert.ok(plan.predictedSeconds <= budget + 1e-9, `${plan.predictedSeconds} > ${budget}`);
        assert.deepEqual(
          [...names(plan.cells), ...names(plan.dropped)].sort(),
          names(costs).sort(),
          "every cell is planned or dropped, once",
        );
        if (plan.steps > 0 && plan.steps < steps) {
          const kept = costs.filter((c) => names(plan.cells).includes(names([c])[0]!));
          const more = kept.reduce((s, c) => s + c.fixedSeconds + (plan.steps + 10) * c.secondsPerStep, 0);
          assert.ok(more > budget, "ten more steps would not have fit");
        }
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("planGrid: bad input is a RangeError naming the argument and value", () => {
  const costs = [cost("dpo", "kl", 0, 0.1, 1)];
  assert.throws(
    () => planGrid({ costs, budgetSeconds: 10, steps: 0 }),
    /steps must be an integer ≥ 1, got 0/,
  );
  assert.throws(() => planGrid({ costs, budgetSeconds: -1, steps: 5 }), /budgetSeconds must be ≥ 0, got -1/);
  assert.throws(
    () => planGrid({ costs: [cost("dpo", "kl", 0, -1, 1)], budgetSeconds: 10, steps: 5 }),
    /costs of dpo\|kl\|0 must be ≥ 0, got -1 s\/step/,
  );
  assert.throws(() => planGrid({ costs, budgetSeconds: 10, steps: 5, minSteps: 6 }), /minSteps .* got 6/);
  assert.throws(
    () => planGrid({ costs, budgetSeconds: 10, steps: 5, stepMultiple: 0 }),
    /stepMultiple .* got 0/,
  );
});

Deno.test("formatPlan: the plan's header and one line per dropped cell", () => {
  const costs = [cost("dpo", "kl", 0, 0.1, 5), cost("dpo", "wasserstein", 0, 5, 5)];
  const plan = planGrid({ costs, budgetSeconds: 120, steps: 300 });
  assert.deepEqual(formatPlan(plan, 120), [
    "plan: 1 cell × 300 steps, predicted 0.6 min of 2.0 min left",
    "not planned (divergence wasserstein dropped: 100 steps of every cell do not fit the budget): dpo-wasserstein-seed0",
  ]);
  const many = planGrid({
    costs: [0, 1, 2, 3, 4].map((seed) => cost("dpo", "kl", seed, 1, 5)),
    budgetSeconds: 200,
    steps: 100,
  });
  assert.deepEqual(formatPlan(many, 200).slice(1), [
    "not planned (seed 1 dropped: 100 steps of every cell do not fit the budget): dpo-kl-seed1",
    "not planned (seed 2 dropped: 100 steps of every cell do not fit the budget): dpo-kl-seed2",
    "not planned (seed 3 dropped: 100 steps of every cell do not fit the budget): dpo-kl-seed3",
    "not planned (seed 4 dropped: 100 steps of every cell do not fit the budget): dpo-kl-seed4",
  ]);
  const counted = planGrid({
    costs: [0, 1, 2, 3, 4].map((seed) => cost("dpo", "wasserstein", seed, 1, 5)).concat(
      cost("dpo", "kl", 0, 0, 1),
    ),
    budgetSeconds: 50,
    steps: 100,
  });
  assert.deepEqual(formatPlan(counted, 50).slice(1), [
    "not planned (divergence wasserstein dropped: 100 steps of every cell do not fit the budget): 5 cells",
  ]);
});

Deno.test("partitionCells: longest first to the least loaded worker; every cell once, run order kept", () => {
  const planned = [7, 3, 5, 4, 2, 6].map((s, seed) => ({
    cell: { loss: "dpo" as const, divergence: "kl" as const, seed },
    predictedSeconds: s,
  }));
  const parts = partitionCells(planned, 2);
  // LPT: 7→A, 6→B, 5→B (6 < 7), 4→A (7 < 11), 3→A (a tie goes to the first), 2→B.
  assert.deepEqual(parts.map((p) => p.map((c) => c.cell.seed)), [[0, 1, 3], [2, 4, 5]]);
  const loads = parts.map((p) => p.reduce((t, c) => t + c.predictedSeconds, 0));
  assert.deepEqual(loads, [14, 13]);
  assert.deepEqual(partitionCells(planned, 1).map((p) => p.length), [6]);
  assert.deepEqual(partitionCells(planned.slice(0, 1), 3).map((p) => p.length), [1, 0, 0]);
  assert.throws(() => partitionCells(planned, 0), /workers must be an integer ≥ 1, got 0/);
});
