import { protocolRows, protocolTable } from "../lib/eval/protocol_report.ts";
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
  assert.equal(rows[1]!.seeds, 3);
  assert.equal(rows[1]!.pairs, 5);
  const table = protocolTable(rows);
  assert.match(
    table,
    /\| rbf \/ kl \| 0\.767 \[[0-9.]+, [0-9.]+\] \| \+0\.200 \[[0-9.]+, [0-9.]+\], p [0-9.e-]+ \|/,
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
