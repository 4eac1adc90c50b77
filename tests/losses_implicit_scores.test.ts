// Implicit (f-DPO) scores from the generator table, their normalization, the distinct defaults of the grid's
// divergences, the one default Rényi order, and TRL's IPO against torch golden values.
import {
  DEFAULT_IMPLICIT_F_GENERATOR,
  DEFAULT_RENYI_ALPHA,
  fGenerator,
  type FGeneratorName,
  implicitScore,
  type ImplicitScoreOptions,
  preferenceLoss,
  preferenceLossBatch,
  renyiDivergence,
} from "../mod.ts";
import { resolveTrainConfig, TRAIN_DIVERGENCES } from "../lib/train/config.ts";
import { divergenceColumns } from "../lib/eval/divergence_columns.ts";
import { assert, assertClose, finiteDifference } from "./_assert.ts";
import * as ipo from "./golden/ipo_values.ts";

const ZS = [-30, -8, -3, -1, -0.4, -1e-3, 0, 1e-3, 0.25, 0.7, 2, 5, 12, 30];

/** f′(eᶻ) − f′(1) and f″(1) straight from the generator's plain derivative f′(t) (no log-coordinate form). */
function fromDerivative(name: FGeneratorName, alpha?: number) {
  const g = fGenerator(name, { alpha });
  const curvature = finiteDifference((t) => g.derivative(t), 1, 1e-4);
  return { raw: (z: number) => g.derivative(Math.exp(z)) - g.derivative(1), curvature };
}

// Each divergence name → the generator (and Amari order) its score must come from.
const GENERATOR_OF: Record<string, [FGeneratorName, number | undefined, ImplicitScoreOptions]> = {
  kl: ["kl", undefined, {}],
  "forward-kl": ["reverse-kl", undefined, {}],
  js: ["js", undefined, {}],
  hellinger: ["hellinger", undefined, {}],
  bhattacharyya: ["hellinger", undefined, {}],
  renyi: ["alpha", DEFAULT_RENYI_ALPHA, {}],
  "renyi(0.3)": ["alpha", 0.3, { alpha: 0.3 }],
  alpha: ["alpha", 0.5, {}],
  "alpha(0.2)": ["alpha", 0.8, { alpha: 0.2 }],
  "f:kl": ["kl", undefined, { f: "kl" }],
  "f:reverse-kl": ["reverse-kl", undefined, { f: "reverse-kl" }],
  "f:js": ["js", undefined, { f: "js" }],
  "f:hellinger": ["hellinger", undefined, { f: "hellinger" }],
  "f:alpha": ["alpha", DEFAULT_RENYI_ALPHA, { f: "alpha" }],
  "f:alpha(0.4)": ["alpha", 0.4, { f: "alpha", alpha: 0.4 }],
  f: [DEFAULT_IMPLICIT_F_GENERATOR, undefined, {}],
};
const divergenceOf = (key: string) => key.replace(/\(.*\)$/, "").replace(/^f:.*/, "f");

Deno.test("every named divergence's score is its generator's (f′(eᶻ) − f′(1))/f″(1), raw and unit-slope", () => {
  for (const [key, [gen, a, options]] of Object.entries(GENERATOR_OF)) {
    const { raw, curvature } = fromDerivative(gen, a);
    const unit = implicitScore(divergenceOf(key), options);
    const plain = implicitScore(divergenceOf(key), { ...options, unitSlope: false });
    for (const z of ZS.filter((z) => Math.abs(z) <= 12)) {
      const want = raw(z);
      assertClose(plain.value(z), want, 1e-9, 1e-12, `${key} raw φ(${z})`);
      assertClose(unit.value(z), want / curvature, 1e-7, 1e-12, `${key} unit φ(${z})`);
      // The derivative is the value's derivative.
      assertClose(
        unit.derivative(z),
        finiteDifference((x) => unit.value(x), z, 1e-5),
        1e-6,
        1e-9,
        `${key} φ′(${z})`,
      );
    }
    assert.equal(unit.value(0), 0, `${key} φ(0)`);
    assertClose(unit.derivative(0), 1, 1e-15, 0, `${key} unit slope`);
    assertClose(plain.derivative(0), curvature, 1e-7, 0, `${key} raw slope = f″(1)`);
  }
});

Deno.test("the issue's numbers: at z = 0.7 the raw JS and Hellinger scores are 0.1450 and 0.1477; f with JS is js", () => {
  assertClose(implicitScore("js", { unitSlope: false }).value(0.7), 0.1449806, 1e-6);
  assertClose(
    implicitScore("hellinger", { unitSlope: false }).value(0.7),
    0.5 * (1 - Math.exp(-0.35)),
    1e-15,
  );
  assertClose(implicitScore("hellinger", { unitSlope: false }).value(0.7), 0.1477, 1e-3);
  for (
    const [f, named] of [["js", "js"], ["kl", "kl"], ["reverse-kl", "forward-kl"], ["hellinger", "hellinger"]]
  ) {
    for (const unitSlope of [true, false]) {
      for (const z of ZS) {
        assert.equal(
          implicitScore("f", { f, unitSlope }).value(z),
          implicitScore(named as string, { unitSlope }).value(z),
          `f:${f} vs ${named} at ${z}`,
        );
      }
    }
  }
  // Unit slope: every divergence's score has slope 1 at z = 0, so β is the same temperature for all.
  for (const d of ["kl", "forward-kl", "js", "hellinger", "bhattacharyya", "renyi", "alpha", "f"]) {
    assert.equal(implicitScore(d).derivative(0), 1, d);
  }
});

Deno.test("scores stay finite, monotone and flat only beyond the exponent clamp at |z| up to 1e4", () => {
  for (const d of ["kl", "forward-kl", "js", "hellinger", "renyi", "alpha"]) {
    const s = implicitScore(d);
    let prev = -Infinity;
    for (const z of [-1e4, -60, ...ZS, 60, 1e4]) {
      const v = s.value(z);
      assert.ok(Number.isFinite(v) && v >= prev, `${d} φ(${z}) = ${v}`);
      assert.ok(Number.isFinite(s.derivative(z)) && s.derivative(z) >= 0, `${d} φ′(${z})`);
      prev = v;
    }
  }
  assert.equal(implicitScore("kl").value(1e4), 1e4); // KL's score is exact, never clamped
});

/** A score function's signature on a grid of z. */
const signature = (d: string, o: ImplicitScoreOptions) =>
  Array.from({ length: 41 }, (_, i) => -10 + 0.5 * i).map((z) => implicitScore(d, o).value(z));

Deno.test("no two default training divergences share a score function, except the α-family's Hellinger = Bhattacharyya", () => {
  const config = resolveTrainConfig({ data: [], out: "unused" });
  const options = { alpha: config.alpha, f: config.f };
  const implicit = TRAIN_DIVERGENCES.filter((d) => d !== "wasserstein");
  const same: string[] = [];
  for (let i = 0; i < implicit.length; i++) {
    for (let j = i + 1; j < implicit.length; j++) {
      const a = signature(implicit[i]!, options);
      const b = signature(implicit[j]!, options);
      const maxDiff = Math.max(...a.map((x, k) => Math.abs(x - (b[k] as number))));
      if (maxDiff < 1e-9) same.push(`${implicit[i]} = ${implicit[j]}`);
    }
  }
  assert.deepEqual(same, ["hellinger = bhattacharyya"]);
  // The grid trains six columns and names the merged one with both names.
  const columns = divergenceColumns(TRAIN_DIVERGENCES, options);
  assert.deepEqual(columns.map((c) => c.label), [
    "kl",
    "js",
    "hellinger = bhattacharyya",
    "renyi",
    "wasserstein",
    "f",
  ]);
  // At Rényi order ½ the α-family coincides three ways; under the explicit regularizer nothing merges.
  assert.equal(
    divergenceColumns(TRAIN_DIVERGENCES, { alpha: 0.5 })[2]?.label,
    "hellinger = renyi = bhattacharyya",
  );
  assert.equal(divergenceColumns(TRAIN_DIVERGENCES, { ...options, regularizer: "explicit" }).length, 7);
  // f with the JS generator is exactly js.
  assert.equal(divergenceColumns(["js", "f"], { f: "js" })[0]?.label, "js = f");
});

Deno.test("one default Rényi order everywhere: core divergence, implicit score, trainer config", () => {
  const p = [0.2, 0.3, 0.5];
  const q = [0.4, 0.4, 0.2];
  assert.ok(DEFAULT_RENYI_ALPHA > 0 && DEFAULT_RENYI_ALPHA < 1 && (DEFAULT_RENYI_ALPHA as number) !== 0.5);
  assert.equal(renyiDivergence(p, q), renyiDivergence(p, q, { alpha: DEFAULT_RENYI_ALPHA }));
  assert.equal(resolveTrainConfig({ data: [], out: "unused" }).alpha, DEFAULT_RENYI_ALPHA);
  assert.equal(
    implicitScore("renyi").value(0.9),
    implicitScore("renyi", { alpha: DEFAULT_RENYI_ALPHA }).value(0.9),
  );
  assert.equal(resolveTrainConfig({ data: [], out: "unused" }).f, DEFAULT_IMPLICIT_F_GENERATOR);
});

Deno.test("ipo is TRL's IPO (length-normalized log-probs): loss, rewards and gradients equal torch's", () => {
  for (const c of ipo.cases) {
    const batch = preferenceLossBatch(ipo.pairs, { loss: "ipo", beta: c.beta });
    assertClose(batch.loss, c.loss, 1e-12, 1e-14, `β ${c.beta} mean loss`);
    batch.items.forEach((item, i) => {
      assertClose(item.loss, c.losses[i] as number, 1e-12, 1e-14, `β ${c.beta} loss[${i}]`);
      assertClose(item.rewardChosen, c.rewardsChosen[i] as number, 1e-12, 1e-15, `reward[${i}]`);
      assertClose(item.gradChosen, c.gradChosen[i] as number, 1e-10, 1e-14, `∂/∂ℓ_w[${i}]`);
      assertClose(item.gradRejected, c.gradRejected[i] as number, 1e-10, 1e-14, `∂/∂ℓ_l[${i}]`);
    });
    // The summed form is another loss, and differs.
    const summed = preferenceLossBatch(ipo.pairs, { loss: "ipo-sum", beta: c.beta });
    assert.ok(Math.abs(summed.loss - c.loss) > 1e-3 * c.loss, "ipo-sum differs from TRL's ipo");
  }
  const pair = { ...ipo.pairs[0]!, rejectedTokens: undefined };
  assert.throws(
    () => preferenceLoss(pair, { loss: "ipo" }),
    /pair.rejectedTokens must be a finite count > 0/,
  );
  assert.throws(() => preferenceLoss({ ...pair, rejectedTokens: 0 }, { loss: "ipo" }), /rejectedTokens/);
  preferenceLoss(pair, { loss: "ipo-sum" }); // no counts needed
});
