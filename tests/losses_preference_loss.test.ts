import {
  implicitScore,
  KERNEL_NAMES,
  KERNELS,
  LOSSES,
  type LossName,
  preferenceLoss,
  preferenceLossBatch,
  type PreferenceLossOptions,
  type PreferencePair,
} from "../mod.ts";
import { assert, assertClose, finiteDifference } from "./_assert.ts";
import * as golden from "./golden/kernels_losses_values.ts";

const SPEC = { components: golden.spectralComponents, damping: 0.4 };
const KERNEL_OPTIONS: PreferenceLossOptions = {
  polynomial: { degree: 3, offset: 0.5 },
  rbf: { sigma: 0.7 },
  mahalanobis: { variance: 2.5 },
  spectral: SPEC,
};
const DIVERGENCE_OPTIONS: Record<string, PreferenceLossOptions> = {
  kl: {},
  "forward-kl": {},
  js: {},
  hellinger: {},
  renyi: { alpha: 0.3 },
};

Deno.test("every loss matches its direct definition (scipy log_expit, TRL formulas) for every divergence", () => {
  let i = 0;
  for (const pair of golden.lossPairs) {
    for (const _ of Object.keys(DIVERGENCE_OPTIONS)) {
      const row = golden.lossCases[i++] as Record<string, number | string>;
      const divergence = row.divergence as string;
      const base = { beta: 0.2, divergence, ...DIVERGENCE_OPTIONS[divergence], ...KERNEL_OPTIONS };
      const check = (loss: LossName, expected: number, extra: PreferenceLossOptions = {}) => {
        const got = preferenceLoss(pair, { ...base, loss, ...extra });
        assertClose(got.loss, expected, 1e-10, 1e-13, `${loss}/${divergence}/pair ${i}`);
      };
      assertClose(preferenceLoss(pair, { ...base }).margin, row.margin as number, 1e-12, 1e-14, "margin");
      check("dpo", row.dpo as number);
      check("hybrid", row.hybrid as number, { gamma: 0.5 });
      check("ipo", row.ipo as number);
      check("ipo-sum", row.ipoSum as number);
      check("hinge", row.hinge as number);
      check("robust", row.robust as number, { labelSmoothing: 0.1 });
      check("dpo", row.cdpo as number, { labelSmoothing: 0.1 });
      check("poly", row.poly as number);
      check("rbf", row.rbf as number);
      check("mahalanobis", row.mahalanobis as number);
      check("spectral", row.spectral as number);
      check("mixture", row.mixture as number, { mixtureLogits: [0.3, -0.2, 0.1, 0.5] });
    }
  }
});

const PAIR: PreferencePair = {
  policyChosen: -20,
  policyRejected: -23,
  referenceChosen: -21,
  referenceRejected: -22,
  embeddingMargin: 0.4,
  chosenTokens: 7,
  rejectedTokens: 5,
};

Deno.test("γ = 0 hybrid and the linear/degree-1 kernels give DPO exactly; wide kernels give DPO in the limit", () => {
  for (const z of [-3, -0.5, 0, 0.2, 4]) {
    const pair = { ...PAIR, policyChosen: -21 + z };
    const dpo = preferenceLoss(pair, { loss: "dpo" }).loss;
    assert.equal(preferenceLoss(pair, { loss: "hybrid", gamma: 0 }).loss, dpo);
    assertClose(
      preferenceLoss(pair, { loss: "poly", polynomial: { degree: 1, offset: 1 } }).loss,
      dpo,
      1e-14,
    );
    assertClose(preferenceLoss(pair, { loss: "rbf", rbf: { sigma: 1e5 } }).loss, dpo, 1e-9);
    assertClose(
      preferenceLoss(pair, { loss: "mahalanobis", mahalanobis: { variance: 1e10 } }).loss,
      dpo,
      1e-9,
    );
    const wideSpectral = { components: [{ weight: 1, lengthscale: 1e5, frequency: 0 }], damping: 0 };
    assertClose(preferenceLoss(pair, { loss: "spectral", spectral: wideSpectral }).loss, dpo, 1e-9);
    const wide = { rbf: { sigma: 1e5 }, mahalanobis: { variance: 1e10 }, spectral: wideSpectral };
    assertClose(
      preferenceLoss(pair, { loss: "mixture", polynomial: { degree: 1, offset: 1 }, ...wide }).loss,
      dpo,
      1e-9,
    );
  }
});

Deno.test("every kernel loss equals DPO to first order at indifference", () => {
  const pair = { ...PAIR, policyChosen: -21, policyRejected: -22 }; // z_w = z_l = 0
  const dpo = preferenceLoss(pair, { loss: "dpo" });
  for (const loss of ["poly", "rbf", "spectral", "mahalanobis", "mixture", "hmk"] as const) {
    const r = preferenceLoss(pair, { loss, ...KERNEL_OPTIONS, entropyWeight: 0 });
    assertClose(r.loss, dpo.loss, 1e-15, 0, loss);
    assertClose(r.gradChosen, dpo.gradChosen, 1e-12, 0, loss);
  }
});

const KERNEL_LOSSES: LossName[] = [
  "dpo",
  "hybrid",
  "robust",
  "hinge",
  ...KERNEL_NAMES.map((k) => KERNELS[k].loss),
  "mixture",
  "hmk",
];

Deno.test("kernel losses never increase when the chosen log-prob rises (property, every divergence)", () => {
  for (const loss of KERNEL_LOSSES) {
    for (const [divergence, extra] of Object.entries(DIVERGENCE_OPTIONS)) {
      let previous = Infinity;
      for (let lw = -60; lw <= 40; lw += 0.25) {
        const r = preferenceLoss({ ...PAIR, policyChosen: lw }, {
          loss: loss as LossName,
          beta: 0.5,
          divergence,
          ...extra,
          ...KERNEL_OPTIONS,
          mixtureLogits: [2, -1, 0.5, 0],
          hmkLogits: { tau: [0.5, -0.5], local: [1, 0], global: [0, 2] },
        });
        assert.ok(r.loss <= previous + 1e-12, `${loss}/${divergence}: loss rose at ℓ_w = ${lw}`);
        assert.ok(r.gradChosen <= 1e-15, `${loss}/${divergence}: ∂loss/∂ℓ_w = ${r.gradChosen} > 0 at ${lw}`);
        previous = r.loss;
      }
    }
  }
});

Deno.test("the spectral loss is monotone inside ρω²ℓ² ≤ π(1 − ρ) and oscillates outside it", () => {
  const scan = (frequency: number) => {
    let rises = 0;
    let previous = Infinity;
    for (let lw = -21; lw <= 40; lw += 0.05) {
      const options = { components: [{ weight: 1, lengthscale: 1, frequency }], damping: 0.5 };
      const r = preferenceLoss({ ...PAIR, policyChosen: lw }, {
        loss: "spectral",
        beta: 1,
        spectral: options,
      });
      if (r.loss > previous + 1e-12) rises++;
      previous = r.loss;
    }
    return rises;
  };
  const edge = Math.sqrt(Math.PI) / (2 * Math.PI); // ω² = π(1 − ρ)/ρ = π at ρ = ½, ℓ = 1
  assert.equal(scan(edge * 0.999), 0);
  assert.ok(scan(3 * edge) > 0, "outside the domain the loss should rise somewhere");
});

Deno.test("losses and gradients stay finite for log-prob margins of ±1e4", () => {
  for (const loss of Object.keys(LOSSES) as LossName[]) {
    for (const [divergence, extra] of Object.entries(DIVERGENCE_OPTIONS)) {
      for (const [lw, ll] of [[1e4, -1e4], [-1e4, 1e4], [1e4, 1e4], [-1e4, -1e4]] as const) {
        const r = preferenceLoss(
          { ...PAIR, policyChosen: lw, policyRejected: ll, referenceChosen: 0, referenceRejected: 0 },
          { loss, beta: 1, divergence, ...extra, ...KERNEL_OPTIONS, sftWeight: 0.1 },
        );
        for (const [k, v] of Object.entries(r)) {
          if (typeof v === "number") {
            assert.ok(!Number.isNaN(v), `${loss}/${divergence} ${k} is NaN at ${lw},${ll}`);
          }
        }
        assert.ok(Number.isFinite(r.gradChosen) && Number.isFinite(r.gradRejected), `${loss}/${divergence}`);
        if (loss !== "ipo") assert.ok(Number.isFinite(r.loss), `${loss}/${divergence} loss at ${lw},${ll}`);
      }
    }
  }
});

Deno.test("analytic gradients match central finite differences (every loss × divergence)", () => {
  const points: PreferencePair[] = [
    PAIR,
    { ...PAIR, policyChosen: -26, policyRejected: -19 },
    { ...PAIR, policyChosen: -21.01, policyRejected: -21.99 },
  ];
  for (const loss of Object.keys(LOSSES) as LossName[]) {
    for (const [divergence, extra] of Object.entries(DIVERGENCE_OPTIONS)) {
      for (const pair of points) {
        const options: PreferenceLossOptions = {
          loss,
          beta: 0.3,
          divergence,
          ...extra,
          ...KERNEL_OPTIONS,
          labelSmoothing: loss === "robust" ? 0.1 : 0,
          sftWeight: 0.05,
          mixtureLogits: [0.4, -0.3, 0.2, 0],
          hmkLogits: { tau: [0.3, -0.2], local: [0.1, 0.5], global: [-0.4, 0.2] },
        };
        const r = preferenceLoss(pair, options);
        const fw = (x: number) => preferenceLoss({ ...pair, policyChosen: x }, options).loss;
        const fl = (x: number) => preferenceLoss({ ...pair, policyRejected: x }, options).loss;
        const tag = `${loss}/${divergence} at ${pair.policyChosen},${pair.policyRejected}`;
        if (loss === "hinge") continue; // piecewise linear: checked below away from the kink
        assertClose(r.gradChosen, finiteDifference(fw, pair.policyChosen, 1e-5), 1e-5, 1e-8, `${tag} ∂ℓ_w`);
        assertClose(
          r.gradRejected,
          finiteDifference(fl, pair.policyRejected, 1e-5),
          1e-5,
          1e-8,
          `${tag} ∂ℓ_l`,
        );
      }
    }
  }
  const hinge = preferenceLoss(PAIR, { loss: "hinge", beta: 0.1 });
  assertClose(hinge.gradChosen, -0.1, 1e-15);
  assertClose(hinge.gradRejected, 0.1, 1e-15);
});

Deno.test("mixture and HMK gradients with respect to their logits match finite differences", () => {
  const base: PreferenceLossOptions = { beta: 0.7, ...KERNEL_OPTIONS };
  for (const pair of [PAIR, { ...PAIR, policyChosen: -15 }, { ...PAIR, policyChosen: -30 }]) {
    const flat = [0.4, -0.3, 0.2, 0];
    const r = preferenceLoss(pair, { ...base, loss: "mixture", mixtureLogits: flat, entropyWeight: 0.1 });
    flat.forEach((_, j) => {
      const f = (x: number) =>
        preferenceLoss(pair, {
          ...base,
          loss: "mixture",
          mixtureLogits: flat.map((v, k) => (k === j ? x : v)),
          entropyWeight: 0.1,
        }).loss;
      assertClose(r.gradLogits?.[j] ?? NaN, finiteDifference(f, flat[j] as number), 1e-5, 1e-9, `flat ${j}`);
    });
    const six = [0.3, -0.2, 0.1, 0.5, -0.4, 0.2];
    const hmk = (v: number[]) => ({
      tau: v.slice(0, 2),
      local: v.slice(2, 4),
      global: v.slice(4, 6),
    });
    const h = preferenceLoss(pair, { ...base, loss: "hmk", hmkLogits: hmk(six) });
    six.forEach((_, j) => {
      const f = (x: number) =>
        preferenceLoss(pair, { ...base, loss: "hmk", hmkLogits: hmk(six.map((v, k) => (k === j ? x : v))) })
          .loss;
      assertClose(h.gradLogits?.[j] ?? NaN, finiteDifference(f, six[j] as number), 1e-5, 1e-9, `hmk ${j}`);
    });
  }
});

Deno.test("the flat mixture's gradient favours the kernel with the largest margin (the collapse of Fig. 5)", () => {
  const r = preferenceLoss({ ...PAIR, policyChosen: -10 }, { loss: "mixture", beta: 1, ...KERNEL_OPTIONS });
  const g = r.gradLogits as number[];
  // Gradient descent raises the logit with the most negative gradient: the polynomial's, which grows fastest.
  assert.equal(g.indexOf(Math.min(...g)), 0);
  const h = preferenceLoss({ ...PAIR, policyChosen: -10 }, { loss: "hmk", beta: 1, ...KERNEL_OPTIONS });
  assert.ok((h.entropy ?? 0) > 0 && h.weights !== undefined);
});

Deno.test("f-DPO scores: Rényi and Bhattacharyya map to α-divergence scores; TV, χ², Wasserstein point to explicit", () => {
  assertClose(implicitScore("bhattacharyya").value(0.8), implicitScore("hellinger").value(0.8), 0);
  assertClose(
    implicitScore("renyi", { alpha: 0.3 }).value(0.8),
    implicitScore("alpha", { alpha: 0.7 }).value(0.8),
    0,
  );
  assertClose(implicitScore("f", { f: "kl" }).value(0.8), 0.8, 0);
  assertClose(implicitScore("f", { f: "reverse-kl" }).value(0.8), -Math.expm1(-0.8), 1e-15);
  assertClose(
    implicitScore("f", { f: "alpha", alpha: 0.3 }).value(0.8),
    implicitScore("alpha", { alpha: 0.7 }).value(0.8),
  );
  for (const name of ["wasserstein"]) assert.throws(() => implicitScore(name), /explicit/);
  for (const f of ["total-variation", "chi-squared"]) {
    assert.throws(() => implicitScore("f", { f }), /explicit/);
  }
  assert.throws(() => implicitScore("nope"), /divergence must be one of/);
  assert.throws(() => implicitScore("renyi", { alpha: 1.5 }), /Rényi order/);
});

Deno.test("bad options and inputs are errors that name the field", () => {
  assert.throws(() => preferenceLoss(PAIR, { loss: "nope" as LossName }), /options.loss must be one of/);
  assert.throws(() => preferenceLoss(PAIR, { beta: 0 }), /options.beta/);
  assert.throws(() => preferenceLoss(PAIR, { gamma: -1 }), /options.gamma/);
  assert.throws(() => preferenceLoss(PAIR, { labelSmoothing: 0.5 }), /options.labelSmoothing/);
  assert.throws(
    () => preferenceLoss({ ...PAIR, embeddingMargin: undefined }, { loss: "hybrid" }),
    /embeddingMargin/,
  );
  assert.throws(() => preferenceLoss({ ...PAIR, chosenTokens: 0 }, { sftWeight: 1 }), /chosenTokens/);
  assert.throws(() => preferenceLoss({ ...PAIR, policyChosen: Number.NaN }), /pair.policyChosen/);
  assert.throws(() => preferenceLoss(PAIR, { loss: "poly", polynomial: { degree: 0.5 } }), /options.degree/);
  assert.throws(() => preferenceLoss(PAIR, { divergence: "wasserstein" }), /explicit/);
  assert.throws(() => preferenceLossBatch([]), /pairs must be a non-empty/);
  assert.throws(() => preferenceLossBatch([PAIR, { ...PAIR, policyRejected: Infinity }]), /pairs\[1\]/);
});

Deno.test("batch statistics follow TRL's names and the gradients are of the mean", () => {
  const pairs = [PAIR, { ...PAIR, policyChosen: -25 }];
  const b = preferenceLossBatch(pairs, { loss: "dpo", beta: 0.1 });
  const single = pairs.map((p) => preferenceLoss(p, { loss: "dpo", beta: 0.1 }));
  assertClose(b.loss, (single[0]!.loss + single[1]!.loss) / 2, 1e-15);
  assertClose(b.items[1]!.gradChosen, single[1]!.gradChosen / 2, 1e-15);
  assert.equal(b.accuracy, 0.5);
  assertClose(b.rewardsChosen, 0.1 * ((-20 + 21) + (-25 + 21)) / 2, 1e-15);
});
