import {
  categoryRow,
  categoryTable,
  methodCategoryRows,
  protocolRows,
  protocolTable,
  shortcutCategoryRows,
} from "../lib/eval/protocol_report.ts";
import { bootstrapMeanInterval } from "../lib/analysis/bootstrap.ts";
import { shortcutBaselines } from "../lib/analysis/shortcut_baselines.ts";
import { pairedComparison } from "../lib/analysis/paired_comparison.ts";
import type { GridResult } from "../lib/eval/experiment.ts";
import { assert, assertClose } from "./_assert.ts";

function cell(loss: string, seed: number, pairScores?: number[]): GridResult {
  return { loss, divergence: "kl", seed, pairScores } as unknown as GridResult;
}

const DPO = [[1, 0, 1, 0, 1], [1, 1, 0, 0, 0.5], [0, 1, 1, 1, 0]];
const RBF = [[1, 1, 1, 0, 1], [1, 1, 0, 1, 0.5], [0, 1, 1, 1, 1]];

Deno.test("protocolRows: accuracy over seeds and pairs, and the paired difference matched by seed", () => {
  const results = [
    ...DPO.map((s, i) => cell("dpo", i, s)),
    // the method's seeds arrive in another order: matching must go by seed, not by position
    ...[2, 0, 1].map((i) => cell("rbf", i, RBF[i]!)),
  ];
  const rows = protocolRows(results, { resamples: 2000, seed: 1 });
  assert.deepEqual(rows.map((r) => r.method), ["dpo / kl", "rbf / kl"]);
  // closed forms: 8.5 / 15 and 11.5 / 15
  assertClose(rows[0]!.accuracy.estimate, 8.5 / 15, 1e-12);
  assertClose(rows[1]!.accuracy.estimate, 11.5 / 15, 1e-12);
  assert.equal(rows[0]!.difference, undefined);
  const d = rows[1]!.difference!;
  assertClose(d.estimate, 3 / 15, 1e-12);
  assert.ok(d.lower <= d.estimate && d.estimate <= d.upper);
  // every per-pair difference is 0 or 1, so every bootstrap mean (and the interval) lies in [0, 1]
  assert.ok(d.lower >= 0 && d.upper <= 1 && d.upper > d.lower, `[${d.lower}, ${d.upper}]`);
  for (const r of rows) {
    assert.ok(r.accuracy.lower <= r.accuracy.estimate && r.accuracy.estimate <= r.accuracy.upper);
  }
  // the same as the protocol's paired comparison on seed-matched tables (the method's rows in its own order)
  const direct = pairedComparison([2, 0, 1].map((i) => RBF[i]!), [2, 0, 1].map((i) => DPO[i]!), {
    resamples: 2000,
    seed: 1,
  });
  assert.deepEqual(
    [d.lower, d.upper, d.pValue],
    [direct.lower, direct.upper, direct.pValue],
  );
  // MDD at 80 % power from the per-pair differences averaged over seeds, matched by seed: (0, ⅓, 0, ⅓, ⅓),
  // mean 1/5, sample variance (2·(1/5)² + 3·(2/15)²)/4 = 1/30: (z₀.₉₇₅ + z₀.₈) · √(1/30) / √5
  assert.equal(rows[0]!.mdd, undefined);
  assertClose(
    rows[1]!.mdd!,
    (1.959963984540054 + 0.8416212335729143) * Math.sqrt(1 / 30) / Math.sqrt(5),
    1e-12,
  );
  assert.equal(rows[1]!.seeds, 3);
  assert.equal(rows[1]!.pairs, 5);
  const table = protocolTable(rows);
  assert.match(
    table,
    /\| rbf \/ kl \| 0\.767 \[[0-9.]+, [0-9.]+\] \| \+0\.200 \[[0-9.]+, [0-9.]+\], p [0-9.e-]+ \| 0\.229 \|/,
  );
});

Deno.test("protocolRows: a result without pair scores, a baseline missing a seed, an unknown baseline", () => {
  assert.throws(() => protocolRows([cell("dpo", 0)]), /dpo \/ kl seed 0 has no pairScores/);
  assert.throws(
    () => protocolRows([cell("dpo", 0, [1]), cell("rbf", 1, [0])]),
    /baseline dpo \/ kl has no seed 1/,
  );
  assert.throws(() => protocolRows([cell("rbf", 0, [1])], { baseline: "dpo / js" }), /options\.baseline/);
});

Deno.test("protocolRows: no MDD from a single pair; identical methods have MDD 0", () => {
  const one = protocolRows([cell("dpo", 0, [1]), cell("rbf", 0, [0])], { resamples: 50 });
  assert.equal(one[1]!.mdd, undefined);
  assert.match(protocolTable(one), /\| rbf \/ kl \| .* \| — \|$/);
  const same = protocolRows([cell("dpo", 0, [1, 0, 1]), cell("rbf", 0, [1, 0, 1])], { resamples: 50 });
  assert.equal(same[1]!.mdd, 0);
});

const CATS = ["a", "b", "a", "c", "b", "a"];

Deno.test("categoryRow: per-category means over seeds and that category's pairs, intervals on the same columns", () => {
  const table = [[1, 0, 0, 1, 0.5, 1], [0, 0, 1, 1, 1, 1]];
  const row = categoryRow("m", table, CATS, { resamples: 500, seed: 3 });
  assert.deepEqual(Object.keys(row.cells), ["a", "b", "c", "overall"]);
  // closed forms: a = columns 0, 2, 5 → (1+0+1+0+1+1)/6; b = columns 1, 4 → 1.5/4; c = column 3 → 1
  assertClose(row.cells.a!.estimate, 4 / 6, 1e-12);
  assertClose(row.cells.b!.estimate, 1.5 / 4, 1e-12);
  assert.equal(row.cells.c!.estimate, 1);
  assertClose(row.cells.overall!.estimate, 7.5 / 12, 1e-12);
  // the interval is the bootstrap of the category's own columns
  const a = bootstrapMeanInterval(table.map((r) => [r[0]!, r[2]!, r[5]!]), { resamples: 500, seed: 3 });
  assert.deepEqual(row.cells.a, { estimate: a.estimate, lower: a.lower, upper: a.upper });
  assert.throws(
    () => categoryRow("m", [[1, 0]], CATS),
    /table\[0\] must hold one score per category \(6\), got 2/,
  );
});

Deno.test("methodCategoryRows: one row per method from its seeds; shortcut rows keep their numbers", () => {
  const results = [
    cell("dpo", 0, [1, 1, 1, 1, 1, 1]),
    cell("rbf", 0, [0, 0, 0, 0, 0, 0]),
    cell("dpo", 1, [0, 0, 0, 0, 0, 0]),
  ];
  const rows = methodCategoryRows(results, CATS, { resamples: 50 });
  assert.deepEqual(rows.map((r) => r.method), ["dpo / kl", "rbf / kl"]);
  assert.equal(rows[0]!.cells.overall!.estimate, 0.5);
  assert.equal(rows[1]!.cells.a!.estimate, 0);
  assert.throws(() => methodCategoryRows([cell("dpo", 0)], CATS), /has no pairScores/);
  const train = [{ chosen: "Yes", rejected: "No", category: "x" }, {
    chosen: "Yes",
    rejected: "Maybe",
    category: "x",
  }];
  const test = [{ chosen: "Yes", rejected: "No", category: "x" }, {
    chosen: "No",
    rejected: "Yes",
    category: "x",
  }];
  const shortcut = shortcutBaselines(train, test, { resamples: 20 });
  const converted = shortcutCategoryRows(shortcut);
  assert.deepEqual(converted.map((r) => r.method), [
    "shortcut: frequency",
    "shortcut: length",
    "shortcut: bag_of_words",
  ]);
  const frequency = shortcut.find((r) => r.baseline === "frequency" && r.category === "x")!;
  assert.equal(frequency.accuracy, 0.5); // one pair right, one wrong
  assert.deepEqual(converted[0]!.cells.x, { estimate: 0.5, lower: frequency.lower, upper: frequency.upper });
});

Deno.test("categoryTable: categories in first-seen order with overall last, an empty cell where a row lacks one", () => {
  const c = (estimate: number) => ({ estimate, lower: estimate - 0.1, upper: estimate + 0.1 });
  const table = categoryTable([
    { method: "ceiling", cells: { overall: c(1), b: c(1) } },
    { method: "dpo / kl", cells: { a: c(0.5), b: c(0.6), overall: c(0.55) } },
  ]);
  assert.equal(
    table,
    [
      "| method | b | a | overall |",
      "|---|---:|---:|---:|",
      "| ceiling | 1.000 [0.90, 1.10] |  | 1.000 [0.90, 1.10] |",
      "| dpo / kl | 0.600 [0.50, 0.70] | 0.500 [0.40, 0.60] | 0.550 [0.45, 0.65] |",
    ].join("\n"),
  );
});
