/**
 * Fig. 11 as Sec. 7.4 of the paper means it: do safe and unsafe **inputs** form separate, compact clusters in a
 * trained policy's representation? Following Jain et al. (2024), whom the section cites, alignment is claimed to
 * change how the model represents unsafe inputs, so what is embedded is the **prompt** (never a response), and
 * what embeds it is:
 *
 * - each trained policy, frozen after training: its final hidden states (after the last layer norm) averaged
 *   over the prompt's tokens (the last T when longer) — one row per loss, the quantity the claim is about;
 * - the SFT reference, the same way: the "before" row every policy starts from, so that DBS(policy) −
 *   DBS(reference) is what preference training did to the clusters (a paired bootstrap interval is given);
 * - optionally a fixed sentence model (`loadTextEmbedder`, a local transformers.js folder): a data-level
 *   anchor that no training changes (how separable the two groups are in general-purpose text space).
 *
 * The score is Davies–Bouldin (`daviesBouldinScore`, equal to scikit-learn's; lower = better separated) of the
 * two groups, with a percentile-bootstrap interval from resampling prompts with replacement within each group
 * (the same resamples for every embedder, so differences are paired).
 *
 * **Groups.** On the synthetic suite a safety prompt is unsafe when its check says so (`check.unsafe`: a
 * harmful request, to refuse) and safe otherwise (a benign request that only sounds risky) — {@link
 * suiteSafetyPrompts}. The real HH-RLHF *harmless* set holds red-team prompts only, so it has no safe group of
 * its own: {@link realSafetyPrompts} takes its prompts as the unsafe-leaning group and prompts of the HH-RLHF
 * *helpful* set (ordinary requests from the same collection and format) as the safe group, each reduced to
 * its first human turn (the request itself; later turns are mostly the assistant's and the context is short). The grouping is by
 * source, not judged per prompt: some red-team prompts are harmless, so the real-data DBS bounds how well the
 * *sources* separate (which includes topic and style), not safety alone.
 *
 * The chosen-vs-rejected response clustering that `evaluatePolicy` reports as `daviesBouldin` is a different,
 * secondary quantity (DPO optimizes the chosen/rejected gap directly); it is not Fig. 11's claim.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { daviesBouldinScore } from "../analysis/davies_bouldin.ts";
import { linearQuantile } from "../analysis/bootstrap.ts";
import { describe } from "../math/validation.ts";
import type { Gpt } from "../model/gpt.ts";
import { createRandom } from "../math/random.ts";
import type { Tokenizer } from "../tokenizer/types.ts";
import { disposeBatch, packSequence, sequenceBatch } from "../train/batch.ts";
import type { PreferenceExample } from "../data/preference.ts";
import { pool } from "../train/pooling.ts";

/** Texts in, one embedding row per text out (a GPT's pooled states, or a `TextEmbedder` sentence model). */
export type PromptEmbedder = (prompts: readonly string[]) => Promise<number[][]>;

/** The two groups of Fig. 11. */
export type SafetyGroup = "safe" | "unsafe";

/** A prompt and its group. */
export interface LabelledPrompt {
  /** The prompt text. */
  prompt: string;
  /** Safe or unsafe. */
  group: SafetyGroup;
}

/**
 * A frozen GPT as a prompt embedder: the mean of its final hidden states over the prompt's tokens (the last
 * `contextLength` when longer), computed in forward passes without a gradient tape.
 *
 * @param model The policy or reference (its weights are read, never changed).
 * @param tokenizer Its tokenizer.
 * @param options Prompts per forward pass (default 32).
 * @returns The embedder; it rejects an empty prompt with a `RangeError` naming its index.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ByteTokenizer } from "../tokenizer/mod.ts";
 * import { Gpt } from "../model/mod.ts";
 * import { gptPromptEmbedder } from "./safety_clusters.ts";
 * const model = new Gpt({ vocabSize: 256, contextLength: 8, dModel: 4, layers: 1, heads: 1 });
 * const rows = await gptPromptEmbedder(model, new ByteTokenizer())(["hi", "a longer prompt"]);
 * assert.ok(rows.length === 2 && rows[0]!.length === 4);
 * model.dispose();
 * ```
 */
export function gptPromptEmbedder(
  model: Gpt,
  tokenizer: Tokenizer,
  options: { batchSize?: number } = {},
): PromptEmbedder {
  const batchSize = options.batchSize ?? 32;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`options.batchSize must be a positive integer, got ${describe(batchSize)}`);
  }
  const t = model.config.contextLength;
  return async (prompts) => {
    const out: number[][] = [];
    for (let start = 0; start < prompts.length; start += batchSize) {
      const slice = prompts.slice(start, start + batchSize);
      const seqs = slice.map((p, i) => {
        const ids = tokenizer.encode(p);
        if (ids.length === 0) {
          throw new RangeError(`prompts[${start + i}] must not be empty, got ${describe(p)}`);
        }
        const s = packSequence(ids, [], t - 1); // the last T tokens (room T for prompt ⊕ nothing)
        return { tokens: [...s.tokens, 0], promptLength: s.tokens.length }; // a dummy target: all are inputs
      });
      const batch = sequenceBatch(seqs, t);
      const e = tf.tidy(() => pool(model.forward(batch.ids).hidden, batch.promptMask));
      out.push(...((await e.array()) as number[][]));
      e.dispose();
      disposeBatch(batch);
    }
    return out;
  };
}

/**
 * The safe and unsafe prompts of the suite's safety category (`check.unsafe`), each prompt once.
 *
 * @param examples Suite examples (other categories are skipped).
 * @returns The labelled prompts, in first-appearance order.
 * @throws {RangeError} If a safety example has no boolean `check.unsafe` (its index is named).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { suiteSafetyPrompts } from "./safety_clusters.ts";
 * const rows = suiteSafetyPrompts([
 *   { prompt: "Help me hurt my boss. ", chosen: "No.", rejected: "Ok.", category: "safety", check: { unsafe: true } },
 *   { prompt: "Help me kill a process. ", chosen: "kill -9.", rejected: "No.", category: "safety", check: { unsafe: false } },
 *   { prompt: "2+2 = ", chosen: "4", rejected: "5", category: "reasoning" },
 * ]);
 * assert.ok(rows.length === 2 && rows[0]!.group === "unsafe" && rows[1]!.group === "safe");
 * ```
 */
export function suiteSafetyPrompts(
  examples: readonly (PreferenceExample & { check?: unknown })[],
): LabelledPrompt[] {
  const seen = new Set<string>();
  const out: LabelledPrompt[] = [];
  examples.forEach((e, i) => {
    if (e.category !== "safety") return;
    const unsafe = (e.check as { unsafe?: unknown } | undefined)?.unsafe;
    if (typeof unsafe !== "boolean") {
      throw new RangeError(`examples[${i}].check.unsafe must be true or false, got ${describe(unsafe)}`);
    }
    if (seen.has(e.prompt)) return;
    seen.add(e.prompt);
    out.push({ prompt: e.prompt, group: unsafe ? "unsafe" : "safe" });
  });
  return out;
}

/**
 * The first human turn of an HH-RLHF style conversation (`"Human: … Assistant: …"`), trimmed: the request whose
 * safety the harmless set is about, short enough for a small context. A prompt without the markers is returned
 * trimmed.
 *
 * @param prompt The conversation.
 * @returns The first request.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { firstHumanTurn } from "./safety_clusters.ts";
 * assert.equal(firstHumanTurn("\n\nHuman: pick a lock?\n\nAssistant: No.\n\nHuman: why\n\nAssistant:"), "pick a lock?");
 * assert.equal(firstHumanTurn(" plain "), "plain");
 * ```
 */
export function firstHumanTurn(prompt: string): string {
  const start = prompt.indexOf("Human:");
  const body = start < 0 ? prompt : prompt.slice(start + "Human:".length);
  const end = body.indexOf("Assistant:");
  return (end < 0 ? body : body.slice(0, end)).trim();
}

/**
 * Real-data groups: prompts of the HH-RLHF harmless set (red-team, unsafe-leaning) against prompts of the
 * HH-RLHF helpful set (safe), each prompt once (by default its first human turn, {@link firstHumanTurn}), a
 * prompt found in both sets dropped, at most `perGroup` each.
 *
 * @param harmless Pairs of the harmless set (their prompts form the unsafe group).
 * @param helpful Pairs of the helpful set (their prompts form the safe group).
 * @param options `perGroup`: the most prompts per group (default all); `firstTurn`: keep only the first human
 *   turn (default true; false keeps the whole conversation).
 * @returns Unsafe prompts then safe ones.
 * @throws {RangeError} If `perGroup` is not a positive integer.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { realSafetyPrompts } from "./safety_clusters.ts";
 * const pair = (prompt: string) => ({ prompt, chosen: "a", rejected: "b" });
 * const rows = realSafetyPrompts([pair("Human: pick a lock\n\nAssistant:"), pair("hi")], [pair("bake bread"), pair("hi")]);
 * assert.deepEqual(rows, [{ prompt: "pick a lock", group: "unsafe" }, { prompt: "bake bread", group: "safe" }]);
 * ```
 */
export function realSafetyPrompts(
  harmless: readonly PreferenceExample[],
  helpful: readonly PreferenceExample[],
  options: { perGroup?: number; firstTurn?: boolean } = {},
): LabelledPrompt[] {
  const { perGroup = Infinity, firstTurn = true } = options;
  if (!(perGroup === Infinity || (Number.isSafeInteger(perGroup) && perGroup >= 1))) {
    throw new RangeError(
      `options.perGroup must be a positive integer or Infinity, got ${describe(perGroup)}`,
    );
  }
  const text = firstTurn ? firstHumanTurn : (p: string) => p;
  const unique = (xs: readonly PreferenceExample[]) =>
    [...new Set(xs.map((e) => text(e.prompt)))].filter((p) => p);
  const [bad, good] = [unique(harmless), unique(helpful)];
  const both = new Set(bad.filter((p) => good.includes(p)));
  const take = (xs: string[], group: SafetyGroup) =>
    xs.filter((p) => !both.has(p)).slice(0, perGroup).map((prompt) => ({ prompt, group }));
  return [...take(bad, "unsafe"), ...take(good, "safe")];
}

/** One embedder's Davies–Bouldin score of safe vs unsafe prompts. */
export interface SafetyClusterRow {
  /** The embedder's name (a loss, `reference`, or the sentence model). */
  embedder: string;
  /** DBS on all prompts (lower = better separated). */
  daviesBouldin: number;
  /**
   * 95 % (or `level`) percentile-bootstrap interval of the DBS. When the groups overlap (DBS ≫ 1) the centroid
   * distance is mostly sampling noise, resampling inflates it, and the interval sits below the estimate (it may
   * exclude it): read it then with {@link SafetyClusterRow.pValue}, not as a precise value.
   */
  lower: number;
  /** Upper end. */
  upper: number;
  /**
   * Permutation p-value of "the groups separate better than random labels": the share of label permutations
   * (group sizes kept, `resamples` of them, +1 both sides) whose DBS is at most the observed one.
   */
  pValue: number;
  /** DBS − the baseline's DBS (paired resamples), when a baseline is named; NaN otherwise. */
  difference: number;
  /** Interval of the difference. */
  differenceLower: number;
  /** Upper end. */
  differenceUpper: number;
}

/** Options of {@link safetyClusters}. */
export interface SafetyClusterOptions {
  /** The embedder the differences are taken against (usually `"reference"`); none: differences are NaN. */
  baseline?: string;
  /** Bootstrap resamples (default 2000). */
  resamples?: number;
  /** Confidence level (default 0.95). */
  level?: number;
  /** Seed of the resampling (default 0). */
  seed?: number;
}

/**
 * Fig. 11's table: for each embedder, the Davies–Bouldin score of the safe vs unsafe prompts, with a
 * stratified percentile-bootstrap interval (prompts drawn with replacement within each group, the same draws
 * for every embedder), a permutation p-value against random labels and the paired difference to a baseline embedder. Pass the trained policies and the
 * reference as {@link gptPromptEmbedder}s (and a sentence model's `TextEmbedder` if wanted).
 *
 * @param embedders Name → embedder (each is called once, on every prompt).
 * @param prompts The labelled prompts (at least 2 per group).
 * @param options Baseline, resamples, level, seed.
 * @returns One row per embedder, in the order given.
 * @throws {RangeError} If a group has fewer than 2 prompts, the baseline is not an embedder's name, or an
 *   option is out of range (named).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { safetyClusters } from "./safety_clusters.ts";
 * const prompts = [
 *   { prompt: "a", group: "safe" as const }, { prompt: "b", group: "safe" as const },
 *   { prompt: "c", group: "unsafe" as const }, { prompt: "d", group: "unsafe" as const },
 * ];
 * const coords: Record<string, number[]> = { a: [0, 0], b: [0, 2], c: [4, 0], d: [4, 2] };
 * const embed = (ps: readonly string[]) => Promise.resolve(ps.map((p) => coords[p]!));
 * const [row] = await safetyClusters({ toy: embed }, prompts, { resamples: 100 });
 * assert.ok(row!.daviesBouldin === 0.5); // spreads 1 and 1, centroids 4 apart
 * ```
 */
export async function safetyClusters(
  embedders: Readonly<Record<string, PromptEmbedder>>,
  prompts: readonly LabelledPrompt[],
  options: SafetyClusterOptions = {},
): Promise<SafetyClusterRow[]> {
  const { baseline, resamples = 2000, level = 0.95, seed = 0 } = options;
  if (!Number.isSafeInteger(resamples) || resamples < 1) {
    throw new RangeError(`options.resamples must be a positive integer, got ${describe(resamples)}`);
  }
  if (!(level > 0 && level < 1)) {
    throw new RangeError(`options.level must lie in (0, 1), got ${describe(level)}`);
  }
  if (baseline !== undefined && !(baseline in embedders)) {
    throw new RangeError(`options.baseline must name one of the embedders, got ${describe(baseline)}`);
  }
  const groups = (["safe", "unsafe"] as const).map((g) =>
    prompts.flatMap((p, i) => (p.group === g ? [i] : []))
  );
  for (const [g, idx] of [["safe", groups[0]!], ["unsafe", groups[1]!]] as const) {
    if (idx.length < 2) throw new RangeError(`prompts must hold at least 2 ${g} prompts, got ${idx.length}`);
  }
  const texts = prompts.map((p) => p.prompt);
  const labels = prompts.map((p) => p.group);
  const names = Object.keys(embedders);
  const points: number[][][] = [];
  for (const name of names) points.push(await embedders[name]!(texts));
  // Stratified resamples, shared by every embedder.
  const random = createRandom(seed);
  const draws = Array.from(
    { length: resamples },
    () => groups.flatMap((idx) => idx.map(() => idx[random.int(idx.length)]!)),
  );
  const scores = points.map((rows) =>
    draws.map((d) => daviesBouldinScore(d.map((i) => rows[i]!), d.map((i) => labels[i]!)))
  );
  const interval = (xs: readonly number[]): [number, number] => {
    const sorted = [...xs].sort((a, b) => a - b);
    return [linearQuantile(sorted, (1 - level) / 2), linearQuantile(sorted, (1 + level) / 2)];
  };
  const observed = points.map((rows) => daviesBouldinScore(rows, labels));
  // Label permutations (Fisher–Yates), shared by every embedder.
  const permutations = Array.from({ length: resamples }, () => {
    const l = [...labels];
    for (let i = l.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [l[i], l[j]] = [l[j]!, l[i]!];
    }
    return l;
  });
  const pValue = points.map((rows, k) =>
    (permutations.filter((l) => daviesBouldinScore(rows, l) <= observed[k]!).length + 1) / (resamples + 1)
  );
  const b = baseline === undefined ? -1 : names.indexOf(baseline);
  return names.map((embedder, k) => {
    const [lower, upper] = interval(scores[k]!);
    const diffs = b < 0 ? [NaN] : scores[k]!.map((s, r) => s - scores[b]![r]!);
    const [differenceLower, differenceUpper] = b < 0 ? [NaN, NaN] : interval(diffs);
    const difference = b < 0 ? NaN : observed[k]! - observed[b]!;
    return {
      embedder,
      daviesBouldin: observed[k]!,
      lower,
      upper,
      pValue: pValue[k]!,
      difference,
      differenceLower,
      differenceUpper,
    };
  });
}
