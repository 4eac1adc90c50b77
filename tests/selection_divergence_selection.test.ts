import { selectionTriplets } from "./_fixtures.ts";
import { assert, assertClose } from "./_assert.ts";
import { SELECTION_CASES, SELECTION_TRAJECTORY } from "./golden/selection_values.ts";
import {
  DEFAULT_DIVERGENCE_SELECTION_THRESHOLDS,
  DIVERGENCE_SELECTION_RULES,
  type DivergenceSelectionMetrics,
  divergenceSelectionMetrics,
  divergenceSelectionMetricsFromDistances,
  type SelectableDivergence,
  selectDivergence,
} from "../lib/selection/mod.ts";

Deno.test("divergenceSelectionMetrics: golden numpy/scipy values, all datasets and distances", () => {
  for (const c of SELECTION_CASES) {
    const msg = `${c.dataset}/${c.distance}`;
    const opts = { distance: c.distance, bins: c.bins, chunks: c.chunks };
    const m = divergenceSelectionMetrics(selectionTriplets(c.dataset), opts);
    assert.equal(m.supportOverlap, c.divergence.supportOverlap, `${msg} overlap`);
    assertClose(m.driftMagnitude, c.divergence.driftMagnitude, 1e-10, 1e-13, `${msg} drift`);
    // Pearson kurtosis = scipy.stats.kurtosis(δ, fisher=False, bias=True).
    assertClose(m.kurtosis, c.scipyKurtosis, 1e-9, 0, `${msg} kurtosis`);
    // Smoothness = mean of scipy.stats.wasserstein_distance over consecutive chunk histograms.
    const meanW = c.transitions.reduce((s, w) => s + w, 0) / c.transitions.length;
    assertClose(m.smoothness, meanW, 1e-9, 1e-13, `${msg} smoothness`);
    assert.equal(c.transitions.length, Math.min(c.chunks, c.chosenDistances.length) - 1);
    // The lower-level entry point on the golden distances agrees.
    const low = divergenceSelectionMetricsFromDistances(c.chosenDistances, c.rejectedDistances, opts);
    assert.equal(low.supportOverlap, m.supportOverlap);
    assertClose(low.kurtosis, m.kurtosis, 1e-12);
    assertClose(low.smoothness, m.smoothness, 1e-12, 1e-15);
  }
});

Deno.test("divergenceSelectionMetrics: defaults are cosine, 20 bins, 10 chunks", () => {
  const t = selectionTriplets("separated");
  const c = SELECTION_CASES.find((x) => x.dataset === "separated" && x.distance === "cosine");
  assert.ok(c && c.bins === 20 && c.chunks === 10);
  const m = divergenceSelectionMetrics(t);
  assert.equal(m.supportOverlap, c.divergence.supportOverlap);
  assertClose(m.smoothness, c.divergence.smoothness, 1e-9);
});

Deno.test("supportOverlap: Jaccard of histogram supports on shared bins", () => {
  // Pooled range [0, 4], 4 bins [0,1) [1,2) [2,3) [3,4]: d+ in bins {0, 1}, d- in bins {1, 3} → 1/3.
  const m = divergenceSelectionMetricsFromDistances([0, 1.5], [1.2, 4], { bins: 4 });
  assertClose(m.supportOverlap, 1 / 3, 1e-15);
  // The right edge belongs to the last bin (numpy convention).
  assert.equal(divergenceSelectionMetricsFromDistances([0, 4], [4, 4], { bins: 4 }).supportOverlap, 0.5);
  // Identical samples → 1; all values equal → 1.
  assert.equal(divergenceSelectionMetricsFromDistances([0.1, 0.5], [0.5, 0.1]).supportOverlap, 1);
  assert.equal(divergenceSelectionMetricsFromDistances([0.2, 0.2], [0.2, 0.2]).supportOverlap, 1);
  // Disjoint → 0.
  assert.equal(divergenceSelectionMetricsFromDistances([0, 0.1], [0.9, 1]).supportOverlap, 0);
});

Deno.test("driftMagnitude and kurtosis: closed forms", () => {
  // δ = −1, +3 → mean 1; two-point symmetric distribution → kurtosis 1.
  const m = divergenceSelectionMetricsFromDistances([1, 5], [2, 2]);
  assert.equal(m.driftMagnitude, 1);
  assert.equal(m.kurtosis, 1);
  // δ = 0, 0, 0, 4: μ = 1, m2 = 3, m4 = (3·1 + 81)/4 = 21 → 21/9.
  const k = divergenceSelectionMetricsFromDistances([0, 0, 0, 4], [0, 0, 0, 0]);
  assertClose(k.kurtosis, 21 / 9, 1e-15);
  assert.equal(k.driftMagnitude, 1);
  // Drift is an absolute value.
  assert.equal(divergenceSelectionMetricsFromDistances([0, 0], [1, 3]).driftMagnitude, 2);
});

Deno.test("kurtosis: constant δ (scipy returns NaN) is defined as 0", () => {
  const m = divergenceSelectionMetricsFromDistances([0.3, 0.4, 0.5], [0.1, 0.2, 0.3]);
  assert.equal(m.kurtosis, 0);
  assert.equal(divergenceSelectionMetricsFromDistances([1], [1]).kurtosis, 0);
  assert.equal(divergenceSelectionMetricsFromDistances([2, 2], [1, 1]).kurtosis, 0);
});

Deno.test("smoothness: order matters, degenerate cases are 0, chunks clamp to n", () => {
  // δ alternating between two values: every chunk of 2 has the same histogram → 0.
  const alt = divergenceSelectionMetricsFromDistances([0, 1, 0, 1, 0, 1], [0, 0, 0, 0, 0, 0], { chunks: 3 });
  assert.equal(alt.smoothness, 0);
  // Sorted: chunks [0,0] [0,1] [1,1] with 2 bins (centers 0.25, 0.75): W1 = 0.25 twice → 0.25.
  const sorted = divergenceSelectionMetricsFromDistances([0, 0, 0, 1, 1, 1], [0, 0, 0, 0, 0, 0], {
    chunks: 3,
    bins: 2,
  });
  assertClose(sorted.smoothness, 0.25, 1e-15);
  // More chunks than pairs: one pair per chunk, δ = 0, 1, 0 with 2 bins → W1 0.5 twice.
  const many = divergenceSelectionMetricsFromDistances([0, 1, 0], [0, 0, 0], { chunks: 10, bins: 2 });
  assertClose(many.smoothness, 0.5, 1e-15);
  // A single pair: no transition.
  assert.equal(divergenceSelectionMetricsFromDistances([0.3], [0.1]).smoothness, 0);
  // Constant δ: identical histograms.
  assert.equal(
    divergenceSelectionMetricsFromDistances([1, 2, 3, 4], [0, 1, 2, 3], { chunks: 2 }).smoothness,
    0,
  );
});

Deno.test("smoothness: explicit trajectory, golden scipy value", () => {
  const m = divergenceSelectionMetricsFromDistances([0.1, 0.2], [0.3, 0.1], {
    trajectory: {
      distributions: SELECTION_TRAJECTORY.distributions,
      positions: SELECTION_TRAJECTORY.positions,
    },
  });
  assertClose(m.smoothness, SELECTION_TRAJECTORY.smoothness, 1e-10);
  // Default positions 0, 1, …: moving all mass one step per time → 1.
  const shift = divergenceSelectionMetricsFromDistances([0.1], [0.2], {
    trajectory: { distributions: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] },
  });
  assert.equal(shift.smoothness, 1);
  // Through the triplet entry point too.
  const t = selectionTriplets("drifting");
  const viaTriplets = divergenceSelectionMetrics(t, { trajectory: { distributions: [[1, 0], [0, 1]] } });
  assert.equal(viaTriplets.smoothness, 1);
});

Deno.test("divergence metrics: bad input names the argument", () => {
  const is = (re: RegExp) => (e: unknown): boolean => e instanceof RangeError && re.test(e.message);
  assert.throws(() => divergenceSelectionMetricsFromDistances([], []), is(/chosenDistances/));
  assert.throws(() => divergenceSelectionMetricsFromDistances([1, 2], [1]), is(/rejectedDistances/));
  assert.throws(() => divergenceSelectionMetricsFromDistances([1, NaN], [1, 1]), is(/chosenDistances\[1\]/));
  assert.throws(() => divergenceSelectionMetricsFromDistances([1], [1], { bins: 0 }), is(/options\.bins/));
  assert.throws(() => divergenceSelectionMetricsFromDistances([1], [1], { bins: 2.5 }), is(/options\.bins/));
  assert.throws(
    () => divergenceSelectionMetricsFromDistances([1], [1], { chunks: 1 }),
    is(/options\.chunks/),
  );
  assert.throws(
    () => divergenceSelectionMetricsFromDistances([1], [1], { trajectory: { distributions: [[1]] } }),
    is(/options\.trajectory\.distributions must hold at least 2/),
  );
  assert.throws(
    () =>
      divergenceSelectionMetricsFromDistances([1], [1], {
        trajectory: { distributions: [[1, 0], [0.5, 0.6]] },
      }),
    is(/options\.trajectory\.distributions\[1\]/),
  );
  assert.throws(
    () => divergenceSelectionMetricsFromDistances([1], [1], { trajectory: { distributions: [[1, 0], [1]] } }),
    is(/options\.trajectory\.distributions\[1\]/),
  );
  assert.throws(
    () =>
      divergenceSelectionMetricsFromDistances([1], [1], {
        trajectory: { distributions: [[1, 0], [0, 1]], positions: [0] },
      }),
    is(/options\.trajectory\.positions/),
  );
  assert.throws(() => divergenceSelectionMetrics([]), is(/triplets/));
  assert.throws(
    () => divergenceSelectionMetrics([{ prompt: [1, 0], chosen: [1, 1], rejected: [0] }]),
    is(/triplets\[0\]\.rejected/),
  );
});

const M = (
  supportOverlap: number,
  driftMagnitude: number,
  kurtosis: number,
  smoothness: number,
): DivergenceSelectionMetrics => ({ supportOverlap, driftMagnitude, kurtosis, smoothness });

Deno.test("selectDivergence: each of the six outcomes is reachable with the default thresholds", () => {
  const cases: [DivergenceSelectionMetrics, SelectableDivergence, number, string][] = [
    [M(0.8, 0.5, 5, 0.2), "bhattacharyya", 1, "support overlap 0.8 > ε₁ 0.6 → Bhattacharyya (rule 1)"],
    [M(0.5, 0.45, 5, 0.2), "wasserstein", 2, "drift magnitude 0.45 > ε₂ 0.3 → Wasserstein (rule 2)"],
    [M(0.5, 0.1, 4.2, 0.2), "renyi", 3, "kurtosis 4.2 > ε₃ 3 → Rényi (rule 3)"],
    [
      M(0.2, 0.1, 2.5, 0.01),
      "js",
      4,
      "support overlap 0.2 < lowOverlap 0.3 and kurtosis 2.5 ≤ ε₃ 3 → Jensen–Shannon (rule 4)",
    ],
    [
      M(0.5, 0.1, 2.5, 0.01),
      "hellinger",
      5,
      "smoothness 0.01 < lowSmoothness 0.05 and kurtosis 2.5 ≤ ε₃ 3 → Hellinger (rule 5)",
    ],
    [
      M(0.5, 0.1, 2.5, 0.2),
      "kl",
      6,
      "no earlier case holds (overlap 0.5 in [lowOverlap 0.3, ε₁ 0.6], drift 0.1 ≤ ε₂ 0.3, kurtosis 2.5 ≤ ε₃ 3, " +
      "smoothness 0.2 ≥ lowSmoothness 0.05) → KL (rule 6)",
    ],
  ];
  const seen = new Set<string>();
  for (const [m, divergence, rule, reason] of cases) {
    const s = selectDivergence(m);
    assert.equal(s.divergence, divergence);
    assert.equal(s.rule, rule);
    assert.equal(s.reason, reason);
    assert.equal(DIVERGENCE_SELECTION_RULES[rule - 1]?.divergence, divergence);
    seen.add(s.divergence);
  }
  assert.equal(seen.size, 6);
});

Deno.test("selectDivergence: boundaries", () => {
  const D = DEFAULT_DIVERGENCE_SELECTION_THRESHOLDS;
  assert.equal(selectDivergence(M(D.epsilon1, 0.1, 2, 0.2)).divergence, "kl"); // overlap = ε₁: not > ε₁
  assert.equal(selectDivergence(M(0.5, D.epsilon2, 2, 0.2)).divergence, "kl"); // drift = ε₂
  assert.equal(selectDivergence(M(0.5, 0.1, D.epsilon3, 0.2)).divergence, "kl"); // kurtosis = ε₃ is "low"
  assert.equal(selectDivergence(M(D.lowOverlap, 0.1, 2, 0.2)).divergence, "kl"); // overlap = lowOverlap
  assert.equal(selectDivergence(M(0.5, 0.1, 2, D.lowSmoothness)).divergence, "kl"); // smoothness = lowSmoothness
  assert.equal(selectDivergence(M(0.5, 0.1, D.epsilon3, 0.01)).divergence, "hellinger");
  assert.equal(selectDivergence(M(0.29, 0.1, D.epsilon3, 0.2)).divergence, "js");
  // First match wins: high overlap beats drift and kurtosis.
  assert.equal(selectDivergence(M(0.61, 10, 10, 0)).divergence, "bhattacharyya");
  // Custom thresholds.
  assert.equal(selectDivergence(M(0.5, 0.1, 2, 0.2), { lowSmoothness: 0.3 }).divergence, "hellinger");
  assert.equal(
    selectDivergence(M(0.5, 0.1, 2, 0.2), { epsilon1: 0.4, lowOverlap: 0.2 }).divergence,
    "bhattacharyya",
  );
});

Deno.test("selectDivergence: the literal cascade of Sec. 5.2 is degenerate", () => {
  // Read literally, "overlap is low" = not (overlap > ε₁) and "kurtosis is low" = not (kurtosis > ε₃): once
  // rules 1–3 have failed, rule 4 always holds, so Hellinger and KL are never chosen.
  const e1 = 0.6;
  const e2 = 0.3;
  const e3 = 3;
  const literal: { name: SelectableDivergence; test: (m: DivergenceSelectionMetrics) => boolean }[] = [
    { name: "bhattacharyya", test: (m) => m.supportOverlap > e1 },
    { name: "wasserstein", test: (m) => m.driftMagnitude > e2 },
    { name: "renyi", test: (m) => m.kurtosis > e3 },
    { name: "js", test: (m) => m.supportOverlap <= e1 && m.kurtosis <= e3 },
    { name: "hellinger", test: (m) => m.smoothness < 0.05 && m.kurtosis <= e3 },
    { name: "kl", test: () => true },
  ];
  const literalOutcomes = new Set<string>();
  const ourOutcomes = new Set<string>();
  for (const overlap of [0, 0.1, 0.3, 0.45, 0.6, 0.61, 0.9, 1]) {
    for (const drift of [0, 0.2, 0.3, 0.5]) {
      for (const kurt of [1, 2.5, 3, 3.5, 9]) {
        for (const smooth of [0, 0.01, 0.05, 0.2, 2]) {
          const m = M(overlap, drift, kurt, smooth);
          literalOutcomes.add(literal.find((r) => r.test(m))?.name ?? "none");
          ourOutcomes.add(selectDivergence(m).divergence);
        }
      }
    }
  }
  assert.deepEqual([...literalOutcomes].sort(), ["bhattacharyya", "js", "renyi", "wasserstein"]);
  assert.deepEqual([...ourOutcomes].sort(), [
    "bhattacharyya",
    "hellinger",
    "js",
    "kl",
    "renyi",
    "wasserstein",
  ]);
  // Setting lowOverlap = ε₁ comes close to the literal reading: only overlap exactly ε₁ escapes JS.
  assert.equal(selectDivergence(M(0.59, 0.1, 2, 0.2), { lowOverlap: 0.6 }).divergence, "js");
  assert.equal(selectDivergence(M(0.59, 0.1, 2, 0.01), { lowOverlap: 0.6 }).divergence, "js");
});

Deno.test("selectDivergence: on the golden datasets", () => {
  const pick = (ds: string, dist: string): string => {
    const c = SELECTION_CASES.find((x) => x.dataset === ds && x.distance === dist);
    if (!c) throw new Error("missing case");
    return selectDivergence(c.divergence).divergence;
  };
  assert.equal(pick("separated", "euclidean"), "wasserstein");
  assert.equal(pick("heavyTailed", "cosine"), "renyi");
});

Deno.test("selectDivergence: bad metrics and thresholds name the argument", () => {
  const is = (re: RegExp) => (e: unknown): boolean => e instanceof RangeError && re.test(e.message);
  const m = M(0.5, 0.1, 2, 0.2);
  assert.throws(() => selectDivergence({ ...m, supportOverlap: 1.2 }), is(/metrics\.supportOverlap/));
  assert.throws(() => selectDivergence({ ...m, kurtosis: NaN }), is(/metrics\.kurtosis/));
  assert.throws(() => selectDivergence({ ...m, smoothness: -1 }), is(/metrics\.smoothness/));
  assert.throws(() => selectDivergence({ ...m, driftMagnitude: Infinity }), is(/metrics\.driftMagnitude/));
  assert.throws(() => selectDivergence(m, { epsilon2: -1 }), is(/thresholds\.epsilon2/));
  assert.throws(() => selectDivergence(m, { epsilon1: 1.5 }), is(/thresholds\.epsilon1/));
  assert.throws(() => selectDivergence(m, { lowOverlap: 0.7 }), is(/thresholds\.lowOverlap/));
  assert.throws(() => selectDivergence(m, { lowSmoothness: NaN }), is(/thresholds\.lowSmoothness/));
  assert.throws(() => selectDivergence(undefined as unknown as DivergenceSelectionMetrics), TypeError);
});
