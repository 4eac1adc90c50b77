import assert from "node:assert/strict";
import { collapseRisk, DIVERGENCE_SELECTION_RULES, selectDivergence, selectPair } from "../mod.ts";

// Kernel metrics that fire each kernel rule (Sec. 5.1 defaults ε₁ 0.5, ε₂ 0.3, approxZero 0.05).
const RBF = { pnd: 0.2, pnav: 0.61, tat: 0.22, nag: 0.1 };
const POLY = { pnd: 0.01, pnav: 0.1, tat: 0.5, nag: 0.01 };
const HMK = { pnd: 0.3, pnav: 0.3, tat: 0.5, nag: -0.1 };
// Divergence metrics (ε₁ 0.6, ε₂ 0.3, ε₃ 3, lowOverlap 0.3, lowSmoothness 0.05).
const OVERLAP = { supportOverlap: 0.7, driftMagnitude: 0.1, kurtosis: 2, smoothness: 0.2 };

Deno.test("selectPair: a refused pair falls to the next case that holds (KL here), the refusal in the reason", () => {
  const s = selectPair(RBF, OVERLAP);
  assert.equal(s.kernel.kernel, "rbf");
  assert.equal(s.ruleDivergence.divergence, "bhattacharyya");
  assert.equal(s.divergence.divergence, "kl");
  assert.equal(s.divergence.rule, 6);
  assert.deepEqual(s.refused.map((r) => [r.kernel, r.divergence, r.level]), [[
    "rbf",
    "bhattacharyya",
    "refuse",
  ]]);
  assert.equal(s.flag, undefined);
  const reason = s.divergence.reason;
  assert.ok(reason.startsWith(s.ruleDivergence.reason), reason);
  assert.ok(
    reason.includes(`bhattacharyya refused with rbf: ${collapseRisk("rbf", "bhattacharyya")!.reason}`),
  );
  assert.ok(reason.endsWith(`instead ${selectDivergence(OVERLAP, {}, (d) => d !== "bhattacharyya").reason}`));
});

Deno.test("selectPair: the next case in the table's order, not a jump to KL (Wasserstein when drift > ε₂)", () => {
  const s = selectPair(RBF, { ...OVERLAP, driftMagnitude: 0.5 });
  assert.equal(s.divergence.divergence, "wasserstein");
  assert.equal(s.divergence.rule, 2);
  assert.match(s.divergence.reason, /instead drift magnitude 0\.5 > ε₂ 0\.3 → Wasserstein \(rule 2\)$/);
});

Deno.test("selectPair: every refused case that holds is skipped in order (Bhattacharyya, then Rényi)", () => {
  const s = selectPair(RBF, { ...OVERLAP, kurtosis: 4 });
  assert.deepEqual(s.refused.map((r) => r.divergence), ["bhattacharyya", "renyi"]);
  assert.equal(s.divergence.divergence, "kl");
  // at another Rényi order the table's entry does not hold: only the mechanism's flag, so Rényi is kept
  const t = selectPair(RBF, { ...OVERLAP, kurtosis: 4 }, { alpha: 0.5 });
  assert.equal(t.divergence.divergence, "renyi");
  assert.equal(t.flag?.level, "flag");
});

Deno.test("selectPair: a flagged pair is returned, flagged in the result and in the reason", () => {
  const renyi = { supportOverlap: 0.45, driftMagnitude: 0.1, kurtosis: 4.2, smoothness: 0.2 };
  const s = selectPair(POLY, renyi);
  assert.equal(s.kernel.kernel, "polynomial");
  assert.equal(s.divergence.divergence, "renyi");
  assert.deepEqual(s.refused, []);
  assert.equal(s.flag?.level, "flag");
  assert.equal(s.divergence.reason, `${s.ruleDivergence.reason}; flagged with polynomial: ${s.flag!.reason}`);
  const h = selectPair(HMK, { supportOverlap: 0.45, driftMagnitude: 0.1, kurtosis: 2, smoothness: 0.01 });
  assert.equal(h.kernel.kernel, "hmk");
  assert.equal(h.divergence.divergence, "hellinger");
  assert.equal(h.flag?.level, "flag");
});

Deno.test("selectPair: an admissible pair is the rules' pair, reason unchanged", () => {
  const kl = { supportOverlap: 0.45, driftMagnitude: 0.1, kurtosis: 2, smoothness: 0.2 };
  const s = selectPair(RBF, kl);
  assert.deepEqual(s.divergence, selectDivergence(kl));
  assert.deepEqual(s.refused, []);
  assert.equal(s.flag, undefined);
});

Deno.test("selectPair: over a grid of metrics, never a refused pair, and the first admissible case that holds", () => {
  const kernels = [RBF, POLY, HMK, { pnd: 0.2, pnav: 0.1, tat: 0.2, nag: 0.3 }, {
    pnd: 0.01,
    pnav: 0.6,
    tat: 0.9,
    nag: -0.2,
  }];
  let refusals = 0;
  for (const km of kernels) {
    for (const supportOverlap of [0.1, 0.45, 0.7]) {
      for (const driftMagnitude of [0.1, 0.5]) {
        for (const kurtosis of [2, 4]) {
          for (const smoothness of [0.01, 0.2]) {
            const dm = { supportOverlap, driftMagnitude, kurtosis, smoothness };
            const s = selectPair(km, dm);
            const k = s.kernel.kernel;
            assert.notEqual(
              collapseRisk(k, s.divergence.divergence)?.level,
              "refuse",
              `${k} ${JSON.stringify(dm)}`,
            );
            // independent of the walk: the cases that hold, in the table's order, minus the refused ones
            const holding = DIVERGENCE_SELECTION_RULES.map((r) => r.divergence).filter((d) =>
              selectDivergence(dm, {}, (x) => x === d || x === "kl").divergence === d
            );
            const admissible = holding.filter((d) => collapseRisk(k, d)?.level !== "refuse");
            assert.equal(s.divergence.divergence, admissible[0]);
            assert.deepEqual(
              s.refused.map((r) => r.divergence),
              holding.slice(0, holding.indexOf(admissible[0]!)),
            );
            refusals += s.refused.length;
          }
        }
      }
    }
  }
  assert.ok(refusals > 20, `the grid exercises refusals (${refusals})`);
});

Deno.test("selectDivergence: the admissible filter keeps the table's rule numbers and fails loudly", () => {
  const m = { supportOverlap: 0.7, driftMagnitude: 0.5, kurtosis: 2, smoothness: 0.2 };
  assert.equal(selectDivergence(m, {}, (d) => d !== "bhattacharyya").rule, 2);
  assert.throws(() => selectDivergence(m, {}, () => false), RangeError);
  assert.throws(() => selectDivergence(m, {}, (d) => d === "js"), /admissible/);
});
