import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  CollapseMonitor,
  collapseWarning,
  DEFAULT_COLLAPSE_WARNING,
  DRIFT_METRICS,
  driftStats,
  resolveTrainConfig,
} from "../lib/train/mod.ts";
import { assertAllClose } from "./_assert.ts";

Deno.test("driftStats: batch means of log π − log π_ref, per response and per token", () => {
  const t = (x: number[]) => tf.tensor1d(x);
  const values = tf.tidy(() =>
    tf.stack(driftStats(t([-12, -30]), t([-25, -9]), t([-10, -20]), t([-15, -10]), t([4, 10]), t([5, 0])))
      .arraySync() as number[]
  );
  // chosen: (−2 − 10)/2 = −6; rejected: (−10 + 1)/2 = −4.5; per token: (−0.5 − 1)/2, (−2 + 1/1)/2 (0 tokens → 1)
  assertAllClose(values, [-6, -4.5, -0.75, -0.5], 1e-6);
  assert.equal(DRIFT_METRICS.length, 4);
});

const history = (pairs: [number, number][]) =>
  pairs.map(([chosen, rejected], step) => ({ step, chosen, rejected }));

Deno.test("collapseWarning fires only when BOTH drifts stay below −threshold for `patience` points", () => {
  const h = history([[-0.5, -3], [-2, -3], [-2.5, -4], [-3, -5], [-4, -6]]);
  assert.equal(collapseWarning(h, { threshold: 1, patience: 3 })?.step, 3);
  assert.equal(collapseWarning(h, { threshold: 1, patience: 1 })?.step, 1);
  assert.equal(collapseWarning(h, { threshold: 1, patience: 5 }), undefined);
  assert.equal(collapseWarning(h, { threshold: 10, patience: 1 }), undefined);
  // the DPO pattern: the rejected falls, the chosen does not — never a collapse
  assert.equal(
    collapseWarning(history([[0.1, -5], [-0.2, -8], [0.3, -12]]), { threshold: 1, patience: 1 }),
    undefined,
  );
  // a recovery resets the run
  const broken = history([[-2, -2], [-2, -2], [0, -2], [-2, -2], [-2, -2]]);
  assert.equal(collapseWarning(broken, { threshold: 1, patience: 3 }), undefined);
  assert.equal(collapseWarning(broken, { threshold: 1, patience: 2 })?.step, 1);
  // non-finite drifts are not evidence
  assert.equal(collapseWarning(history([[NaN, NaN], [-2, -2]]), { threshold: 1, patience: 2 }), undefined);
  const w = collapseWarning(h, { threshold: 1, patience: 3 })!;
  assert.deepEqual([w.chosen, w.rejected], [-3, -5]);
  assert.match(w.message, /step 3.*both fallen by more than 1 .*3 consecutive steps/);
});

Deno.test("collapseWarning defaults and bad options name the option", () => {
  assert.deepEqual(DEFAULT_COLLAPSE_WARNING, { threshold: 2, patience: 5 });
  assert.equal(collapseWarning(history(Array(5).fill([-2.5, -2.5])))?.step, 4);
  // DPO + KL's worst stretch in 600 steps: both below −2 for 2 steps, never 5
  const dpo = history([[-2.45, -4.7], [-2.1, -3], [-1.2, -3], [-2.2, -4], [-2.3, -4], [-1.9, -4]]);
  assert.equal(collapseWarning(dpo), undefined);
  assert.throws(() => collapseWarning([], { threshold: 0 }), /options.threshold/);
  assert.throws(
    () => collapseWarning([], { patience: 1.5 }),
    /options.patience must be an integer >= 1, got 1.5/,
  );
});

Deno.test("CollapseMonitor agrees with collapseWarning on a synthetic run and warns once", () => {
  const drifts: [number, number][] = [[0, -0.2], [-0.4, -1.2], [-1.1, -1.6], [-1.3, -2], [-0.9, -2.5], [
    -1.2,
    -2,
  ]];
  for (let i = 0; i < 4; i++) drifts.push([-1.5 - i, -3 - i]);
  const options = { threshold: 1, patience: 3 };
  const expected = collapseWarning(history(drifts), options)!;
  const monitor = new CollapseMonitor(options);
  const fired: number[] = [];
  drifts.forEach(([c, r], step) => {
    const m = monitor.observe({
      step,
      "drift/chosen_per_token": c,
      "drift/rejected_per_token": r,
      loss: 0.7,
    });
    if (m !== undefined) {
      fired.push(step);
      assert.match(m, new RegExp(`step ${step}`));
    }
  });
  assert.deepEqual(fired, [expected.step]);
  assert.equal(expected.step, 7);
  // steps without drift metrics are ignored
  assert.equal(new CollapseMonitor({ patience: 1 }).observe({ step: 0, loss: 1 }), undefined);
});

Deno.test("config.collapseWarning and config.kernelScale: defaults, off, bad values name the field", () => {
  const base = { data: "d.jsonl", out: "out" };
  assert.deepEqual(resolveTrainConfig(base).collapseWarning, {});
  assert.equal(resolveTrainConfig({ ...base, collapseWarning: false }).collapseWarning, false);
  assert.throws(
    () => resolveTrainConfig({ ...base, collapseWarning: { threshold: -1 } }),
    /config\.collapseWarning .*"threshold":-1/,
  );
  assert.equal(resolveTrainConfig(base).kernelScale, "fixed");
  assert.throws(
    () => resolveTrainConfig({ ...base, kernelScale: "quantile" as "data" }),
    /config\.kernelScale must be one of fixed, data, got "quantile"/,
  );
});

Deno.test("the trainer logs drifts (0 at the first step), the non-linear share, warns once, scales kernels", async () => {
  const { train } = await import("../lib/train/mod.ts");
  const { sumPairs, TINY_MODEL } = await import("./_fixtures.ts");
  const runOnce = async (extra: Record<string, unknown>) => {
    const out = await Deno.makeTempDir();
    const notes: string[] = [];
    const gen = train({
      data: sumPairs(24),
      out,
      model: TINY_MODEL,
      backend: "cpu",
      sft: { steps: 2, batchSize: 8 },
      steps: 8,
      batchSize: 4,
      evalEvery: 0,
      checkpointEvery: 0,
      seed: 5,
      loss: "rbf",
      learningRate: 0.3,
      ...extra,
    });
    for (let r = await gen.next(); !r.done; r = await gen.next()) {
      if (r.value.type === "note") notes.push(r.value.message);
    }
    const lines = (await Deno.readTextFile(`${out}/metrics.jsonl`)).trim().split("\n").map((l) =>
      JSON.parse(l)
    )
      .filter((l) => l.phase === "preference") as Record<string, number>[];
    await Deno.remove(out, { recursive: true });
    return { notes, lines };
  };
  const warn = { threshold: 1, patience: 2 }; // at lr 0.3 both drifts fall below −3.6 nats/token at steps 6–7
  const fixed = await runOnce({ collapseWarning: warn });
  for (const key of [...DRIFT_METRICS, "kernel/nonlinear_share"]) {
    assert.ok(fixed.lines.every((l) => Number.isFinite(l[key])), key);
  }
  // at the first step the policy is the reference
  for (const key of DRIFT_METRICS) assert.ok(Math.abs(fixed.lines[0]![key]!) < 1e-4, `${key} at step 0`);
  assert.equal(fixed.lines[0]!["kernel/nonlinear_share"], 0);
  // the note agrees with collapseWarning over the logged per-token drifts, and comes once
  const expected = collapseWarning(
    fixed.lines.map((l) => ({
      step: l.step!,
      chosen: l["drift/chosen_per_token"]!,
      rejected: l["drift/rejected_per_token"]!,
    })),
    warn,
  );
  const warnings = fixed.notes.filter((n) => n.startsWith("collapse warning"));
  assert.equal(warnings.length, expected === undefined ? 0 : 1);
  assert.ok(expected, "the run collapses at lr 0.3");
  assert.match(warnings[0]!, new RegExp(`at step ${expected.step}:`));
  const off = await runOnce({ collapseWarning: false });
  assert.equal(off.notes.filter((n) => n.startsWith("collapse warning")).length, 0);
  // data-driven scales change the loss after the first step (equal at Δ = 0, where every kernel is DPO)
  const data = await runOnce({ kernelScale: "data" });
  assert.equal(data.lines[0]!.loss, off.lines[0]!.loss);
  assert.ok(data.lines.slice(1).some((l, i) => l.loss !== off.lines[i + 1]!.loss));
});
