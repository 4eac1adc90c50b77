import assert from "node:assert/strict";
import {
  DIVERGENCE_NAMES,
  KERNEL_MARGINS,
  KERNEL_NAMES,
  kernelByName,
  kernelizedMargin,
  KERNELS,
  LOSS_NAMES,
  LOSSES,
  MIXTURE_KERNELS,
  OBJECTIVE_NAMES,
  OBJECTIVES,
  PREFERENCE_LOSS_OPTION_KEYS,
} from "../mod.ts";
import { KERNEL_TO_LOSS } from "../lib/eval/selection_check.ts";
import { EXPLICIT_DIVERGENCES } from "../lib/train/explicit_regularizer.ts";
import { finiteDifference } from "./_assert.ts";

Deno.test("every kernel entry is complete: κ(a, a) = 1 at the defaults, log κ = log of κ, G(0) = 1, unit slope", () => {
  for (const name of KERNEL_NAMES) {
    const k = kernelByName(name);
    if (name !== "polynomial") assert.equal(k.kernel(0.3, 0.3), 1, `${name} κ(a, a)`);
    const v = k.kernel([0.2, -0.4], [0.5, 0.1]);
    assert.ok(Math.abs(k.logKernel([0.2, -0.4], [0.5, 0.1]) - Math.log(v)) < 1e-12, `${name} log κ`);
    const shape = k.margin(k.defaults());
    assert.ok(Math.abs(shape.g(0) - 1) < 1e-12, `${name} G(0)`);
    assert.ok(Math.abs(kernelizedMargin(0, shape).slope - 1) < 1e-12, `${name} slope at 0`);
    const score = (d: number): number => kernelizedMargin(d, shape).score;
    assert.ok(Math.abs(finiteDifference(score, 0.7) - kernelizedMargin(0.7, shape).slope) < 1e-6, name);
    assert.ok(["local", "global"].includes(k.range), `${name} range`);
    assert.equal(KERNEL_MARGINS[name]({}).g(2), shape.g(2), `${name} KERNEL_MARGINS`);
  }
});

Deno.test("name lists are derived from the tables: losses, mixtures, option keys, selection check", () => {
  for (const name of KERNEL_NAMES) {
    const loss = KERNELS[name].loss;
    assert.equal(LOSSES[loss].margin, name, `LOSSES.${loss}`);
    assert.equal(LOSSES[loss].description, KERNELS[name].description);
    assert.ok(PREFERENCE_LOSS_OPTION_KEYS.includes(name), `option key ${name}`);
  }
  assert.deepEqual(
    MIXTURE_KERNELS,
    KERNEL_NAMES.filter((k) => KERNELS[k].mixture),
  );
  assert.deepEqual(Object.keys(KERNEL_TO_LOSS), [...MIXTURE_KERNELS, "hmk"]);
  for (const k of MIXTURE_KERNELS) assert.equal(KERNEL_TO_LOSS[k], KERNELS[k].loss);
  assert.deepEqual(LOSS_NAMES, Object.keys(LOSSES));
  assert.deepEqual(OBJECTIVE_NAMES, Object.keys(OBJECTIVES));
  assert.deepEqual(Object.keys(EXPLICIT_DIVERGENCES).sort(), [...DIVERGENCE_NAMES].sort());
  // The paper's losses keep their names and order; kernel rows (from KERNELS) sit between the linear ones and
  // the mixtures.
  const paper = [
    "dpo",
    "ipo",
    "ipo-sum",
    "hinge",
    "robust",
    "hybrid",
    "poly",
    "rbf",
    "spectral",
    "mahalanobis",
  ];
  assert.deepEqual(LOSS_NAMES.filter((n) => paper.includes(n)), paper);
  assert.deepEqual(LOSS_NAMES.slice(6), [...KERNEL_NAMES.map((k) => KERNELS[k].loss), "mixture", "hmk"]);
});

Deno.test("kernelByName names the valid kernels for an unknown one", () => {
  assert.throws(
    () => kernelByName("laplacian" as "rbf"),
    /kernel must be one of polynomial, rbf, .*rationalQuadratic/,
  );
});
