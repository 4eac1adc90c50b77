import assert from "node:assert/strict";
import {
  collapseRisk,
  implicitScore,
  KERNEL_MARGINS,
  kernelSaturates,
  KNOWN_COLLAPSES,
  scoreExplodes,
} from "../mod.ts";

const KERNELS = ["rbf", "poly", "polynomial", "spectral", "mahalanobis", "hmk", "mixture", "dpo"];
const DIVERGENCES = ["kl", "js", "hellinger", "bhattacharyya", "renyi", "f", "wasserstein"];

Deno.test("kernelSaturates: bounded scores (RBF, Mahalanobis, spectral) and not the growing ones", () => {
  assert.deepEqual(
    KERNELS.filter(kernelSaturates),
    ["rbf", "spectral", "mahalanobis"],
  );
  // closed form: the RBF score is bounded by σ√2, the polynomial's grows like |Δ|^d
  const rbf = KERNEL_MARGINS.rbf({});
  assert.ok(1e3 * Math.sqrt(rbf.g(1e6)) <= Math.SQRT2 + 1e-12);
  const poly = KERNEL_MARGINS.polynomial({});
  assert.ok(1e3 * Math.sqrt(poly.g(1e6)) > 1e5);
});

Deno.test("scoreExplodes: the exponential f-DPO scores, in closed form", () => {
  assert.deepEqual(DIVERGENCES.filter((d) => scoreExplodes(d)), ["hellinger", "bhattacharyya", "renyi", "f"]);
  // φ′(z) = e^{−z/2} (Hellinger), e^{−(1−r)z} (Rényi of order r), 1 (KL), 1 − σ(z) (JS)
  assert.ok(Math.abs(implicitScore("hellinger").derivative(-40) / Math.exp(20) - 1) < 1e-9);
  assert.ok(Math.abs(implicitScore("renyi").derivative(-40) / Math.exp(10) - 1) < 1e-9);
  // a Rényi order near 1 is nearly KL: its score no longer explodes within 40 nats
  assert.equal(scoreExplodes("renyi", { alpha: 0.95 }), false);
  assert.equal(scoreExplodes("f", { f: "kl" }), false);
});

const KERNEL_LOSSES = ["rbf", "poly", "polynomial", "spectral", "mahalanobis", "hmk", "mixture"];

Deno.test("collapseRisk refuses the measured collapses, flags what the mechanism predicts, passes the rest", () => {
  const risk = collapseRisk("rbf", "hellinger")!;
  assert.equal(risk.level, "refuse");
  assert.match(risk.evidence ?? "", /accuracy 0\.03 .*0\.59/);
  for (const k of ["rbf", "spectral", "mahalanobis", "poly"]) {
    assert.equal(collapseRisk(k, "hellinger")?.level, "refuse", k);
    assert.equal(collapseRisk(k, "bhattacharyya")?.level, "refuse", k);
  }
  // measured at Rényi order ¾: the three saturating kernels collapsed, the polynomial did not (a flag)
  for (const k of ["rbf", "spectral", "mahalanobis"]) assert.equal(collapseRisk(k, "renyi")?.level, "refuse");
  assert.equal(collapseRisk("poly", "renyi")?.level, "flag");
  assert.equal(collapseRisk("poly", "renyi")?.evidence, undefined);
  // every table entry is an instance of the mechanism: a kernel margin and an exploding score
  for (const e of KNOWN_COLLAPSES) {
    assert.ok(scoreExplodes(e.divergence), `${e.kernel} × ${e.divergence}`);
    assert.ok(e.evidence.length > 5 && e.reason.length > 20);
  }
  // everywhere: a risk exactly where a kernel margin meets an exploding score
  for (const k of KERNELS) {
    for (const d of DIVERGENCES) {
      const r = collapseRisk(k, d);
      assert.equal(r !== undefined, KERNEL_LOSSES.includes(k) && scoreExplodes(d), `${k} × ${d}`);
      if (r !== undefined && r.evidence === undefined) assert.equal(r.level, "flag");
    }
  }
  for (const d of ["kl", "js", "wasserstein"]) assert.equal(collapseRisk("rbf", d), undefined, d);
  assert.equal(collapseRisk("dpo", "hellinger"), undefined);
  assert.equal(collapseRisk("hmk", "hellinger")?.level, "flag");
  assert.match(collapseRisk("hmk", "f")?.reason ?? "", /predicted, not measured/);
  // the Rényi order decides: the table holds at ¾ only
  assert.equal(collapseRisk("spectral", "renyi", { alpha: 0.5 })?.level, "flag");
  assert.equal(collapseRisk("spectral", "renyi", { alpha: 0.95 }), undefined);
});
