/**
 * The hybrid term with each embedder (issue 12, build 6): from one SFT reference per seed, DPO (γ = 0) and the
 * hybrid loss (γ = 0.5, `--gamma`) with `embedder: "reference"` (frozen, the default) and `"policy"` (trainable) — plus a
 * local transformers.js model folder with `--sentence DIR` — on the embedded suite. Reports held-out pairwise
 * accuracy (implicit reward r_w > r_l, ties ½) with a bootstrap interval over pairs and seeds, the paired
 * difference to DPO (interval and sign-flip p), and Fig. 11's Davies–Bouldin of safe vs unsafe held-out prompts
 * embedded by each trained policy, with its paired difference to the reference. Prints Markdown.
 *
 * Usage: deno run -A bench/hybrid_embedders.ts [--seeds 3] [--sft 150] [--steps 80] [--gamma 0.5] [--sentence DIR]
 *          [--out DIR]
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { bootstrapMeanInterval } from "../lib/analysis/bootstrap.ts";
import { pairedComparison } from "../lib/analysis/paired_comparison.ts";
import { pairScores } from "../lib/analysis/pairwise_accuracy.ts";
import { readSyntheticJsonl } from "../lib/data/mod.ts";
import { sftReference } from "../lib/eval/experiment.ts";
import {
  gptPromptEmbedder,
  type PromptEmbedder,
  safetyClusters,
  suiteSafetyPrompts,
} from "../lib/eval/safety_clusters.ts";
import { encodePair, pairLogProbs, train, type TrainConfig } from "../lib/train/mod.ts";
import { Gpt, useBackend } from "../lib/model/mod.ts";
import { loadCheckpoint } from "../lib/io/mod.ts";
import { ByteTokenizer } from "../lib/tokenizer/mod.ts";
import { loadTextEmbedder } from "../lib/train/embedder.ts";
import { referenceEmbeddingMargins } from "../lib/train/frozen_embedder.ts";

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "3" },
    sft: { type: "string", default: "150" },
    steps: { type: "string", default: "80" },
    gamma: { type: "string", default: "0.5" },
    sentence: { type: "string" },
    out: { type: "string" },
  },
});
const f = (x: number) => x.toFixed(3);
const SEEDS = Array.from({ length: Number(values.seeds) }, (_, i) => i);
const started = performance.now();
console.error("backend:", await useBackend("wasm"));
const root = new URL("../data/", import.meta.url).pathname;
const trainSet = await readSyntheticJsonl(`${root}synthetic_train.jsonl`);
const testSet = await readSyntheticJsonl(`${root}synthetic_test.jsonl`);
const out = values.out ?? await Deno.makeTempDir({ prefix: "hybrid-embedders-" });
const base: Partial<TrainConfig> = {
  model: { dModel: 32, layers: 2, heads: 2, contextLength: 64 },
  batchSize: 8,
  learningRate: 5e-4,
  beta: 0.1,
  sft: { batchSize: 16, learningRate: 1e-3 },
};
const methods: Record<string, Partial<TrainConfig>> = {
  dpo: { loss: "dpo" },
  "hybrid, reference": { loss: "hybrid", embedder: "reference" },
  "hybrid, policy": { loss: "hybrid", embedder: "policy" },
};
if (values.sentence !== undefined) {
  methods["hybrid, sentence model"] = { loss: "hybrid", embedder: values.sentence };
}
const GAMMA = Number(values.gamma);
for (const m of Object.values(methods)) if (m.loss === "hybrid") m.gamma = GAMMA;

const tokenizer = new ByteTokenizer();
const load = async (dir: string) => {
  const c = await loadCheckpoint(dir);
  const m = new Gpt(c.config, { weights: c.weights, trainable: false });
  tf.dispose([...c.weights.values(), ...(c.optimizer?.values() ?? [])]);
  return m;
};
const pairs = testSet.map((e) => encodePair(e, tokenizer, 64));
const scores: Record<string, number[][]> = Object.fromEntries(Object.keys(methods).map((m) => [m, []]));
const prompts = suiteSafetyPrompts(testSet);
const dbRows: Record<
  string,
  { db: number; lo: number; hi: number; p: number; d: number; dlo: number; dhi: number }[]
> = {};
const meanAbs = (xs: ArrayLike<number>) => Array.from(xs).reduce((s, x) => s + Math.abs(x), 0) / xs.length;
const embeddingScale: string[] = [];
const grid = { train: trainSet, test: testSet, out, sftSteps: Number(values.sft), base };
for (const seed of SEEDS) {
  const refDir = await sftReference(grid, seed);
  const reference = await load(refDir);
  const ref = await pairLogProbs(reference, pairs, 32);
  const e = await referenceEmbeddingMargins(reference, pairs, 32);
  const refMargin = Array.from(ref.chosen, (c, i) => base.beta! * (c - ref.rejected[i]!));
  embeddingScale.push(
    `seed ${seed}: mean |e| ${meanAbs(e).toExponential(2)}, mean |β(ℓ_w − ℓ_l)| ${f(meanAbs(refMargin))}`,
  );
  const embedders: Record<string, PromptEmbedder> = { reference: gptPromptEmbedder(reference, tokenizer) };
  const policies: Gpt[] = [];
  for (const [name, m] of Object.entries(methods)) {
    const dir = `${out}/seed${seed}/${name.replace(/[^a-z]+/g, "-")}`;
    for await (
      const _ of train({
        ...base,
        ...m,
        data: trainSet,
        out: dir,
        model: refDir,
        sft: { steps: 0 },
        steps: Number(values.steps),
        seed,
        evalFraction: 0,
        evalEvery: 0,
        checkpointEvery: 0,
        overwrite: true,
      })
    ) { /* drain */ }
    const policy = await load(`${dir}/final`);
    policies.push(policy);
    const p = await pairLogProbs(policy, pairs, 32);
    const beta = base.beta!;
    scores[name]!.push(pairScores(
      Array.from(p.chosen, (c, i) => beta * (c - ref.chosen[i]!)),
      Array.from(p.rejected, (r, i) => beta * (r - ref.rejected[i]!)),
    ));
    embedders[name] = gptPromptEmbedder(policy, tokenizer);
    console.error(`seed ${seed} ${name}: ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  const sentence = values.sentence === undefined ? undefined : await loadTextEmbedder(values.sentence);
  if (sentence !== undefined) embedders["sentence model (fixed)"] = sentence;
  for (
    const r of await safetyClusters(embedders, prompts, { baseline: "reference", resamples: 1000, seed })
  ) {
    (dbRows[r.embedder] ??= []).push({
      db: r.daviesBouldin,
      lo: r.lower,
      hi: r.upper,
      p: r.pValue,
      d: r.difference,
      dlo: r.differenceLower,
      dhi: r.differenceUpper,
    });
  }
  await sentence?.dispose();
  for (const p of policies) p.dispose();
  reference.dispose();
}

console.log(
  `\n${pairs.length} held-out pairs × ${SEEDS.length} seeds; SFT ${values.sft} + ${values.steps} steps; γ ${GAMMA}\n`,
);
console.log(`Reference on the held-out pairs: ${embeddingScale.join("; ")}\n`);
console.log("| method | accuracy [95 % CI] | − DPO [95 % CI] | p |\n|---|---|---|---|");
for (const [name, table] of Object.entries(scores)) {
  const a = bootstrapMeanInterval(table, { seed: 1 });
  const c = name === "dpo" ? undefined : pairedComparison(table, scores.dpo!, { seed: 1 });
  console.log(
    `| ${name} | ${f(a.estimate)} [${f(a.lower)}, ${f(a.upper)}] | ${
      c ? `${f(c.difference)} [${f(c.lower)}, ${f(c.upper)}] | ${c.pValue.toFixed(3)}` : "— | —"
    } |`,
  );
}
console.log(`\nFig. 11: DBS of ${prompts.length} held-out safety prompts (safe vs unsafe), per seed\n`);
console.log(
  "| embedder | DBS [95 % CI] (permutation p) per seed | − reference [95 % CI] per seed |\n|---|---|---|",
);
for (const [name, rows] of Object.entries(dbRows)) {
  console.log(
    `| ${name} | ${rows.map((r) => `${f(r.db)} [${f(r.lo)}, ${f(r.hi)}] (${r.p.toFixed(3)})`).join("; ")} | ${
      rows.map((
        r,
      ) => (Number.isNaN(r.d) || name === "reference" ? "—" : `${f(r.d)} [${f(r.dlo)}, ${f(r.dhi)}]`))
        .join("; ")
    } |`,
  );
}
console.log(`\n${((performance.now() - started) / 1000).toFixed(0)} s wall`);
