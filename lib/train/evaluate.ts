/**
 * Evaluation on the held-out pairs: the loss, the preference accuracy (overall and per category when there
 * are several), and the mean of every step statistic, under `eval/` names.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { disposeBatch } from "./batch.ts";
import { forwardLosses } from "./forward.ts";
import { readScalars } from "./metrics_log.ts";
import type { PreferenceContext } from "./preference.ts";
import type { Setup } from "./setup.ts";

/**
 * Evaluates the policy on the held-out pairs, in batches of the run's batch size.
 *
 * @param s The run's setup (the held-out pairs, their categories).
 * @param ctx The preference phase.
 * @returns The metrics (empty without held-out pairs).
 * @example
 * ```ts
 * import { setup } from "./setup.ts";
 * import { saveReference } from "./checkpointing.ts";
 * import { disposePreference, preparePreference } from "./preference.ts";
 * import { evaluate } from "./evaluate.ts";
 * import assert from "node:assert/strict";
 * const pairs = Array.from({ length: 10 }, (_, i) => ({ prompt: `${i}+1=`, chosen: `${i + 1}.`, rejected: "x." }));
 * const out = await Deno.makeTempDir();
 * const model = { dModel: 16, layers: 1, heads: 2, contextLength: 16 };
 * const s = await setup({ data: pairs, out, backend: "cpu", model, batchSize: 2, sft: { batchSize: 2 } });
 * const ledger = { lastCheckpoint: undefined as string | undefined };
 * await saveReference(s, `${out}/reference`, ledger);
 * const ctx = await preparePreference(s, `${out}/reference`);
 * const metrics = await evaluate(s, ctx);
 * assert.ok(Math.abs(metrics["eval/loss"]! - Math.LN2) < 1e-6); // policy = reference: DPO's loss is ln 2
 * disposePreference(ctx);
 * s.policy.dispose();
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export async function evaluate(s: Setup, ctx: PreferenceContext): Promise<Record<string, number>> {
  const pairs = s.evalPairs;
  if (pairs.length === 0) return {};
  const size = s.config.batchSize;
  const refs = ctx.config.regularizer === "explicit" ? undefined : ctx.refEval; // explicit: the reference runs
  const sums: Record<string, number> = {};
  let correct = 0;
  const byCategory = new Map<string, [number, number]>();
  for (let start = 0; start < pairs.length; start += size) {
    const indices = Array.from({ length: Math.min(size, pairs.length - start) }, (_, i) => start + i);
    const f = forwardLosses(ctx, pairs, indices, refs, s.trainText.length);
    const r = tf.tidy(() => {
      const out = f.run();
      return { loss: tf.keep(out.loss), stats: out.stats, perPair: out.perPair! };
    });
    const values = await readScalars({ loss: r.loss, ...r.stats });
    const margins = await r.perPair.data();
    tf.dispose([r.loss, r.perPair, ...Object.values(r.stats)]);
    disposeBatch(f.batch);
    for (const [name, v] of Object.entries(values)) sums[name] = (sums[name] ?? 0) + v * indices.length;
    indices.forEach((i, k) => {
      const win = (margins[k] as number) > 0 ? 1 : 0;
      correct += win;
      const category = pairs[i]!.category ?? "all";
      const c = byCategory.get(category) ?? [0, 0];
      byCategory.set(category, [c[0] + win, c[1] + 1]);
    });
  }
  const n = pairs.length;
  const { loss, ...stats } = sums;
  const metrics: Record<string, number> = { "eval/loss": loss! / n, "eval/accuracy": correct / n };
  for (const [name, sum] of Object.entries(stats)) {
    if (Number.isFinite(sum)) metrics[`eval/${name}`] = sum / n;
  }
  for (const [category, [wins, count]] of byCategory) {
    if (byCategory.size > 1) metrics[`eval/accuracy/${category}`] = wins / count;
  }
  return metrics;
}
