import { selectionTriplets } from "./_fixtures.ts";
import { assert, assertAllClose, assertClose } from "./_assert.ts";
import { SELECTION_CASES } from "./golden/selection_values.ts";
import {
  DEFAULT_KERNEL_SELECTION_THRESHOLDS,
  KERNEL_SELECTION_RULES,
  kernelSelectionMetrics,
  PND_EPSILON,
  selectKernel,
  tripletDistances,
} from "../lib/selection/mod.ts";

Deno.test("kernelSelectionMetrics: golden numpy/scipy values, all datasets and distances", () => {
  for (const c of SELECTION_CASES) {
    const t = selectionTriplets(c.dataset);
    const msg = `${c.dataset}/${c.distance}`;
    const d = tripletDistances(t, { distance: c.distance });
    assertAllClose(d.chosen, c.chosenDistances, 1e-12, 1e-14, `${msg} d+`);
    assertAllClose(d.rejected, c.rejectedDistances, 1e-12, 1e-14, `${msg} d-`);
    const m = kernelSelectionMetrics(t, { distance: c.distance });
    for (const key of ["pnd", "pndRatio", "pnav", "tat", "nag"] as const) {
      assertClose(m[key], c.kernel[key], 1e-10, 1e-13, `${msg} ${key}`);
    }
  }
});

Deno.test("kernelSelectionMetrics: default distance is cosine", () => {
  const t = selectionTriplets("drifting");
  assert.deepEqual(kernelSelectionMetrics(t), kernelSelectionMetrics(t, { distance: "cosine" }));
});

Deno.test("kernelSelectionMetrics: PND is the absolute mean log-ratio, 0 when balanced", () => {
  // Balanced: d+ = d- in every pair → PND 0, ratio 1, NAG 0, PNAV 0.
  const balanced = kernelSelectionMetrics(
    [{ prompt: [0, 0], chosen: [1, 0], rejected: [0, 1] }, {
      prompt: [0, 0],
      chosen: [0, 2],
      rejected: [2, 0],
    }],
    { distance: "euclidean" },
  );
  assert.equal(balanced.pnd, 0);
  assert.equal(balanced.pndRatio, 1);
  assert.equal(balanced.nag, 0);
  assert.equal(balanced.pnav, 0);
  assertClose(balanced.tat, Math.SQRT2 / 2, 1e-15);
  // Imbalance in either direction gives the same PND.
  const closer = kernelSelectionMetrics([{ prompt: [0], chosen: [1], rejected: [4] }], {
    distance: "euclidean",
  });
  const farther = kernelSelectionMetrics([{ prompt: [0], chosen: [4], rejected: [1] }], {
    distance: "euclidean",
  });
  assertClose(closer.pnd, Math.log(4), 1e-15);
  assertClose(farther.pnd, Math.log(4), 1e-15);
  assert.equal(closer.pndRatio, 0.25);
  assert.equal(farther.pndRatio, 4);
  assertClose(closer.nag, 0.6, 1e-15);
  assertClose(farther.nag, -0.6, 1e-15);
  // Opposite imbalances cancel in PND (systematic imbalance only) but not in PNAV.
  const mixed = kernelSelectionMetrics(
    [{ prompt: [0], chosen: [1], rejected: [4] }, { prompt: [0], chosen: [4], rejected: [1] }],
    { distance: "euclidean" },
  );
  assertClose(mixed.pnd, 0, 0, 1e-15);
  assert.equal(mixed.pnav, 9);
});

Deno.test("kernelSelectionMetrics: zero distances are floored at PND_EPSILON, 0/0 terms count as 0", () => {
  const m = kernelSelectionMetrics(
    [
      { prompt: [1, 0], chosen: [1, 0], rejected: [0, 1] }, // d+ = 0, d- = √2
      { prompt: [2, 2], chosen: [2, 2], rejected: [2, 2] }, // d+ = d- = d(y+, y-) = 0
    ],
    { distance: "euclidean" },
  );
  assertClose(m.pnd, Math.abs(Math.log(PND_EPSILON / Math.SQRT2)) / 2, 1e-14);
  assertClose(m.pndRatio, PND_EPSILON / Math.SQRT2 / 2 + 0.5, 1e-14);
  assert.equal(m.tat, 0.5); // (√2/√2 + 0) / 2
  assert.equal(m.nag, 0.5); // (1 + 0) / 2
  assertClose(m.pnav, 1, 1e-15);
  assert.ok(Number.isFinite(m.pnd));
  // A custom non-metric distance with d(y+, y-) > 0 but d+ = d- = 0 leaves TAT undefined.
  assert.throws(
    () =>
      kernelSelectionMetrics([{ prompt: [0], chosen: [1], rejected: [2] }], {
        distance: (a, b) => ((a[0] as number) === 0 || (b[0] as number) === 0 ? 0 : 1),
      }),
    (e: unknown) => e instanceof RangeError && /triplets\[0\]: TAT is undefined/.test(e.message),
  );
});

Deno.test("kernelSelectionMetrics: TAT in [0, 1] under euclidean, can exceed 1 under cosine", () => {
  // x between y+ and y- on a line: TAT = 1 (euclidean), 2 (squared euclidean).
  const line = [{ prompt: [1, 1], chosen: [2, 1], rejected: [0, 1] }];
  assert.equal(kernelSelectionMetrics(line, { distance: "euclidean" }).tat, 1);
  assert.equal(kernelSelectionMetrics(line, { distance: "squared-euclidean" }).tat, 2);
  // y+ at 0°, x at 60°, y- at 120°: cosine distances 0.5, 0.5, 1.5 → TAT 1.5.
  const c = (deg: number): number[] => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)];
  const angles = kernelSelectionMetrics([{ prompt: c(60), chosen: c(0), rejected: c(120) }]);
  assertClose(angles.tat, 1.5, 1e-12);
  for (const cs of SELECTION_CASES) {
    if (cs.distance === "euclidean") assert.ok(cs.kernel.tat >= 0 && cs.kernel.tat <= 1);
  }
  // The golden "drifting" dataset under cosine already exceeds 1 on average.
  const drift = SELECTION_CASES.find((x) => x.dataset === "drifting" && x.distance === "cosine");
  assert.ok((drift?.kernel.tat ?? 0) > 1);
});

Deno.test("kernelSelectionMetrics: bad input", () => {
  assert.throws(() => kernelSelectionMetrics([]), RangeError);
  assert.throws(
    () =>
      kernelSelectionMetrics([
        { prompt: [1, 0], chosen: [1, 1], rejected: [0, 1] },
        { prompt: [1, 0], chosen: [1, 1], rejected: [0, Infinity] },
      ]),
    (e: unknown) => e instanceof RangeError && /triplets\[1\]\.rejected\[1\]/.test(e.message),
  );
  assert.throws(
    () =>
      kernelSelectionMetrics([{ prompt: [1, 0], chosen: [1, 1], rejected: [0, 1] }], {
        distance: "l1" as "cosine",
      }),
    (e: unknown) => e instanceof RangeError && /options\.distance/.test(e.message),
  );
});

const D = DEFAULT_KERNEL_SELECTION_THRESHOLDS;

Deno.test("selectKernel: each rule fires, in the paper's order", () => {
  const cases: [{ pnd: number; pnav: number; tat: number; nag: number }, string, number][] = [
    [{ pnd: 0.5, pnav: 0.61, tat: 0.22, nag: 0.3 }, "rbf", 1],
    [{ pnd: 0.01, pnav: 0.1, tat: 0.8, nag: 0.02 }, "polynomial", 2], // also Mahalanobis & Spectral: 2 wins
    [{ pnd: 0.3, pnav: 0.1, tat: 0.8, nag: 0.2 }, "mahalanobis", 3],
    [{ pnd: 0.05, pnav: 0.3, tat: 0.8, nag: -0.2 }, "spectral", 4],
    [{ pnd: 0.3, pnav: 0.3, tat: 0.5, nag: -0.1 }, "hmk", 5],
  ];
  for (const [m, kernel, rule] of cases) {
    const s = selectKernel(m);
    assert.equal(s.kernel, kernel, s.reason);
    assert.equal(s.rule, rule);
    assert.equal(KERNEL_SELECTION_RULES[rule - 1]?.kernel, kernel);
  }
  // RBF beats Mahalanobis when both hold (PNAV > ε₁ rules out PNAV < ε₃ only if ε₃ < ε₁: lower ε₁).
  assert.equal(selectKernel({ pnd: 0.5, pnav: 0.15, tat: 0.1, nag: 0.3 }, { epsilon1: 0.1 }).kernel, "rbf");
});

Deno.test("selectKernel: reasons carry the numbers and thresholds", () => {
  assert.equal(
    selectKernel({ pnd: 0.5, pnav: 0.61, tat: 0.22, nag: 0.3 }).reason,
    "PNAV 0.61 > ε₁ 0.5 and TAT 0.22 < ε₂ 0.3 → RBF (rule 1)",
  );
  assert.equal(
    selectKernel({ pnd: 0.01, pnav: 0.1, tat: 0.8, nag: -0.02 }).reason,
    "|NAG| 0.02 < approxZero 0.05 and PND 0.01 < approxZero 0.05 (NAG ≈ 0 and PND ≈ 0) → Polynomial (rule 2)",
  );
  assert.equal(
    selectKernel({ pnd: 0.3, pnav: 0.1, tat: 0.8, nag: 0.2 }).reason,
    "NAG 0.2 > 0 and PNAV 0.1 < ε₃ 0.2 → Mahalanobis (rule 3)",
  );
  assert.equal(
    selectKernel({ pnd: 0.05, pnav: 0.3, tat: 0.8, nag: -0.2 }).reason,
    "TAT 0.8 > ε₄ 0.7 and PND 0.05 < ε₅ 0.1 → Spectral (rule 4)",
  );
  assert.equal(
    selectKernel({ pnd: 0.3, pnav: 0.3, tat: 0.5, nag: -0.1 }).reason,
    "no case of Sec. 5.1 holds (PNAV 0.3, TAT 0.5, NAG -0.1, PND 0.3) → HMK (rule 5, fallback)",
  );
  // Values close to a threshold get enough digits not to print equal to it.
  assert.match(
    selectKernel({ pnd: 0.5, pnav: 0.500001, tat: 0.1, nag: 0 }).reason,
    /^PNAV 0\.500001 > ε₁ 0\.5/,
  );
});

Deno.test("selectKernel: boundaries are strict", () => {
  // Rule 1 at PNAV = ε₁ or TAT = ε₂ does not fire.
  assert.notEqual(selectKernel({ pnd: 0.5, pnav: D.epsilon1, tat: 0.1, nag: -0.5 }).kernel, "rbf");
  assert.notEqual(selectKernel({ pnd: 0.5, pnav: 0.9, tat: D.epsilon2, nag: -0.5 }).kernel, "rbf");
  // Rule 2 at |NAG| = approxZero or PND = approxZero does not fire.
  assert.notEqual(selectKernel({ pnd: 0.01, pnav: 0.3, tat: 0.5, nag: -D.approxZero }).kernel, "polynomial");
  assert.notEqual(selectKernel({ pnd: D.approxZero, pnav: 0.3, tat: 0.5, nag: 0 }).kernel, "polynomial");
  assert.equal(selectKernel({ pnd: 0.049, pnav: 0.3, tat: 0.5, nag: -0.049 }).kernel, "polynomial");
  // Rule 3: NAG = 0 or PNAV = ε₃ does not fire; NAG < 0 does not fire (the equation's NAG > 0).
  assert.notEqual(selectKernel({ pnd: 0.3, pnav: 0.1, tat: 0.5, nag: 0 }).kernel, "mahalanobis");
  assert.notEqual(selectKernel({ pnd: 0.3, pnav: D.epsilon3, tat: 0.5, nag: 0.3 }).kernel, "mahalanobis");
  assert.equal(selectKernel({ pnd: 0.3, pnav: 0.1, tat: 0.5, nag: -0.3 }).kernel, "hmk");
  // Rule 4: TAT = ε₄ or PND = ε₅ does not fire.
  assert.equal(selectKernel({ pnd: 0.05, pnav: 0.3, tat: D.epsilon4, nag: -0.2 }).kernel, "hmk");
  assert.equal(selectKernel({ pnd: D.epsilon5, pnav: 0.3, tat: 0.9, nag: -0.2 }).kernel, "hmk");
});

Deno.test("selectKernel: custom thresholds", () => {
  const m = { pnd: 0.3, pnav: 0.3, tat: 0.5, nag: -0.1 };
  assert.equal(selectKernel(m).kernel, "hmk");
  assert.equal(selectKernel(m, { epsilon1: 0.2, epsilon2: 0.6 }).kernel, "rbf");
  assert.equal(selectKernel(m, { approxZero: 0.5 }).kernel, "polynomial");
  assert.equal(selectKernel(m, { epsilon4: 0.4, epsilon5: 0.4 }).kernel, "spectral");
});

Deno.test("selectKernel: on the golden datasets", () => {
  const pick = (ds: string, dist: string): string => {
    const c = SELECTION_CASES.find((x) => x.dataset === ds && x.distance === dist);
    if (!c) throw new Error("missing case");
    return selectKernel(c.kernel).kernel;
  };
  assert.equal(pick("heavyTailed", "cosine"), "mahalanobis");
  assert.equal(pick("separated", "euclidean"), "hmk");
});

Deno.test("selectKernel: bad metrics and thresholds name the argument", () => {
  const m = { pnd: 0.3, pnav: 0.3, tat: 0.5, nag: -0.1 };
  assert.throws(
    () => selectKernel({ ...m, tat: NaN }),
    (e: unknown) => e instanceof RangeError && /metrics\.tat/.test(e.message),
  );
  assert.throws(
    () => selectKernel({ ...m, pnd: -1 }),
    (e: unknown) => e instanceof RangeError && /metrics\.pnd/.test(e.message),
  );
  assert.throws(
    () => selectKernel({ ...m, nag: 1.5 }),
    (e: unknown) => e instanceof RangeError && /metrics\.nag/.test(e.message),
  );
  assert.throws(
    () => selectKernel(m, { epsilon1: -0.5 }),
    (e: unknown) => e instanceof RangeError && /thresholds\.epsilon1.*-0\.5/.test(e.message),
  );
  assert.throws(
    () => selectKernel(m, { approxZero: Infinity }),
    (e: unknown) => e instanceof RangeError && /thresholds\.approxZero/.test(e.message),
  );
  assert.throws(() => selectKernel(null as unknown as typeof m), TypeError);
});
