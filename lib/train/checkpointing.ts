/**
 * The trainer's checkpoints, each written only once its weights were verified: every weight finite, and the
 * loss the next step would compute finite (finite but runaway weights give NaN there). The last verified
 * checkpoint is what every {@link TrainingError} names.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { saveCheckpoint } from "../io/checkpoint.ts";
import type { JsonValue } from "../io/checkpoint_config.ts";
import { batchIndices, disposeBatch } from "./batch.ts";
import { assertWeightsFinite, nonFiniteProbeError } from "./finite_guard.ts";
import { type Forward, forwardLosses, sftForward } from "./forward.ts";
import type { AdamW } from "./optimizer.ts";
import type { PreferenceContext } from "./preference.ts";
import { join, type Setup } from "./setup.ts";
import type { MixtureParameters } from "./tensor_losses.ts";

/** The run's record of its last checkpoint whose weights were verified finite. */
export interface CheckpointLedger {
  /** That checkpoint's folder, if any. */
  lastCheckpoint: string | undefined;
}

/** The loss of one forward pass with no update (the probe before a save). */
async function probeLoss(forward: Forward): Promise<number> {
  const r = tf.tidy(() => {
    const out = forward.run();
    return {
      loss: tf.keep(out.loss),
      kept: [...Object.values(out.stats), ...(out.perPair ? [out.perPair] : [])],
    };
  });
  const value = (await r.loss.data())[0]!;
  tf.dispose([r.loss, ...r.kept]);
  disposeBatch(forward.batch);
  return value;
}

/** Verifies the weights (finite, and a finite probe loss) before anything named `name` is written. */
async function verify(
  vars: readonly tf.Variable[],
  forward: () => Forward,
  phase: string,
  step: number,
  name: string,
  ledger: CheckpointLedger,
): Promise<void> {
  await assertWeightsFinite(
    vars,
    `before writing ${name} (${phase}step ${step})`,
    step,
    ledger.lastCheckpoint,
  );
  const loss = await probeLoss(forward());
  if (!Number.isFinite(loss)) throw nonFiniteProbeError(phase, loss, step, name, ledger.lastCheckpoint);
}

/** Saves a checkpoint with the optimizer's state, disposing the state's copies once written. */
async function saveWithOptimizer(
  dir: string,
  s: Setup,
  optimizer: AdamW,
  state: JsonValue,
): Promise<string> {
  const optimizerState = optimizer.state();
  try {
    return await saveCheckpoint(dir, {
      model: s.policy,
      tokenizer: s.tokenizer,
      optimizer: optimizerState,
      state,
    });
  } finally {
    tf.dispose([...optimizerState.values()]);
  }
}

const sftProbe = (s: Setup, step: number) => () =>
  sftForward(s.policy, s.train, batchIndices(s.train.length, s.config.sft.batchSize, step, s.config.seed));

/**
 * Writes `OUT/checkpoint-sft-STEP` (an interrupted SFT phase) once its weights are verified.
 *
 * @param s The run's setup.
 * @param optimizer The SFT optimizer.
 * @param step The next SFT step.
 * @param ledger The last verified checkpoint (updated).
 * @returns The checkpoint's folder.
 * @example
 * ```ts
 * import { setup } from "./setup.ts";
 * import { saveSftCheckpoint } from "./checkpointing.ts";
 * import { AdamW } from "./optimizer.ts";
 * import assert from "node:assert/strict";
 * const pairs = Array.from({ length: 10 }, (_, i) => ({ prompt: `${i}+1=`, chosen: `${i + 1}.`, rejected: "x." }));
 * const out = await Deno.makeTempDir();
 * const model = { dModel: 16, layers: 1, heads: 2, contextLength: 16 };
 * const s = await setup({ data: pairs, out, backend: "cpu", model, batchSize: 2, sft: { batchSize: 2 } });
 * const ledger = { lastCheckpoint: undefined as string | undefined };
 * const optimizer = new AdamW(s.policy.variables());
 * assert.match(await saveSftCheckpoint(s, optimizer, 3, ledger), /checkpoint-sft-3$/);
 * optimizer.dispose();
 * s.policy.dispose();
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export async function saveSftCheckpoint(
  s: Setup,
  optimizer: AdamW,
  step: number,
  ledger: CheckpointLedger,
): Promise<string> {
  const name = `checkpoint-sft-${step}`;
  await verify(s.policy.variables(), sftProbe(s, step), "SFT ", step, name, ledger);
  ledger.lastCheckpoint = await saveWithOptimizer(join(s.config.out, name), s, optimizer, {
    phase: "sft",
    step,
  });
  return ledger.lastCheckpoint;
}

/**
 * Writes the reference (the SFT model, frozen: saved once, never changed) once its weights are verified.
 *
 * @param s The run's setup.
 * @param path The reference folder.
 * @param ledger The last verified checkpoint (updated).
 * @returns The reference's folder.
 * @example
 * ```ts
 * import { setup } from "./setup.ts";
 * import { saveReference } from "./checkpointing.ts";
 * import assert from "node:assert/strict";
 * const pairs = Array.from({ length: 10 }, (_, i) => ({ prompt: `${i}+1=`, chosen: `${i + 1}.`, rejected: "x." }));
 * const out = await Deno.makeTempDir();
 * const model = { dModel: 16, layers: 1, heads: 2, contextLength: 16 };
 * const s = await setup({ data: pairs, out, backend: "cpu", model, batchSize: 2, sft: { batchSize: 2 } });
 * const ledger = { lastCheckpoint: undefined as string | undefined };
 * assert.equal(await saveReference(s, `${out}/reference`, ledger), ledger.lastCheckpoint);
 * s.policy.dispose();
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export async function saveReference(s: Setup, path: string, ledger: CheckpointLedger): Promise<string> {
  const step = s.config.sft.steps;
  await verify(s.policy.variables(), sftProbe(s, step), "SFT ", step, "the reference", ledger);
  ledger.lastCheckpoint = await saveCheckpoint(path, {
    model: s.policy,
    tokenizer: s.tokenizer,
    state: { phase: "reference" },
  });
  return ledger.lastCheckpoint;
}

/**
 * Writes a preference checkpoint `OUT/NAME` once its weights are verified; it names its reference by folder
 * name (beside the checkpoint), so it resumes from any working directory.
 *
 * @param s The run's setup.
 * @param ctx The preference phase.
 * @param step The next preference step.
 * @param name The folder's name (`checkpoint-N`, `final`).
 * @param ledger The last verified checkpoint (updated).
 * @returns The checkpoint's folder.
 * @example
 * ```ts
 * import { setup } from "./setup.ts";
 * import { savePreferenceCheckpoint, saveReference } from "./checkpointing.ts";
 * import { disposePreference, preparePreference } from "./preference.ts";
 * import assert from "node:assert/strict";
 * const pairs = Array.from({ length: 10 }, (_, i) => ({ prompt: `${i}+1=`, chosen: `${i + 1}.`, rejected: "x." }));
 * const out = await Deno.makeTempDir();
 * const model = { dModel: 16, layers: 1, heads: 2, contextLength: 16 };
 * const s = await setup({ data: pairs, out, backend: "cpu", model, batchSize: 2, sft: { batchSize: 2 } });
 * const ledger = { lastCheckpoint: undefined as string | undefined };
 * await saveReference(s, `${out}/reference`, ledger);
 * const ctx = await preparePreference(s, `${out}/reference`);
 * const path = await savePreferenceCheckpoint(s, ctx, 0, "checkpoint-0", ledger);
 * assert.equal(ledger.lastCheckpoint, path);
 * assert.equal(JSON.parse(await Deno.readTextFile(`${path}/trainer_state.json`)).reference, "reference");
 * disposePreference(ctx);
 * s.policy.dispose();
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export async function savePreferenceCheckpoint(
  s: Setup,
  ctx: PreferenceContext,
  step: number,
  name: string,
  ledger: CheckpointLedger,
): Promise<string> {
  const indices = () => batchIndices(s.train.length, s.config.batchSize, step, s.config.seed);
  await verify(ctx.vars, () => forwardLosses(ctx, s.train, indices(), ctx.refTrain), "", step, name, ledger);
  const state = { phase: "preference", step, reference: "reference", mixture: mixtureState(ctx.mixture) };
  ledger.lastCheckpoint = await saveWithOptimizer(join(s.config.out, name), s, ctx.optimizer, state);
  return ledger.lastCheckpoint;
}

/**
 * Copies a checkpoint folder's files (flat) into `to`, unless `to` exists: a run resumed into another folder
 * takes a copy of its reference, so that its own checkpoints resume too.
 *
 * @param from The folder to copy.
 * @param to The copy.
 * @example
 * ```ts
 * import { copyCheckpoint } from "./checkpointing.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/a`);
 * await Deno.writeTextFile(`${dir}/a/config.json`, "{}");
 * await copyCheckpoint(`${dir}/a`, `${dir}/b`);
 * assert.equal(await Deno.readTextFile(`${dir}/b/config.json`), "{}");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function copyCheckpoint(from: string, to: string): Promise<void> {
  if (await Deno.stat(to).then(() => true, () => false)) return;
  const tmp = `${to}.tmp-${crypto.randomUUID()}`;
  await Deno.mkdir(tmp, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isFile) await Deno.copyFile(join(from, e.name), join(tmp, e.name));
  }
  await Deno.rename(tmp, to);
}

/** The mixture logits as numbers, for `trainer_state.json` (read at save time only). */
function mixtureState(mixture: MixtureParameters | undefined): Record<string, number[]> | null {
  if (mixture === undefined) return null;
  const out: Record<string, number[]> = {};
  for (const [name, v] of mixture.variables) out[name] = Array.from(v.dataSync());
  return out;
}
