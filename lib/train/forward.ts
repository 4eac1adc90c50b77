/**
 * The forward passes of a training step: the SFT loss of a batch of chosen responses, and the preference loss
 * of a batch of pairs with the statistics TRL logs, as a named record of scalars.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Gpt } from "../model/gpt.ts";
import { type EncodedPair, type SequenceBatch, sequenceBatch } from "./batch.ts";
import { explicitRegularizer } from "./explicit_regularizer.ts";
import { pairEmbeddingMargin } from "./frozen_embedder.ts";
import { DRIFT_METRICS, driftStats } from "./diagnostics.ts";
import { tensorPreferenceLoss } from "./tensor_losses.ts";
import type { PreferenceContext } from "./preference.ts";
import type { PairLogProbs } from "./logprobs.ts";

/** What a forward pass computes: the loss, named statistics and (for evaluation) each pair's reward margin. */
export interface ForwardResult {
  /** The loss to minimize. */
  loss: tf.Scalar;
  /** Statistics by metric name (`rewards/chosen`, …), kept beyond the caller's `tf.tidy`. */
  stats: Record<string, tf.Scalar>;
  /** r_w − r_l per pair (preference only), kept beyond the caller's `tf.tidy`. */
  perPair?: tf.Tensor1D;
}

/** A batch on the device and the pass over it: call `run` inside `tf.tidy` or `tf.variableGrads`. */
export interface Forward {
  /** The batch (free it with `disposeBatch`). */
  batch: SequenceBatch;
  /** The forward pass. */
  run: () => ForwardResult;
}

/**
 * The SFT loss of a batch: the token-mean NLL of the response tokens, −Σ mask·log p / Σ mask.
 *
 * @param policy The policy.
 * @param batch The batch of chosen responses.
 * @returns The loss.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { Gpt } from "../model/gpt.ts";
 * import { disposeBatch, sequenceBatch } from "./batch.ts";
 * import { sftLoss } from "./forward.ts";
 * import assert from "node:assert/strict";
 * const policy = new Gpt({ vocabSize: 256, contextLength: 8, dModel: 16, layers: 1, heads: 2 }, { seed: 0 });
 * const batch = sequenceBatch([{ tokens: [49, 43, 49, 61, 50], promptLength: 4 }], 8);
 * const loss = tf.tidy(() => sftLoss(policy, batch));
 * assert.ok(Math.abs((await loss.data())[0]! - Math.log(256)) < 1); // near-uniform at initialization
 * tf.dispose(loss);
 * disposeBatch(batch);
 * policy.dispose();
 * ```
 */
export function sftLoss(policy: Gpt, batch: SequenceBatch): tf.Scalar {
  const logps = policy.sequenceLogProbs(batch.ids, batch.targets, batch.responseMask).logps; // [B]
  return tf.div(tf.neg(tf.sum(logps)), tf.maximum(tf.sum(batch.responseMask), 1)) as tf.Scalar;
}

/**
 * The SFT forward pass over the chosen responses of `indices`.
 *
 * @param policy The policy.
 * @param pairs The encoded pairs.
 * @param indices The batch's pairs.
 * @returns The batch and its pass (no statistics besides the loss).
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { Gpt } from "../model/gpt.ts";
 * import { ByteTokenizer } from "../tokenizer/byte.ts";
 * import { disposeBatch, encodePair } from "./batch.ts";
 * import { sftForward } from "./forward.ts";
 * import assert from "node:assert/strict";
 * const policy = new Gpt({ vocabSize: 256, contextLength: 16, dModel: 16, layers: 1, heads: 2 }, { seed: 0 });
 * const pairs = [encodePair({ prompt: "1+1=", chosen: "2.", rejected: "3." }, new ByteTokenizer(), 16)];
 * const f = sftForward(policy, pairs, [0]);
 * const loss = tf.tidy(() => f.run().loss);
 * assert.ok((await loss.data())[0]! > 0); // the NLL of a random policy, about ln 256 per token
 * tf.dispose(loss);
 * disposeBatch(f.batch);
 * policy.dispose();
 * ```
 */
export function sftForward(policy: Gpt, pairs: readonly EncodedPair[], indices: readonly number[]): Forward {
  const batch = sequenceBatch(indices.map((i) => pairs[i]!.chosen), policy.config.contextLength);
  return { batch, run: () => ({ loss: sftLoss(policy, batch), stats: {} }) };
}

/**
 * The preference forward pass over the pairs of `indices`: policy (and, for the explicit regularizer,
 * reference) log-probs of chosen and rejected responses, the hybrid term's embedding margin, the loss of the
 * run's table entry with its settings untouched, and the explicit regularizer where configured.
 *
 * @param ctx The preference phase's context.
 * @param pairs The encoded pairs.
 * @param indices The batch's pairs.
 * @param refs The reference's precomputed log-probs (implicit regularizer), or none (the reference runs).
 * @param marginOffset Where `pairs` start in the frozen embedder's margins (training pairs first).
 * @returns The batch and its pass.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { setup } from "./setup.ts";
 * import { saveReference } from "./checkpointing.ts";
 * import { disposePreference, preparePreference } from "./preference.ts";
 * import { forwardLosses } from "./forward.ts";
 * import { disposeBatch } from "./batch.ts";
 * import assert from "node:assert/strict";
 * const pairs = Array.from({ length: 10 }, (_, i) => ({ prompt: `${i}+1=`, chosen: `${i + 1}.`, rejected: "x." }));
 * const out = await Deno.makeTempDir();
 * const model = { dModel: 16, layers: 1, heads: 2, contextLength: 16 };
 * const s = await setup({ data: pairs, out, backend: "cpu", model, batchSize: 2, sft: { batchSize: 2 } });
 * await saveReference(s, `${out}/reference`, { lastCheckpoint: undefined });
 * const ctx = await preparePreference(s, `${out}/reference`);
 * const forward = forwardLosses(ctx, s.train, [0, 1], ctx.refTrain);
 * const loss = tf.tidy(() => {
 *   const r = forward.run();
 *   tf.dispose([...Object.values(r.stats), ...(r.perPair ? [r.perPair] : [])]); // kept beyond tidy: freed here
 *   return r.loss;
 * });
 * // the policy starts as its reference: DPO's loss is −log σ(0) = ln 2
 * assert.ok(Math.abs((await loss.data())[0]! - Math.LN2) < 1e-5);
 * loss.dispose();
 * disposeBatch(forward.batch);
 * disposePreference(ctx);
 * s.policy.dispose();
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export function forwardLosses(
  ctx: PreferenceContext,
  pairs: readonly EncodedPair[],
  indices: readonly number[],
  refs: PairLogProbs | undefined,
  marginOffset = 0,
): Forward {
  const { policy, reference, frozenMargins, sinkhornReport } = ctx;
  const batch = sequenceBatch([
    ...indices.map((i) => pairs[i]!.chosen),
    ...indices.map((i) => pairs[i]!.rejected),
  ], policy.config.contextLength);
  const run = (): ForwardResult => {
    const out = policy.sequenceLogProbs(batch.ids, batch.targets, batch.responseMask); // logps [2B]
    const [pc, pr] = tf.split(out.logps, 2) as [tf.Tensor1D, tf.Tensor1D];
    let rc: tf.Tensor1D;
    let rr: tf.Tensor1D;
    let refLogits: tf.Tensor3D | undefined;
    if (refs !== undefined) {
      rc = tf.tensor1d(indices.map((i) => refs.chosen[i]!));
      rr = tf.tensor1d(indices.map((i) => refs.rejected[i]!));
    } else {
      const r = reference.sequenceLogProbs(batch.ids, batch.targets, batch.responseMask);
      [rc, rr] = tf.split(r.logps, 2) as [tf.Tensor1D, tf.Tensor1D];
      refLogits = r.logits;
    }
    let embeddingMargin: tf.Tensor1D | undefined;
    if (frozenMargins !== undefined) {
      embeddingMargin = tf.tensor1d(indices.map((i) => frozenMargins[marginOffset + i]!));
    } else if (ctx.policyEmbeddings) {
      // e = log κ(e_x, e_w) − log κ(e_x, e_l) with the unit RBF: cos(e_x, e_w) − cos(e_x, e_l).
      embeddingMargin = pairEmbeddingMargin(out.hidden, batch);
    }
    const [tc, tr] = tf.split(batch.responseTokens, 2) as [tf.Tensor1D, tf.Tensor1D];
    const result = tensorPreferenceLoss({
      policyChosen: pc,
      policyRejected: pr,
      referenceChosen: rc,
      referenceRejected: rr,
      embeddingMargin,
      chosenTokens: tc,
      rejectedTokens: tr,
    }, ctx.lossOptions);
    const stats: Record<string, tf.Scalar> = {
      "rewards/chosen": tf.mean(result.rewardsChosen),
      "rewards/rejected": tf.mean(result.rewardsRejected),
      "rewards/accuracies": tf.mean(
        tf.cast(tf.greater(result.rewardsChosen, result.rewardsRejected), "float32"),
      ),
      "rewards/margins": tf.mean(result.margins),
      "logps/chosen": tf.mean(pc),
      "logps/rejected": tf.mean(pr),
    };
    // Drift of both responses' log-probs from the reference (the collapse diagnostics, diagnostics.ts).
    const drift = driftStats(pc, pr, rc, rr, tc, tr);
    DRIFT_METRICS.forEach((name, i) => (stats[name] = drift[i]!));
    let loss = result.loss;
    if (refLogits !== undefined) {
      const divergence = explicitRegularizer(
        out.logits,
        refLogits,
        batch.responseMask,
        ctx.config.divergence,
        ctx.regularizerOptions,
      );
      loss = tf.add(loss, tf.mul(ctx.config.regularizerWeight, divergence)) as tf.Scalar;
      stats["divergence"] = divergence;
      const marginal = sinkhornReport.marginalError;
      if (marginal !== undefined) stats["sinkhorn/marginal_error"] = tf.scalar(marginal);
    }
    for (const s of Object.values(stats)) tf.keep(s);
    return { loss, stats, perPair: tf.keep(tf.sub(result.rewardsChosen, result.rewardsRejected)) };
  };
  return { batch, run };
}
