import * as tf from "@tensorflow/tfjs";
import { AdamW, clipByGlobalNorm, learningRateAt } from "../lib/train/optimizer.ts";
import { assert, assertAllClose, assertClose } from "./_assert.ts";

await tf.setBackend("cpu");

function quadraticGrads(vars: tf.Variable[]): tf.Tensor[] {
  // f = Σ (w − 3)² ⇒ ∇ = 2(w − 3)
  return vars.map((v) => tf.mul(2, tf.sub(v, 3)));
}

Deno.test("AdamW without decay takes the same steps as tf.train.adam", () => {
  const a = [tf.variable(tf.tensor2d([[1, -2], [0.5, 4]])), tf.variable(tf.tensor1d([0.1, -0.3]))];
  const b = a.map((v) => tf.variable(v.clone()));
  const ours = new AdamW(a);
  const theirs = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
  for (let step = 0; step < 5; step++) {
    const ga = quadraticGrads(a);
    ours.apply(ga, 0.01);
    const gb = quadraticGrads(b);
    theirs.applyGradients(b.map((v, i) => ({ name: v.name, tensor: gb[i]! })));
    tf.dispose([...ga, ...gb]);
  }
  a.forEach((v, i) => assertAllClose(v.dataSync(), b[i]!.dataSync(), 1e-5, 1e-7, `variable ${i}`));
  ours.dispose();
  theirs.dispose();
  tf.dispose([...a, ...b]);
});

Deno.test("per-variable learning-rate scales and decoupled decay act on the step", () => {
  const w = [tf.variable(tf.tensor1d([0])), tf.variable(tf.tensor1d([0]))];
  const opt = new AdamW(w, { learningRateScale: [1, 50] });
  const g = [tf.tensor1d([1]), tf.tensor1d([1])];
  opt.apply(g, 2e-3);
  // Adam's first step moves each weight by lr·scale against the gradient's sign.
  assertClose(w[0]!.dataSync()[0]!, -2e-3, 1e-4);
  assertClose(w[1]!.dataSync()[0]!, -0.1, 1e-4);
  const m = [tf.variable(tf.ones([2, 2]))];
  const decay = new AdamW(m, { weightDecay: 0.5 });
  decay.apply([tf.zeros([2, 2])], 0.1); // zero gradient: only the decay moves it, by lr·wd·w
  assertAllClose(m[0]!.dataSync(), [0.95, 0.95, 0.95, 0.95], 1e-6);
  assert.throws(() => new AdamW(w, { learningRateScale: [1] }), /learningRateScale/);
  const state = opt.state();
  const copy = new AdamW(w, { learningRateScale: [1, 50] });
  copy.restore(state);
  assert.equal(copy.step, 1);
  tf.dispose([...g, ...state.values(), ...w, ...m]);
  [opt, decay, copy].forEach((o) => o.dispose());
});

Deno.test("schedule and clipping", () => {
  const s = { learningRate: 1, warmupSteps: 2, totalSteps: 12, minRatio: 0 };
  assert.deepEqual([0, 1].map((t) => learningRateAt(t, s)), [0.5, 1]);
  assertClose(learningRateAt(7, s), 0.5, 1e-12); // halfway through the cosine
  assertClose(learningRateAt(12, s), 0, 1e-12);
  const { grads, norm } = clipByGlobalNorm([tf.tensor1d([3]), tf.tensor1d([4])], 1);
  assertClose(norm.dataSync()[0]!, 5, 1e-6);
  assertAllClose([...grads[0]!.dataSync(), ...grads[1]!.dataSync()], [0.6, 0.8], 1e-5);
  tf.dispose([...grads, norm]);
});

Deno.test("AdamW owns exactly its two moment tensors per variable: creating and disposing one leaks nothing", () => {
  const vars = [tf.variable(tf.ones([3, 2])), tf.variable(tf.zeros([4]))];
  const before = tf.memory().numTensors;
  const adam = new AdamW(vars);
  assert.equal(tf.memory().numTensors - before, 2 * vars.length);
  adam.dispose();
  assert.equal(tf.memory().numTensors, before);
  tf.dispose(vars);
});
