// Gradients against finite differences: every explicit regularizer (Wasserstein included) against central
// differences of the float64 numeric core, and the hybrid term through the policy's own (trainable) embedder
// on a tiny GPT. Plus the Sinkhorn accuracy of the Wasserstein regularizer.
import * as tf from "@tensorflow/tfjs";
import { DIVERGENCES, entropicTransport, fDivergence, softmax, wassersteinDistance } from "../mod.ts";
import {
  DEFAULT_SINKHORN_TENSOR_TOLERANCE,
  EXPLICIT_DIVERGENCES,
  explicitRegularizer,
  type ExplicitRegularizerOptions,
  sinkhornTensor,
} from "../lib/train/explicit_regularizer.ts";
import { tensorPreferenceLoss } from "../lib/train/tensor_losses.ts";
import { cosine, pool } from "../lib/train/pooling.ts";
import { disposeBatch, sequenceBatch } from "../lib/train/batch.ts";
import { Gpt } from "../lib/model/gpt.ts";
import { createRandom } from "../lib/math/random.ts";
import { assert, assertClose } from "./_assert.ts";

await tf.setBackend("cpu");

const N = 2;
const T = 3;
const V = 6;
const rand = createRandom(23);
const policy = Array.from({ length: N * T * V }, () => 1.5 * rand.normal());
const reference = Array.from({ length: N * T * V }, () => 1.5 * rand.normal());
const direction = Array.from({ length: N * T * V }, () => rand.normal());
const mask = [1, 0, 1, 1, 1, 0];
const embeddings = Array.from({ length: V * 3 }, () => rand.normal());
const unitRows = Array.from({ length: V }, (_, i) => {
  const e = embeddings.slice(i * 3, i * 3 + 3);
  const n = Math.hypot(...e);
  return e.map((x) => x / n);
});
const COST = unitRows.map((a) =>
  unitRows.map((b) => Math.max(0, 1 - a.reduce((s, x, k) => s + x * b[k]!, 0)))
);

/** The regularizer in float64 from the numeric core: mean over masked tokens of d(softmax(x), softmax(y)). */
function coreRegularizer(logits: readonly number[], d: (p: number[], q: number[]) => number): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < N * T; i++) {
    if (!mask[i]) continue;
    s += d(softmax(logits.slice(i * V, (i + 1) * V)), softmax(reference.slice(i * V, (i + 1) * V)));
    n++;
  }
  return s / n;
}

const CASES: [string, ExplicitRegularizerOptions, (p: number[], q: number[]) => number][] = [
  ["kl", {}, (p, q) => DIVERGENCES.kl(p, q)],
  ["js", {}, (p, q) => DIVERGENCES.js(p, q)],
  ["hellinger", {}, (p, q) => DIVERGENCES.hellinger(p, q)],
  ["bhattacharyya", {}, (p, q) => DIVERGENCES.bhattacharyya(p, q)],
  ["renyi", {}, (p, q) => DIVERGENCES.renyi(p, q)],
  ["renyi", { alpha: 2 }, (p, q) => DIVERGENCES.renyi(p, q, { alpha: 2 })],
  ...(["kl", "reverse-kl", "js", "hellinger", "total-variation", "chi-squared"] as const).map((
    f,
  ): [string, ExplicitRegularizerOptions, (p: number[], q: number[]) => number] => [
    "f",
    { f },
    (p, q) => fDivergence(p, q, { f }),
  ]),
  ["f", { f: "alpha", alpha: 0.3 }, (p, q) => fDivergence(p, q, { f: "alpha", alpha: 0.3 })],
  [
    "wasserstein",
    { topK: V, epsilon: 0.1, tolerance: 1e-6, iterations: 5000 },
    (p, q) =>
      entropicTransport(p, q, { cost: COST, epsilon: 0.1, tolerance: 1e-13, maxIterations: 100_000 }).cost,
  ],
];

Deno.test("every explicit regularizer's gradient (Wasserstein included) equals finite differences of the core", () => {
  const names = new Set(CASES.map(([d]) => d));
  for (const d of Object.keys(EXPLICIT_DIVERGENCES)) assert.ok(names.has(d), `${d} has a gradient check`);
  for (const [divergence, options, core] of CASES) {
    const tag = `${divergence} ${JSON.stringify(options)}`;
    const { value, slope } = tf.tidy(() => {
      const f = (x: tf.Tensor) =>
        explicitRegularizer(
          x as tf.Tensor3D,
          tf.tensor3d(reference, [N, T, V]),
          tf.tensor2d(mask, [N, T]),
          divergence,
          { ...options, tokenEmbeddings: tf.tensor2d(embeddings, [V, 3]) },
        );
      const x = tf.tensor3d(policy, [N, T, V]);
      const g = tf.grad(f)(x);
      return {
        value: f(x).dataSync()[0] as number,
        slope: tf.sum(tf.mul(g, tf.tensor3d(direction, [N, T, V]))).dataSync()[0] as number,
      };
    });
    // The value and the directional derivative along a random direction, central differences in float64.
    assertClose(value, coreRegularizer(policy, core), 1e-4, 1e-6, `${tag} value`);
    const h = 1e-5;
    const shifted = (s: number) => coreRegularizer(policy.map((x, i) => x + s * h * direction[i]!), core);
    const want = (shifted(1) - shifted(-1)) / (2 * h);
    assertClose(slope, want, 2e-3, 1e-5, `${tag} directional derivative`);
  }
});

Deno.test("the Wasserstein regularizer's Sinkhorn reaches its stated accuracy on random 8-token problems", () => {
  const k = 8;
  const m = 64;
  const r = createRandom(5);
  const logits = (n: number) => Array.from({ length: n }, () => 2 * r.normal());
  const points = Array.from({ length: m * k * 3 }, () => r.normal());
  const out = tf.tidy(() => {
    const logA = tf.logSoftmax(tf.tensor2d(logits(m * k), [m, k])) as tf.Tensor2D;
    const logB = tf.logSoftmax(tf.tensor2d(logits(m * k), [m, k])) as tf.Tensor2D;
    const e = tf.tensor3d(points, [m, k, 3]);
    const u = tf.div(e, tf.norm(e, "euclidean", -1, true)) as tf.Tensor3D;
    const cost = tf.relu(tf.sub(1, tf.matMul(u, u, false, true))) as tf.Tensor3D;
    // The setting: ε = 0.05 and 10 iterations leave errors far above 1e-3 ...
    const ten = sinkhornTensor(logA, logB, cost, 0.05, 1e-12, 10);
    // ... the defaults iterate until every problem is below the tolerance.
    const full = sinkhornTensor(logA, logB, cost, 0.05, DEFAULT_SINKHORN_TENSOR_TOLERANCE, 5000);
    return { ten: ten.marginalError, full: full.marginalError, iterations: full.iterations };
  });
  assert.ok(out.ten > 1e-2, `10 iterations: max error ${out.ten}`);
  assert.ok(
    out.full < DEFAULT_SINKHORN_TENSOR_TOLERANCE,
    `error ${out.full} after ${out.iterations} iterations`,
  );
  // The regularizer reports the accuracy it reached.
  const report: { marginalError?: number; iterations?: number } = {};
  tf.tidy(() =>
    explicitRegularizer(
      tf.tensor3d(policy, [N, T, V]),
      tf.tensor3d(reference, [N, T, V]),
      tf.tensor2d(mask, [N, T]),
      "wasserstein",
      { tokenEmbeddings: tf.tensor2d(embeddings, [V, 3]), epsilon: 0.05, report },
    )
  );
  assert.ok(report.marginalError! < DEFAULT_SINKHORN_TENSOR_TOLERANCE && report.iterations! >= 1);
});

Deno.test("the tensor Sinkhorn with |xᵢ − xⱼ| costs converges to the exact 1-D W1 (the reference) as ε → 0", () => {
  const k = 8;
  const r = createRandom(9);
  for (let trial = 0; trial < 5; trial++) {
    const x = Array.from({ length: k }, () => r.uniform());
    const p = softmax(Array.from({ length: k }, () => r.normal()));
    const q = softmax(Array.from({ length: k }, () => r.normal()));
    const exact = wassersteinDistance(p, q, { positions: x });
    for (const epsilon of [0.02, 0.005]) {
      const got = tf.tidy(() => {
        const cost = tf.tensor3d([x.map((a) => x.map((b) => Math.abs(a - b)))]);
        const s = sinkhornTensor(
          tf.log(tf.tensor2d([p])) as tf.Tensor2D,
          tf.log(tf.tensor2d([q])) as tf.Tensor2D,
          cost,
          epsilon,
          1e-4,
          20_000,
        );
        return s.cost.dataSync()[0] as number;
      });
      // The entropic plan's cost exceeds the optimum by at most ε·log(k²) (plus the marginal error's share).
      assert.ok(got >= exact - 1e-4, `trial ${trial} ε ${epsilon}: ${got} < W1 ${exact}`);
      assert.ok(
        got <= exact + epsilon * Math.log(k * k) + 1e-4,
        `trial ${trial} ε ${epsilon}: ${got} vs W1 ${exact}`,
      );
    }
  }
});

Deno.test("the hybrid term's gradient through the policy's own embedder equals finite differences (tiny GPT)", () => {
  const config = { vocabSize: 11, contextLength: 8, dModel: 8, layers: 1, heads: 2 };
  const model = new Gpt(config, { seed: 3 });
  const seqs = [
    { tokens: [1, 2, 3, 4, 5, 6], promptLength: 3 },
    { tokens: [2, 2, 7, 1, 9], promptLength: 2 },
  ];
  const rejected = [
    { tokens: [1, 2, 3, 8, 8, 10, 4], promptLength: 3 },
    { tokens: [2, 2, 5, 3], promptLength: 2 },
  ];
  const batch = sequenceBatch([...seqs, ...rejected], config.contextLength);
  const loss = (gamma: number): tf.Scalar => {
    const out = model.sequenceLogProbs(batch.ids, batch.targets, batch.responseMask);
    const [pc, pr] = tf.split(out.logps, 2) as [tf.Tensor1D, tf.Tensor1D];
    // As the trainer: e = cos(e_x, e_w) − cos(e_x, e_l) with mean-pooled final hidden states.
    const [hc, hr] = tf.split(out.hidden, 2) as [tf.Tensor3D, tf.Tensor3D];
    const [mc, mr] = tf.split(batch.responseMask, 2) as [tf.Tensor2D, tf.Tensor2D];
    const [pmc] = tf.split(batch.promptMask, 2) as [tf.Tensor2D, tf.Tensor2D];
    const ex = pool(hc, pmc);
    const e = tf.sub(cosine(ex, pool(hc, mc)), cosine(ex, pool(hr, mr))) as tf.Tensor1D;
    return tensorPreferenceLoss({
      policyChosen: pc,
      policyRejected: pr,
      referenceChosen: tf.tensor1d([-9, -7]),
      referenceRejected: tf.tensor1d([-11, -6]),
      embeddingMargin: e,
    }, { loss: "hybrid", beta: 0.1, gamma }).loss;
  };
  const names = ["wte.weight", "h.0.ln_1.weight", "h.0.attn.c_attn.weight"];
  const vars = names.map((n) => model.param(n));
  const r = createRandom(4);
  const dirs = vars.map((v) => tf.tensor(Array.from({ length: v.size }, () => r.normal()), v.shape));
  const directional = (gamma: number) =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => loss(gamma), vars);
      return vars.reduce(
        (s, v, i) => s + (tf.sum(tf.mul(grads[v.name]!, dirs[i]!)).dataSync()[0] as number),
        0,
      );
    });
  const originals = vars.map((v) => tf.clone(v));
  const at = (gamma: number, s: number) => {
    vars.forEach((v, i) => v.assign(tf.tidy(() => tf.add(originals[i]!, tf.mul(dirs[i]!, s)))));
    const value = tf.tidy(() => loss(gamma).dataSync()[0] as number);
    vars.forEach((v, i) => v.assign(originals[i]!));
    return value;
  };
  // float32: a step where rounding (~1e-7/h) and curvature (~h²) errors are both below 1e-3 (measured: the
  // difference quotient settles to 4 digits between h = 5e-4 and 1e-4).
  const h = 2.5e-4;
  for (const gamma of [0.5, 3]) {
    const got = directional(gamma);
    const want = (at(gamma, h) - at(gamma, -h)) / (2 * h);
    assertClose(got, want, 5e-3, 1e-3, `γ ${gamma}`);
  }
  // The embedding term is really on the gradient path: γ changes the gradient.
  assert.ok(Math.abs(directional(3) - directional(0)) > 1e-3, "γ has no effect on the gradient");
  tf.dispose([...dirs, ...originals]);
  disposeBatch(batch);
  model.dispose();
});
