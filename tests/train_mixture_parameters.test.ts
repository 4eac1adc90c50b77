import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { MixtureParameters } from "../lib/train/mixture_parameters.ts";
import { MIXTURE_KERNELS } from "../mod.ts";
import { assertClose } from "./_assert.ts";

const softmax = (z: readonly number[]): number[] => {
  const e = z.map((v) => Math.exp(v));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

Deno.test("MixtureParameters.snapshot: HMK's τ, λ and the effective weights in closed form, named right", () => {
  const init = { tau: [0.3, -0.2], local: [1, -1], global: [-0.5, 0.7] };
  const hmk = new MixtureParameters("hmk", init);
  const s = hmk.snapshot();
  const [t1, t2] = softmax(init.tau) as [number, number];
  const [lr, lp] = softmax(init.local) as [number, number];
  const [gs, gm] = softmax(init.global) as [number, number];
  const expected: Record<string, number> = {
    tau1: t1,
    tau2: t2,
    lambda_rbf: lr,
    lambda_poly: lp,
    lambda_spec: gs,
    lambda_maha: gm,
    weight_rbf: t1 * lr,
    weight_polynomial: t1 * lp,
    weight_spectral: t2 * gs,
    weight_mahalanobis: t2 * gm,
  };
  assert.deepEqual(Object.keys(s).sort(), Object.keys(expected).sort());
  for (const [k, v] of Object.entries(expected)) assertClose(s[k]!, v, 1e-6, 1e-7, k);
  hmk.dispose();
});

Deno.test("MixtureParameters.snapshot: the flat mixture logs softmax(λ) per kernel only", () => {
  const logits = MIXTURE_KERNELS.map((_, i) => i * 0.4 - 0.5);
  const flat = new MixtureParameters("mixture", { logits });
  const s = flat.snapshot();
  const p = softmax(logits);
  assert.deepEqual(Object.keys(s), MIXTURE_KERNELS.map((k) => `weight_${k}`));
  MIXTURE_KERNELS.forEach((k, i) => assertClose(s[`weight_${k}`]!, p[i]!, 1e-6, 1e-7, k));
  flat.dispose();
});

Deno.test("MixtureParameters: construction and dispose leave no tensor behind (the initial logits included)", () => {
  for (const kind of ["mixture", "hmk"] as const) {
    const before = tf.memory().numTensors;
    const params = new MixtureParameters(kind);
    assert.equal(tf.memory().numTensors - before, params.variables.size, kind);
    params.snapshot();
    params.dispose();
    assert.equal(tf.memory().numTensors, before, kind);
  }
});
