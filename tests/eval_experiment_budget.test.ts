import * as tf from "@tensorflow/tfjs";
import {
  cellName,
  gridCells,
  type GridOptions,
  measureGridCosts,
  runGrid,
  sftReference,
} from "../lib/eval/mod.ts";
import { readSyntheticJsonl } from "../lib/data/mod.ts";
import { assert } from "./_assert.ts";

await tf.setBackend("cpu");
const TINY = { vocabSize: 256, dModel: 16, layers: 1, heads: 2, contextLength: 48 };

async function tinyGrid(steps: number): Promise<GridOptions> {
  return {
    train: (await readSyntheticJsonl("data/synthetic_train.jsonl")).slice(0, 40),
    test: (await readSyntheticJsonl("data/synthetic_test.jsonl")).slice(0, 12),
    out: await Deno.makeTempDir(),
    losses: ["dpo", "hmk"],
    divergences: ["kl"],
    seeds: [0],
    sftSteps: 2,
    referenceSeed: 0,
    base: { model: TINY, backend: "cpu", steps, batchSize: 4 },
    evaluate: {},
  };
}
const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

Deno.test("runGrid under a budget: the first cell that does not fit ends the grid, without its result", async () => {
  const options = await tinyGrid(2);
  const messages: string[] = [];
  const results = await runGrid({
    ...options,
    budget: { deadline: Date.now() + 3_600_000, predictSeconds: (c) => (c.loss === "hmk" ? 1e6 : 1) },
    onProgress: (m, e) => e === undefined && messages.push(m),
  });
  assert.deepEqual(results.map(cellName), ["dpo-kl-seed0"]);
  assert.equal(results[0]!.steps, 2, "the result records its steps");
  assert.ok(!(await exists(`${options.out}/results/hmk-kl-seed0.json`)));
  assert.ok(
    messages.some((m) => /budget: hmk-kl-seed0 would end past the deadline/.test(m)),
    messages.join("\n"),
  );
  await Deno.remove(options.out, { recursive: true });
});

Deno.test("runGrid under a budget: a cell still training at the deadline stops after a step, without a result", async () => {
  const options = await tinyGrid(300);
  const messages: string[] = [];
  const results = await runGrid({
    ...options,
    // The deadline has passed, but a prediction of −∞ lets the first cell start: it stops after one step.
    budget: { deadline: Date.now() - 1, predictSeconds: () => -Infinity },
    onProgress: (m, e) => e === undefined && messages.push(m),
  });
  assert.deepEqual(results, []);
  assert.ok(!(await exists(`${options.out}/results/dpo-kl-seed0.json`)));
  assert.ok(messages.some((m) => /the deadline stopped dpo-kl-seed0/.test(m)), messages.join("\n"));
  assert.ok(!messages.some((m) => /training hmk/.test(m)), "no cell starts after the deadline");
  const steps = (await Deno.readTextFile(`${options.out}/runs/dpo-kl-seed0/metrics.jsonl`)).trim().split("\n")
    .filter((l) => l.includes('"preference"')).length;
  assert.ok(steps < 300, `stopped early, after ${steps} steps`);
  await Deno.remove(options.out, { recursive: true });
});

Deno.test("runGrid with cells: only those run; gridCells lists every cell in run order", async () => {
  const options = await tinyGrid(1);
  assert.deepEqual(gridCells(options).map(cellName), ["dpo-kl-seed0", "hmk-kl-seed0"]);
  const results = await runGrid({ ...options, cells: [{ loss: "hmk", divergence: "kl", seed: 0 }] });
  assert.deepEqual(results.map(cellName), ["hmk-kl-seed0"]);
  await Deno.remove(options.out, { recursive: true });
});

Deno.test("measureGridCosts: one pilot per loss and column, a positive cost per cell, the pilot folder removed", async () => {
  const options = { ...(await tinyGrid(1)), divergences: ["kl", "js"] as GridOptions["divergences"] };
  const reference = await sftReference(options, 0);
  const cells = gridCells(options);
  const pilot = await measureGridCosts(options, cells, reference, 2);
  assert.deepEqual(pilot.timings.map((t) => cellName(t.cell)), [
    "dpo-kl-seed0",
    "hmk-kl-seed0",
    "dpo-js-seed0",
  ]);
  assert.deepEqual(pilot.costs.map((c) => cellName(c.cell)), cells.map(cellName));
  for (const c of pilot.costs) {
    assert.ok(
      c.secondsPerStep > 0 && Number.isFinite(c.secondsPerStep),
      `${cellName(c.cell)}: ${c.secondsPerStep}`,
    );
    assert.ok(c.fixedSeconds >= pilot.evaluationSeconds, "every cell's fixed cost includes the evaluation");
  }
  // Additive: hmk-js = hmk-kl + (dpo-js − dpo-kl).
  const [dk, hk, dj] = pilot.timings.map((t) => t.secondsPerStep) as [number, number, number];
  const hj = pilot.costs.find((c) => cellName(c.cell) === "hmk-js-seed0")!;
  assert.ok(Math.abs(hj.secondsPerStep - Math.max(0, hk + dj - dk)) < 1e-12);
  assert.ok(!(await exists(`${options.out}/pilot`)));
  await Deno.remove(options.out, { recursive: true });
});
