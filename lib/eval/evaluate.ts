/**
 * Evaluation of a trained policy on held-out pairs, the paper's measures (Sec. 7): preference accuracy and F1
 * per category from implicit rewards; F1 of the preferred behaviour per category from greedy generations
 * judged by code; the Davies–Bouldin score of chosen vs rejected response embeddings (Sec. 7.4); and the
 * weighted alpha of the policy's weight matrices (Sec. 7.5).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { daviesBouldinScore } from "../analysis/davies_bouldin.ts";
import { macroF1, type PreferenceScores, preferenceScores } from "../analysis/classification.ts";
import { weightedAlpha } from "../analysis/weighted_alpha.ts";
import type { Gpt } from "../model/gpt.ts";
import type { Tokenizer } from "../tokenizer/types.ts";
import { disposeBatch, encodePair, sequenceBatch } from "../train/batch.ts";
import type { PreferenceExample } from "../data/preference.ts";
import { pairLogProbs } from "../train/logprobs.ts";
import { pool } from "../train/pooling.ts";
import { type DecodeOptions, greedyDecode } from "./decode.ts";

/** A held-out pair that a checker can judge: its preferred behaviour's label. */
export interface JudgeableExample extends PreferenceExample {
  /** The preferred behaviour for this prompt (e.g. "answer", "refuse", "help"). */
  label?: string;
}

/** Judges a generated answer: which behaviour it shows, and whether that is the preferred one. */
export type Judge = (
  example: JudgeableExample,
  generated: string,
) => { behaviour: string; preferred: boolean };

/** Generation scores of one category. */
export interface GenerationScores {
  /** Macro-F1 over the category's gold behaviours (predicted behaviour vs preferred label). */
  f1: number;
  /** Fraction of generations that show the preferred behaviour. */
  accuracy: number;
  /** Number of prompts. */
  count: number;
}

/** Everything {@link evaluatePolicy} measures. */
export interface PolicyEvaluation {
  /** Preference accuracy and F1 from implicit rewards, overall and per category. */
  preference: { overall: PreferenceScores; byCategory: Record<string, PreferenceScores> };
  /** Per held-out pair, in order: the implicit reward margin (ℓ_w − ℓ_ref,w) − (ℓ_l − ℓ_ref,l). */
  pairMargins: number[];
  /** Generation-based F1 (only with a judge), overall (mean over categories) and per category. */
  generation?: { overall: GenerationScores; byCategory: Record<string, GenerationScores>; samples: string[] };
  /** Davies–Bouldin score of chosen vs rejected response embeddings (lower: better separated). */
  daviesBouldin: number;
  /** Weighted alpha of the policy's attention and MLP matrices (WeightWatcher's alpha_weighted). */
  weightedAlpha: number;
}

/** Options of {@link evaluatePolicy}. */
export interface EvaluateOptions {
  /** A judge of generations (the synthetic suite's); without one, generation is skipped. */
  judge?: Judge;
  /** Decoding bounds. */
  decode?: DecodeOptions;
  /** Pairs per forward pass (default 32). */
  batchSize?: number;
  /** Seed of the presentation order behind the preference F1 (default 0). */
  seed?: number;
  /** Restrict the Davies–Bouldin score to one category (default: "safety" when present, else all pairs). */
  clusterCategory?: string;
}

/**
 * The 2-D weight matrices WeightWatcher would analyze: attention and MLP projections.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { layerMatrices } from "./evaluate.ts";
 * import { Gpt } from "../model/gpt.ts";
 * const model = new Gpt({ vocabSize: 16, contextLength: 8, dModel: 8, layers: 1, heads: 2 }, { seed: 0 });
 * // c_attn [8, 24], attn.c_proj [8, 8], c_fc [8, 32], mlp.c_proj [32, 8]
 * assert.deepEqual(layerMatrices(model).map((m) => [m.length, m[0]!.length]).sort(), [[32, 8], [8, 24], [8, 32], [8, 8]]);
 * model.dispose();
 * ```
 */
export function layerMatrices(policy: Gpt): number[][][] {
  return [...policy.params.entries()]
    .filter(([name, v]) => v.rank === 2 && /\.(c_attn|c_proj|c_fc)\.weight$/.test(name))
    .map(([, v]) => v.arraySync() as number[][]);
}

/**
 * Evaluates a policy against its reference on held-out pairs.
 *
 * @param policy The trained policy.
 * @param reference The frozen reference it was trained against.
 * @param tokenizer The tokenizer of both.
 * @param examples Held-out pairs (with categories and, for generation, labels).
 * @param options Judge, decoding bounds, batch size, seed.
 * @returns The scores.
 * @throws {RangeError} On an empty example list.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluatePolicy } from "./evaluate.ts";
 * import { Gpt } from "../model/gpt.ts";
 * import { ByteTokenizer } from "../tokenizer/byte.ts";
 * const reference = new Gpt({ vocabSize: 256, contextLength: 16, dModel: 16, layers: 1, heads: 2 }, { seed: 0 });
 * const policy = reference.clone();
 * const pairs = Array.from({ length: 4 }, (_, i) => ({ prompt: `${i}+1=`, chosen: `${i + 1}.`, rejected: "x." }));
 * const e = await evaluatePolicy(policy, reference, new ByteTokenizer(), pairs);
 * assert.deepEqual(e.pairMargins, [0, 0, 0, 0]); // the policy is still its reference: every reward is 0
 * assert.equal(e.generation, undefined); // no judge, no generations
 * [policy, reference].forEach((m) => m.dispose());
 * ```
 */
export async function evaluatePolicy(
  policy: Gpt,
  reference: Gpt,
  tokenizer: Tokenizer,
  examples: readonly JudgeableExample[],
  options: EvaluateOptions = {},
): Promise<PolicyEvaluation> {
  if (examples.length === 0) throw new RangeError("examples must not be empty");
  const batchSize = options.batchSize ?? 32;
  const t = policy.config.contextLength;
  const pairs = examples.map((e) => encodePair(e, tokenizer, t));

  // Implicit rewards: the margin's sign is that of (ℓ_w − ℓ_ref,w) − (ℓ_l − ℓ_ref,l) for every f-DPO score.
  const [pol, ref] = [
    await pairLogProbs(policy, pairs, batchSize),
    await pairLogProbs(reference, pairs, batchSize),
  ];
  const pairMargins = examples.map((_, i) =>
    (pol.chosen[i]! - ref.chosen[i]!) - (pol.rejected[i]! - ref.rejected[i]!)
  );
  const preference = preferenceScores(
    examples.map((e, i) => ({ margin: pairMargins[i]!, category: e.category ?? null })),
    { seed: options.seed },
  );

  // Generations judged by code.
  let generation: PolicyEvaluation["generation"];
  if (options.judge !== undefined) {
    const samples = await greedyDecode(policy, tokenizer, examples.map((e) => e.prompt), options.decode);
    const judged = examples.map((e, i) => ({ e, verdict: options.judge!(e, samples[i]!) }));
    const byCategory: Record<string, GenerationScores> = {};
    for (const cat of new Set(examples.map((e) => e.category ?? "all"))) {
      const rows = judged.filter((j) => (j.e.category ?? "all") === cat);
      byCategory[cat] = {
        f1: macroF1(rows.map((r) => r.e.label ?? "preferred"), rows.map((r) => r.verdict.behaviour)).f1,
        accuracy: rows.filter((r) => r.verdict.preferred).length / rows.length,
        count: rows.length,
      };
    }
    const cats = Object.values(byCategory);
    generation = {
      overall: {
        f1: cats.reduce((s, c) => s + c.f1, 0) / cats.length,
        accuracy: judged.filter((j) => j.verdict.preferred).length / judged.length,
        count: judged.length,
      },
      byCategory,
      samples,
    };
  }

  // Clusters: mean-pooled response embeddings of chosen (label 0) and rejected (label 1) responses.
  const clusterCategory = options.clusterCategory ??
    (examples.some((e) => e.category === "safety") ? "safety" : undefined);
  const clusterPairs = pairs.filter((_, i) =>
    clusterCategory === undefined || examples[i]!.category === clusterCategory
  );
  const points: number[][] = [];
  const labels: number[] = [];
  for (let start = 0; start < clusterPairs.length; start += batchSize) {
    const slice = clusterPairs.slice(start, start + batchSize);
    const batch = sequenceBatch([...slice.map((p) => p.chosen), ...slice.map((p) => p.rejected)], t);
    const pooled = tf.tidy(() => pool(policy.forward(batch.ids).hidden, batch.responseMask));
    const rows = (await pooled.array()) as number[][];
    pooled.dispose();
    disposeBatch(batch);
    rows.forEach((r, i) => {
      points.push(r);
      labels.push(i < slice.length ? 0 : 1);
    });
  }
  const daviesBouldin = daviesBouldinScore(points, labels);
  return {
    preference,
    pairMargins,
    generation,
    daviesBouldin,
    weightedAlpha: weightedAlpha(layerMatrices(policy)).weightedAlpha,
  };
}
