import * as tf from "@tensorflow/tfjs";
import { DIVERGENCES, entropicTransport, fDivergence, softmax } from "../mod.ts";
import { EXPLICIT_DIVERGENCES, explicitRegularizer } from "../lib/train/explicit_regularizer.ts";
import { assert, assertClose } from "./_assert.ts";
import { createRandom } from "../lib/math/random.ts";

await tf.setBackend("cpu");

const N = 2;
const T = 3;
const V = 7;
const rand = createRandom(11);
const policy = Array.from({ length: N * T * V }, () => 2 * rand.normal());
const reference = Array.from({ length: N * T * V }, () => 2 * rand.normal());
const mask = [1, 1, 0, 0, 1, 1]; // [N, T]
const rows = (flat: number[]) =>
  Array.from({ length: N * T }, (_, i) => softmax(flat.slice(i * V, (i + 1) * V)));
const P = rows(policy);
const Q = rows(reference);

function expectedMean(d: (p: number[], q: number[]) => number): number {
  let s = 0;
  let n = 0;
  mask.forEach((m, i) => {
    if (m) {
      s += d(P[i]!, Q[i]!);
      n++;
    }
  });
  return s / n;
}

function regularizer(divergence: string, options = {}): number {
  return tf.tidy(() =>
    explicitRegularizer(
      tf.tensor3d(policy, [N, T, V]),
      tf.tensor3d(reference, [N, T, V]),
      tf.tensor2d(mask, [N, T]),
      divergence,
      options,
    ).dataSync()[0] as number
  );
}

Deno.test("explicit regularizers equal the numeric divergences averaged over response tokens", () => {
  assertClose(regularizer("kl"), expectedMean((p, q) => DIVERGENCES.kl(p, q)), 1e-5);
  assertClose(regularizer("js"), expectedMean((p, q) => DIVERGENCES.js(p, q)), 1e-5);
  assertClose(regularizer("hellinger"), expectedMean((p, q) => DIVERGENCES.hellinger(p, q)), 1e-5);
  assertClose(regularizer("bhattacharyya"), expectedMean((p, q) => DIVERGENCES.bhattacharyya(p, q)), 1e-5);
  for (const alpha of [0.5, 2]) {
    assertClose(
      regularizer("renyi", { alpha }),
      expectedMean((p, q) => DIVERGENCES.renyi(p, q, { alpha })),
      1e-5,
    );
  }
  for (const f of ["kl", "reverse-kl", "js", "hellinger", "total-variation", "chi-squared"] as const) {
    assertClose(regularizer("f", { f }), expectedMean((p, q) => fDivergence(p, q, { f })), 1e-5, 1e-7, f);
  }
  assertClose(
    regularizer("f", { f: "alpha", alpha: 0.3 }),
    expectedMean((p, q) => fDivergence(p, q, { f: "alpha", alpha: 0.3 })),
    1e-5,
  );
});

Deno.test("explicit Wasserstein is entropic OT with cost 1 − cos of token embeddings", () => {
  const embeddings = Array.from({ length: V * 4 }, () => rand.normal());
  const unit = Array.from({ length: V }, (_, i) => {
    const e = embeddings.slice(i * 4, i * 4 + 4);
    const n = Math.hypot(...e);
    return e.map((x) => x / n);
  });
  const cost = unit.map((a) => unit.map((b) => Math.max(0, 1 - a.reduce((s, x, k) => s + x * b[k]!, 0))));
  const epsilon = 0.1;
  const got = tf.tidy(() =>
    explicitRegularizer(
      tf.tensor3d(policy, [N, T, V]),
      tf.tensor3d(reference, [N, T, V]),
      tf.tensor2d(mask, [N, T]),
      "wasserstein",
      { tokenEmbeddings: tf.tensor2d(embeddings, [V, 4]), topK: V, epsilon, iterations: 300 },
    ).dataSync()[0] as number
  );
  const want = expectedMean((p, q) => entropicTransport(p, q, { cost, epsilon }).cost);
  assertClose(got, want, 1e-3);
});

Deno.test("explicit regularizers: gradients flow to the policy and bad names are errors", () => {
  for (const divergence of Object.keys(EXPLICIT_DIVERGENCES)) {
    if (divergence === "wasserstein") continue;
    tf.tidy(() => {
      const g = tf.grad((x: tf.Tensor) =>
        explicitRegularizer(
          x as tf.Tensor3D,
          tf.tensor3d(reference, [N, T, V]),
          tf.tensor2d(mask, [N, T]),
          divergence,
        )
      )(tf.tensor3d(policy, [N, T, V]));
      const values = g.dataSync();
      assert.ok(values.every(Number.isFinite), divergence);
      assert.ok(values.some((x) => x !== 0), divergence);
    });
  }
  assert.throws(() => regularizer("nope"), /divergence must be one of/);
  assert.throws(() => regularizer("wasserstein"), /tokenEmbeddings/);
  assert.throws(() => regularizer("renyi", { alpha: 1 }), /options.alpha/);
  assert.throws(() => regularizer("f", { f: "nope" }), /options.f/);
});
