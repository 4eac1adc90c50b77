/**
 * Writes `python/tests/vectors.json`, the shared test vectors that hold the PyTorch loss table in step with the
 * TypeScript core: for every loss × implicit divergence × kernel setting, the inputs, the per-pair losses, rewards,
 * margins, scores and exact gradients (of the batch mean) from {@link preferenceLossBatch}; the mixture and HMK
 * weights, entropies and logit gradients; and the explicit regularizers' divergences on small distributions from
 * the float64 numeric divergences. Run with `deno task vectors`; the Python tests (`deno task test:python`) read it.
 *
 * @module
 */
import {
  bhattacharyyaDistance,
  entropicTransport,
  F_GENERATORS,
  fDivergence,
  type FGeneratorName,
  hellingerDistance,
  jsDivergence,
  KERNEL_NAMES,
  klDivergence,
  LOSSES,
  preferenceLossBatch,
  type PreferenceLossOptions,
  type PreferencePair,
  renyiDivergence,
} from "../../mod.ts";
import {
  DEFAULT_SINKHORN_TENSOR_MAX_ITERATIONS,
  DEFAULT_SINKHORN_TENSOR_TOLERANCE,
  EXPLICIT_DIVERGENCES,
} from "../../lib/train/explicit_regularizer.ts";
import { DEFAULT_RENYI_ALPHA } from "../../lib/divergences/renyi.ts";
import { EXPONENT_CLAMP } from "../../lib/divergences/f_divergence.ts";
import { DEFAULT_ALPHA_DIVERGENCE, DEFAULT_IMPLICIT_F_GENERATOR } from "../../lib/losses/implicit_scores.ts";
import { createRandom } from "../../lib/math/random.ts";

const OUT = new URL("../tests/vectors.json", import.meta.url);

/** A pair with both responses' token counts (IPO's length normalization divides by them). */
type VectorPair = PreferencePair & { embeddingMargin: number; chosenTokens: number; rejectedTokens: number };

const PAIRS: VectorPair[] = [
  {
    policyChosen: -10,
    policyRejected: -12,
    referenceChosen: -11,
    referenceRejected: -11,
    embeddingMargin: 0.3,
    chosenTokens: 3,
    rejectedTokens: 5,
  },
  {
    policyChosen: -3.5,
    policyRejected: -2.25,
    referenceChosen: -4,
    referenceRejected: -1.75,
    embeddingMargin: -0.4,
    chosenTokens: 7,
    rejectedTokens: 2,
  },
  {
    policyChosen: -40,
    policyRejected: -55,
    referenceChosen: -45,
    referenceRejected: -50,
    embeddingMargin: 1.2,
    chosenTokens: 20,
    rejectedTokens: 25,
  },
  {
    policyChosen: -1,
    policyRejected: -1,
    referenceChosen: -1,
    referenceRejected: -1,
    embeddingMargin: 0,
    chosenTokens: 1,
    rejectedTokens: 1,
  },
  {
    policyChosen: -0.5,
    policyRejected: -9,
    referenceChosen: -2.5,
    referenceRejected: -3,
    embeddingMargin: 0.05,
    chosenTokens: 4,
    rejectedTokens: 9,
  },
  {
    policyChosen: -120,
    policyRejected: -80,
    referenceChosen: -100,
    referenceRejected: -100,
    embeddingMargin: -2,
    chosenTokens: 30,
    rejectedTokens: 15,
  },
];

/**
 * Implicit-regularizer settings: every divergence, every f generator the implicit form admits, and the defaults
 * (Rényi's order, the `alpha` divergence's α and `f`'s generator left unset).
 */
const DIVERGENCES: { name: string; options: PreferenceLossOptions }[] = [
  { name: "kl", options: { divergence: "kl" } },
  { name: "forward-kl", options: { divergence: "forward-kl" } },
  { name: "js", options: { divergence: "js" } },
  { name: "hellinger", options: { divergence: "hellinger" } },
  { name: "bhattacharyya", options: { divergence: "bhattacharyya" } },
  { name: "renyi", options: { divergence: "renyi" } },
  { name: "renyi(0.3)", options: { divergence: "renyi", alpha: 0.3 } },
  { name: "alpha", options: { divergence: "alpha" } },
  { name: "alpha(0.3)", options: { divergence: "alpha", alpha: 0.3 } },
  { name: "f", options: { divergence: "f" } },
  { name: "f:kl", options: { divergence: "f", f: "kl" } },
  { name: "f:reverse-kl", options: { divergence: "f", f: "reverse-kl" } },
  { name: "f:js", options: { divergence: "f", f: "js" } },
  { name: "f:hellinger", options: { divergence: "f", f: "hellinger" } },
  { name: "f:alpha", options: { divergence: "f", f: "alpha" } },
  { name: "f:alpha(0.7)", options: { divergence: "f", f: "alpha", alpha: 0.7 } },
];

/** Kernel settings: the defaults, and every base kernel's options moved away from them. */
const KERNELS: { name: string; options: PreferenceLossOptions }[] = [
  { name: "default", options: {} },
  {
    name: "custom",
    options: {
      polynomial: { degree: 3, offset: 2 },
      rbf: { sigma: 0.5 },
      spectral: {
        components: [{ weight: 1, lengthscale: 1, frequency: 0.25 }, {
          weight: 0.5,
          lengthscale: 2,
          frequency: 0.1,
        }],
        damping: 0.3,
      },
      mahalanobis: { variance: 0.5 },
      rationalQuadratic: { lengthscale: 0.7, alpha: 2.5 },
    },
  },
];

/** Further settings: β, label smoothing, γ, SFT weight, mixture and HMK logits, entropy weight, raw slopes. */
const EXTRAS: { name: string; options: PreferenceLossOptions }[] = [
  { name: "beta=0.5", options: { loss: "dpo", beta: 0.5 } },
  { name: "cdpo", options: { loss: "dpo", labelSmoothing: 0.1 } },
  { name: "robust-eps", options: { loss: "robust", labelSmoothing: 0.2 } },
  { name: "hinge-beta", options: { loss: "hinge", beta: 0.7 } },
  { name: "ipo-beta", options: { loss: "ipo", beta: 0.5 } },
  { name: "ipo-sum-beta", options: { loss: "ipo-sum", beta: 0.5 } },
  { name: "js-raw-slope", options: { loss: "dpo", divergence: "js", unitSlope: false } },
  { name: "hellinger-raw-slope", options: { loss: "dpo", divergence: "hellinger", unitSlope: false } },
  { name: "renyi-raw-slope", options: { loss: "rbf", divergence: "renyi", unitSlope: false } },
  { name: "f-raw-slope", options: { loss: "ipo", divergence: "f", unitSlope: false } },
  { name: "hybrid-gamma", options: { loss: "hybrid", gamma: 0.8, beta: 0.2 } },
  { name: "rbf-hybrid", options: { loss: "rbf", gamma: 0.3 } },
  { name: "sft", options: { loss: "dpo", sftWeight: 0.2 } },
  {
    name: "mixture-logits",
    options: { loss: "mixture", mixtureLogits: [0.3, -0.2, 0.5, -1], entropyWeight: 0.02 },
  },
  {
    name: "hmk-logits",
    options: {
      loss: "hmk",
      beta: 0.3,
      hmkLogits: { tau: [0.2, -0.1], local: [0.4, 0], global: [-0.3, 0.6] },
      entropyWeight: 0.1,
    },
  },
  {
    name: "hmk-js",
    options: { loss: "hmk", divergence: "js", hmkLogits: { tau: [1, -1], local: [0, 2], global: [-1, 0] } },
  },
];

function lossCase(name: string, options: PreferenceLossOptions) {
  const batch = preferenceLossBatch(PAIRS, options);
  return {
    name,
    options,
    loss: batch.loss,
    items: batch.items.map((r) => ({
      loss: r.loss,
      rewardChosen: r.rewardChosen,
      rewardRejected: r.rewardRejected,
      margin: r.margin,
      score: r.score,
      gradChosen: r.gradChosen,
      gradRejected: r.gradRejected,
      ...(r.weights ? { weights: r.weights, entropy: r.entropy, gradLogits: r.gradLogits } : {}),
    })),
  };
}

/** The vectors as written to the file (the Deno test `tests/repo_python_vectors.test.ts` checks the file is current). */
export function buildVectors(): Record<string, unknown> {
  const losses = [];
  for (const loss of Object.keys(LOSSES)) {
    for (const div of DIVERGENCES) {
      for (const kernel of KERNELS) {
        const margin = LOSSES[loss as keyof typeof LOSSES].margin;
        if (kernel.name !== "default" && margin === "linear") continue;
        const options = { loss, beta: 0.1, ...div.options, ...kernel.options } as PreferenceLossOptions;
        losses.push(lossCase(`${loss}/${div.name}/${kernel.name}`, options));
      }
    }
  }
  for (const extra of EXTRAS) losses.push(lossCase(`extra/${extra.name}`, extra.options));

  // Explicit regularizers: D(p‖q) row by row on small distributions, from the float64 numeric divergences.
  const rng = createRandom(13);
  const random = (): number => rng.uniform();
  function distribution(n: number): number[] {
    const w = Array.from({ length: n }, () => 0.05 + random());
    const s = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / s);
  }
  const V = 5;
  const ROWS = Array.from({ length: 3 }, () => [distribution(V), distribution(V)] as const);
  const EMBEDDINGS = Array.from({ length: V }, () => Array.from({ length: 3 }, () => random() * 2 - 1));
  const unit = EMBEDDINGS.map((e) => {
    const n = Math.hypot(...e);
    return e.map((x) => x / n);
  });
  const COST = unit.map((a) =>
    unit.map((b) => Math.max(0, 1 - a.reduce((s, x, i) => s + x * (b[i] as number), 0)))
  );

  type Numeric = (p: number[], q: number[]) => number;
  const EXPLICIT: { name: string; divergence: string; options: Record<string, unknown>; fn: Numeric }[] = [
    { name: "kl", divergence: "kl", options: {}, fn: klDivergence },
    { name: "js", divergence: "js", options: {}, fn: jsDivergence },
    { name: "hellinger", divergence: "hellinger", options: {}, fn: hellingerDistance },
    {
      name: "renyi",
      divergence: "renyi",
      options: {},
      fn: (p, q) => renyiDivergence(p, q, { alpha: DEFAULT_RENYI_ALPHA }),
    },
    {
      name: "renyi(0.5)",
      divergence: "renyi",
      options: { alpha: 0.5 },
      fn: (p, q) => renyiDivergence(p, q, { alpha: 0.5 }),
    },
    {
      name: "renyi(2)",
      divergence: "renyi",
      options: { alpha: 2 },
      fn: (p, q) => renyiDivergence(p, q, { alpha: 2 }),
    },
    { name: "bhattacharyya", divergence: "bhattacharyya", options: {}, fn: bhattacharyyaDistance },
    {
      name: "f",
      divergence: "f",
      options: {},
      fn: (p, q) => fDivergence(p, q, { f: DEFAULT_IMPLICIT_F_GENERATOR }),
    },
    ...(Object.keys(F_GENERATORS) as FGeneratorName[]).flatMap((f) =>
      (f === "alpha" ? [0.3, 1.5] : [undefined]).map((alpha) => ({
        name: `f:${f}${alpha === undefined ? "" : `(${alpha})`}`,
        divergence: "f",
        options: alpha === undefined ? { f } : { f, alpha },
        fn: (p: number[], q: number[]) => fDivergence(p, q, { f, alpha }),
      }))
    ),
    {
      name: "wasserstein",
      divergence: "wasserstein",
      options: { topK: V, epsilon: 0.05, iterations: 5000, tolerance: 1e-12 },
      fn: (p, q) =>
        entropicTransport(p, q, { cost: COST, epsilon: 0.05, tolerance: 1e-14, maxIterations: 1e6 }).cost,
    },
  ];

  /** The defaults the Python side must share (its tests compare its constants with these). */
  const DEFAULTS = {
    renyiAlpha: DEFAULT_RENYI_ALPHA,
    alphaDivergence: DEFAULT_ALPHA_DIVERGENCE,
    implicitF: DEFAULT_IMPLICIT_F_GENERATOR,
    unitSlope: true,
    exponentClamp: EXPONENT_CLAMP,
    sinkhornTolerance: DEFAULT_SINKHORN_TENSOR_TOLERANCE,
    sinkhornMaxIterations: DEFAULT_SINKHORN_TENSOR_MAX_ITERATIONS,
  };

  return {
    generator: "python/vectors/generate.ts (deno task vectors)",
    defaults: DEFAULTS,
    names: {
      losses: Object.keys(LOSSES),
      implicitDivergences: [...new Set(DIVERGENCES.map((d) => d.options.divergence as string))],
      implicitGenerators: [...new Set(DIVERGENCES.flatMap((d) => (d.options.f ? [d.options.f] : [])))],
      kernels: [...KERNEL_NAMES],
      explicitDivergences: Object.keys(EXPLICIT_DIVERGENCES),
      explicitGenerators: Object.keys(F_GENERATORS),
    },
    pairs: PAIRS,
    losses,
    explicit: {
      logP: ROWS.map(([p]) => p.map(Math.log)),
      logQ: ROWS.map(([, q]) => q.map(Math.log)),
      tokenEmbeddings: EMBEDDINGS,
      cases: EXPLICIT.map(({ name, divergence, options, fn }) => ({
        name,
        divergence,
        options,
        values: ROWS.map(([p, q]) => fn(p, q)),
      })),
    },
  };
}

if (import.meta.main) {
  const vectors = buildVectors();
  await Deno.writeTextFile(OUT, JSON.stringify(vectors, null, 1) + "\n");
  const n = (vectors.losses as unknown[]).length;
  const m = (vectors.explicit as { cases: unknown[] }).cases.length;
  console.log(`wrote ${n} loss cases and ${m} explicit cases to ${OUT.pathname}`);
}
