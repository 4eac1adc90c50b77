import * as tf from "@tensorflow/tfjs";
import {
  LOSSES,
  type LossName,
  preferenceLoss,
  preferenceLossBatch,
  type PreferenceLossOptions,
  type PreferenceLossResult,
  type PreferencePair,
} from "../mod.ts";
import { MixtureParameters, tensorPreferenceLoss, TINY_GRADIENT } from "../lib/train/tensor_losses.ts";
import { assert, assertClose } from "./_assert.ts";

await tf.setBackend("cpu");

const PAIRS: PreferencePair[] = [
  {
    policyChosen: -20,
    policyRejected: -23,
    referenceChosen: -21,
    referenceRejected: -22,
    embeddingMargin: 0.4,
    chosenTokens: 7,
    rejectedTokens: 4,
  },
  {
    policyChosen: -31,
    policyRejected: -24,
    referenceChosen: -30,
    referenceRejected: -26,
    embeddingMargin: -0.2,
    chosenTokens: 9,
    rejectedTokens: 11,
  },
  {
    policyChosen: -12.5,
    policyRejected: -12,
    referenceChosen: -12.4,
    referenceRejected: -12.1,
    embeddingMargin: 0,
    chosenTokens: 3,
    rejectedTokens: 2,
  },
];
const KERNELS: PreferenceLossOptions = {
  polynomial: { degree: 3, offset: 0.5 },
  rbf: { sigma: 0.7 },
  rationalQuadratic: { lengthscale: 0.8, alpha: 0.6 },
  mahalanobis: { variance: 2.5 },
  spectral: {
    components: [{ weight: 0.7, lengthscale: 1.3, frequency: 0.2 }, {
      weight: 0.3,
      lengthscale: 0.6,
      frequency: 0.05,
    }],
    damping: 0.4,
  },
};
const DIVERGENCES: Record<string, PreferenceLossOptions> = {
  kl: {},
  "forward-kl": {},
  js: {},
  hellinger: {},
  bhattacharyya: {},
  renyi: { alpha: 0.3 },
  alpha: { alpha: 0.25 },
  f: { f: "js" },
};
const FLAT = [0.4, -0.3, 0.2, 0];
const HMK = { tau: [0.3, -0.2], local: [0.1, 0.5], global: [-0.4, 0.2] };

function batchOf(pairs: PreferencePair[]) {
  const col = (k: keyof PreferencePair) => tf.tensor1d(pairs.map((p) => p[k] as number));
  return {
    policyChosen: col("policyChosen"),
    policyRejected: col("policyRejected"),
    referenceChosen: col("referenceChosen"),
    referenceRejected: col("referenceRejected"),
    embeddingMargin: col("embeddingMargin"),
    chosenTokens: col("chosenTokens"),
    rejectedTokens: col("rejectedTokens"),
  };
}

Deno.test("tensor losses equal the numeric core in value and gradient (every loss × divergence)", () => {
  const flat = new MixtureParameters("mixture", { logits: FLAT });
  const hmk = new MixtureParameters("hmk", HMK);
  for (const loss of Object.keys(LOSSES) as LossName[]) {
    for (const [divergence, extra] of Object.entries(DIVERGENCES)) {
      const options: PreferenceLossOptions = {
        loss,
        beta: 0.3,
        divergence,
        ...extra,
        ...KERNELS,
        gamma: loss === "hybrid" ? 0.5 : 0.2,
        labelSmoothing: loss === "robust" || loss === "dpo" ? 0.1 : 0,
        sftWeight: 0.05,
        mixtureLogits: FLAT,
        hmkLogits: HMK,
      };
      const expected = preferenceLossBatch(PAIRS, options);
      const mixture = loss === "mixture" ? flat : loss === "hmk" ? hmk : undefined;
      tf.tidy(() => {
        const b = batchOf(PAIRS);
        const f = (pc: tf.Tensor, pr: tf.Tensor) =>
          tensorPreferenceLoss({ ...b, policyChosen: pc as tf.Tensor1D, policyRejected: pr as tf.Tensor1D }, {
            ...options,
            mixture,
          }).loss;
        const value = f(b.policyChosen, b.policyRejected).dataSync()[0] as number;
        const [gc, gr] = tf.grads(f)([b.policyChosen, b.policyRejected]) as [tf.Tensor, tf.Tensor];
        const tag = `${loss}/${divergence}`;
        assertClose(value, expected.loss, 2e-5, 1e-6, tag);
        const gcs = gc.dataSync();
        const grs = gr.dataSync();
        expected.items.forEach((item, i) => {
          assertClose(gcs[i] as number, item.gradChosen, 1e-4, 1e-6, `${tag} ∂ℓ_w[${i}]`);
          assertClose(grs[i] as number, item.gradRejected, 1e-4, 1e-6, `${tag} ∂ℓ_l[${i}]`);
        });
      });
    }
  }
  flat.dispose();
  hmk.dispose();
});

Deno.test("mixture logits' tensor gradients equal the core's", () => {
  for (const [kind, init] of [["mixture", { logits: FLAT }], ["hmk", HMK]] as const) {
    const params = new MixtureParameters(kind, init);
    const options: PreferenceLossOptions = {
      loss: kind,
      beta: 0.7,
      ...KERNELS,
      entropyWeight: 0.1,
      mixtureLogits: FLAT,
      hmkLogits: HMK,
    };
    const expected = preferenceLossBatch(PAIRS, options);
    const want = expected.items.reduce(
      (acc, r) => acc.map((a, j) => a + (r.gradLogits?.[j] ?? 0)),
      new Array(kind === "mixture" ? 4 : 6).fill(0),
    );
    const { grads } = tf.variableGrads(
      () => tensorPreferenceLoss(batchOf(PAIRS), { ...options, mixture: params }).loss,
      [...params.variables.values()],
    );
    const got = [...params.variables.values()].flatMap((v) => [...grads[v.name]!.dataSync()]);
    got.forEach((g, j) => assertClose(g, want[j] as number, 1e-4, 1e-7, `${kind} logit ${j}`));
    Object.values(grads).forEach((g) => g.dispose());
    const snap = params.snapshot();
    assert.ok(
      Math.abs(
        Object.entries(snap).filter(([k]) => k.startsWith("weight_")).reduce((s, [, v]) => s + v, 0) - 1,
      ) < 1e-6,
    );
    params.dispose();
  }
});

Deno.test("tensor losses stay finite with finite gradients at log-prob margins of ±1e4 (float32)", () => {
  const flat = new MixtureParameters("mixture");
  const hmk = new MixtureParameters("hmk");
  for (const loss of Object.keys(LOSSES) as LossName[]) {
    for (const [divergence, extra] of Object.entries(DIVERGENCES)) {
      tf.tidy(() => {
        const pc = tf.tensor1d([1e4, -1e4, 1e4, -1e4]);
        const pr = tf.tensor1d([-1e4, 1e4, 1e4, -1e4]);
        const zero = tf.zeros([4]) as tf.Tensor1D;
        const f = (a: tf.Tensor) =>
          tensorPreferenceLoss(
            {
              policyChosen: a as tf.Tensor1D,
              policyRejected: pr,
              referenceChosen: zero,
              referenceRejected: zero,
              embeddingMargin: zero,
              chosenTokens: tf.onesLike(zero) as tf.Tensor1D,
              rejectedTokens: tf.onesLike(zero) as tf.Tensor1D,
            },
            {
              loss,
              beta: 1,
              divergence,
              ...extra,
              ...KERNELS,
              mixture: loss === "mixture" ? flat : loss === "hmk" ? hmk : undefined,
            },
          ).loss;
        const v = f(pc).dataSync()[0] as number;
        const g = tf.grad(f)(pc).dataSync();
        if (!loss.startsWith("ipo")) assert.ok(Number.isFinite(v), `${loss}/${divergence} loss ${v}`);
        assert.ok(!Number.isNaN(v), `${loss}/${divergence} loss NaN`);
        g.forEach((x) => assert.ok(Number.isFinite(x), `${loss}/${divergence} gradient ${x}`));
      });
    }
  }
  flat.dispose();
  hmk.dispose();
});

Deno.test("tensor loss errors name the field; Wasserstein points to the explicit regularizer", () => {
  tf.tidy(() => {
    const b = batchOf(PAIRS);
    assert.throws(() => tensorPreferenceLoss(b, { divergence: "wasserstein" }), /explicit/);
    assert.throws(
      () => tensorPreferenceLoss({ ...b, embeddingMargin: undefined }, { loss: "hybrid" }),
      /embeddingMargin/,
    );
    assert.throws(() => tensorPreferenceLoss(b, { loss: "hmk" }), /options.mixture/);
    assert.throws(() => tensorPreferenceLoss(b, { beta: -1 }), /options.beta/);
  });
  assert.throws(() => new MixtureParameters("hmk", { tau: [1, 2, 3] }), /init.tau/);
});

// ---- the saturating and rippling regimes: margins |Δ| from 0 to 50 and ±1e4 --------------------------------

/** Every implicit divergence and every admissible f generator, at default and non-default settings. */
const ALL_SCORES: Record<string, PreferenceLossOptions> = {
  kl: {},
  "forward-kl": {},
  js: {},
  "js raw": { unitSlope: false },
  hellinger: {},
  "hellinger raw": { unitSlope: false },
  bhattacharyya: {},
  renyi: {},
  "renyi 0.3": { alpha: 0.3 },
  alpha: { alpha: 0.25 },
  "f:kl": { f: "kl" },
  "f:reverse-kl": { f: "reverse-kl" },
  "f:js": { f: "js" },
  "f:hellinger": { f: "hellinger" },
  "f:alpha": { f: "alpha", alpha: 0.6 },
  "f:alpha raw": { f: "alpha", alpha: 0.6, unitSlope: false },
};
const divergenceName = (key: string) => key.split(" ")[0]!.replace(/^f:.*/, "f");

/**
 * Pairs whose log-ratio gap h = z_w − z_l is 0, ±0.5, ±3, ±10, ±50 (β = 1, so |Δ| = |h| for KL), each once with
 * the policy above the reference on the chosen side and once below on the rejected side. Log-probs are
 * multiples of ½, exact in float32.
 */
function regimePairs(gaps: readonly number[]): PreferencePair[] {
  return gaps.flatMap((h, i) => [
    {
      policyChosen: -20 + h,
      policyRejected: -23,
      referenceChosen: -20,
      referenceRejected: -23,
      embeddingMargin: 0.5 * (i % 3) - 0.5,
      chosenTokens: 1 + (i % 4),
      rejectedTokens: 2 + (i % 3),
    },
    {
      policyChosen: -12,
      policyRejected: -9 - h,
      referenceChosen: -12,
      referenceRejected: -9,
      embeddingMargin: 0.25,
      chosenTokens: 1,
      rejectedTokens: 1,
    },
  ]);
}

/** The kernel shapes' documented float32 clip on |Δ| (tensor_losses.ts), a literal so that a changed clip fails. */
const DOCUMENTED_MARGIN_CLIP = 1e6;
/** The largest |value| float32 can carry through squares (IPO squares the margin): compare only below it. */
const F32_SAFE = 1e17;

/** Compares the tensor loss with the core on every pair; returns how many pair × loss × score cases it compared. */
function compareTensorWithCore(
  pairs: PreferencePair[],
  tol: { rtol: number; atol: number },
  what: string,
): { compared: number; skipped: number } {
  let compared = 0;
  let skipped = 0;
  const flat = new MixtureParameters("mixture", { logits: FLAT });
  const hmk = new MixtureParameters("hmk", HMK);
  for (const loss of Object.keys(LOSSES) as LossName[]) {
    for (const [key, extra] of Object.entries(ALL_SCORES)) {
      const options: PreferenceLossOptions = {
        loss,
        beta: 1,
        divergence: divergenceName(key),
        ...extra,
        ...KERNELS,
        gamma: loss === "hybrid" ? 0.5 : 0,
        labelSmoothing: loss === "robust" ? 0.1 : 0,
        mixtureLogits: FLAT,
        hmkLogits: HMK,
      };
      // Pairs beyond float32's reach (e.g. forward KL's e^{50}, squared by IPO) are compared only for "not NaN".
      const inReach = (r: PreferenceLossResult) =>
        Math.abs(r.loss) < F32_SAFE && Math.abs(r.gradChosen) < F32_SAFE &&
        Math.abs(r.gradRejected) < F32_SAFE && Math.abs(r.margin) <= DOCUMENTED_MARGIN_CLIP;
      const far = pairs.filter((p) => !inReach(preferenceLoss(p, options)));
      const near = pairs.filter((p) => inReach(preferenceLoss(p, options)));
      if (far.length > 0) {
        tf.tidy(() => {
          const v = tensorPreferenceLoss(batchOf(far), {
            ...options,
            mixture: loss === "mixture" ? flat : loss === "hmk" ? hmk : undefined,
          }).loss.dataSync()[0] as number;
          assert.ok(!Number.isNaN(v), `${what} ${loss}/${key}: NaN`);
        });
      }
      compared += near.length;
      skipped += far.length;
      if (near.length === 0) continue;
      const expected = preferenceLossBatch(near, options);
      const mixture = loss === "mixture" ? flat : loss === "hmk" ? hmk : undefined;
      tf.tidy(() => {
        const b = batchOf(near);
        const run = (pc: tf.Tensor, pr: tf.Tensor) =>
          tensorPreferenceLoss({ ...b, policyChosen: pc as tf.Tensor1D, policyRejected: pr as tf.Tensor1D }, {
            ...options,
            mixture,
          });
        const r = run(b.policyChosen, b.policyRejected);
        const tag = `${what} ${loss}/${key}`;
        assertClose(r.loss.dataSync()[0] as number, expected.loss, tol.rtol, tol.atol, `${tag} loss`);
        const [rw, m, s] = [r.rewardsChosen.dataSync(), r.margins.dataSync(), r.scores.dataSync()];
        const [gc, gr] = tf.grads((pc: tf.Tensor, pr: tf.Tensor) => run(pc, pr).loss)([
          b.policyChosen,
          b.policyRejected,
        ]) as [tf.Tensor, tf.Tensor];
        const [gcs, grs] = [gc.dataSync(), gr.dataSync()];
        expected.items.forEach((item, i) => {
          const at = `${tag} pair ${i} (ℓ_w ${near[i]!.policyChosen}, ℓ_l ${near[i]!.policyRejected})`;
          assertClose(rw[i] as number, item.rewardChosen, tol.rtol, tol.atol, `${at} r_w`);
          assertClose(m[i] as number, item.margin, tol.rtol, tol.atol, `${at} Δ`);
          assertClose(s[i] as number, item.score, tol.rtol, tol.atol, `${at} s`);
          assertClose(gcs[i] as number, item.gradChosen, 10 * tol.rtol, tol.atol, `${at} ∂ℓ_w`);
          assertClose(grs[i] as number, item.gradRejected, 10 * tol.rtol, tol.atol, `${at} ∂ℓ_l`);
        });
      });
    }
  }
  flat.dispose();
  hmk.dispose();
  return { compared, skipped };
}

Deno.test("tensor = core in value, margin, score and gradient for every loss × score at |Δ| ∈ {0, 0.5, 3, 10, 50}", () => {
  compareTensorWithCore(
    regimePairs([0, 0.5, -0.5, 3, -3, 10, -10, 50, -50]),
    { rtol: 2e-5, atol: 2e-6 },
    "Δ",
  );
});

Deno.test("tensor = core in value and gradient for every loss × score at log-prob gaps of ±1e4", () => {
  const n = compareTensorWithCore(regimePairs([1e4, -1e4]), { rtol: 1e-4, atol: 1e-5 }, "1e4");
  assert.ok(n.compared > 0.6 * (n.compared + n.skipped), `compared ${n.compared}, skipped ${n.skipped}`);
});

Deno.test("gradients below TINY_GRADIENT are flushed to 0 at the policy's log-probs, larger ones pass unchanged", () => {
  // DPO at β = 1: ∂loss/∂ℓ_w = −σ(−Δ)/B. Δ = 80 gives 1.8e-35/2 (flushed: subnormal territory downstream),
  // Δ = 10 gives 2.3e-5 (kept, equal to the closed form).
  const grads = tf.tidy(() => {
    const g = tf.grad((chosen: tf.Tensor) =>
      tensorPreferenceLoss({
        policyChosen: chosen as tf.Tensor1D,
        policyRejected: tf.tensor1d([0, 0]),
        referenceChosen: tf.tensor1d([0, 0]),
        referenceRejected: tf.tensor1d([0, 0]),
      }, { loss: "dpo", beta: 1 }).loss
    );
    return Array.from(g(tf.tensor1d([80, 10])).dataSync());
  });
  assert.equal(grads[0], 0);
  assertClose(grads[1]!, -1 / (1 + Math.exp(10)) / 2, 1e-5, 0, "kept gradient");
  assert.ok(Math.abs(-1 / (1 + Math.exp(80)) / 2) < TINY_GRADIENT && Math.abs(grads[1]!) > TINY_GRADIENT);
});
