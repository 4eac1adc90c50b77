/**
 * Side-by-side timing of one sigmoid-DPO training step: our TF.js GPT (the fastest CPU backend by default)
 * against PyTorch (`bench/torch_dpo_step.py`, or `$TORCH_ANCHOR`) with the same model, the same batch layout
 * (B pairs = a [2B, T] forward/backward, the response is the second half of each sequence), the same step as
 * the trainer's (gradients, clipping to global norm 1, AdamW at lr 3e-4) and the same number of BLAS threads
 * on both sides. The frozen reference's sequence log-probs are computed once, outside the timed step.
 *
 * Usage: deno task bench:step [--configs d64l2h2t64,d128l4h4t64,d256l6h8t128] [--threads 1,2] [--steps 7]
 *          [--warmup 3] [--batch 8] [--backend wasm-blas|wasm|cpu|webgpu] [--no-torch] [--no-losses] [--profile]
 *
 * Prints a header line (backend, BLAS), then one JSON line per (config, threads):
 * {"config","threads","tfjs_ms","torch_ms","ratio",...}; then, on the last config at the first thread count,
 * {"hmk_over_dpo"} and the explicit regularizer's overhead (`--no-losses` skips them). `--profile` adds, per
 * line, the kernels that take the most time in one step (from `tf.profile`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { Gpt } from "../lib/model/gpt.ts";
import { useBackend } from "../lib/model/backend.ts";
import { loadBlas } from "../lib/model/blas.ts";
import { chooseCpuBackend } from "../lib/model/cpu_backend.ts";
import { createRandom } from "../lib/math/random.ts";
import type { GptConfig } from "../lib/model/config.ts";
import { AdamW, clipByGlobalNorm } from "../lib/train/optimizer.ts";
import { MixtureParameters, tensorPreferenceLoss } from "../lib/train/tensor_losses.ts";
import { explicitRegularizer } from "../lib/train/explicit_regularizer.ts";

const LEARNING_RATE = 3e-4;
const GRAD_CLIP = 1;

interface Args {
  configs: Size[];
  threads: number[];
  steps: number;
  warmup: number;
  batch: number;
  backend: string | undefined;
  torch: boolean;
  losses: boolean;
  profile: boolean;
}

/** A model size and context: width, layers, heads, T. */
export interface Size {
  d: number;
  layers: number;
  heads: number;
  context: number;
}

/** "d64l2h2t64" → {d 64, layers 2, heads 2, context 64}. */
function parseSize(size: string): Size {
  const m = /^d(\d+)l(\d+)h(\d+)t(\d+)$/.exec(size);
  if (m === null) throw new RangeError(`--configs entries look like d64l2h2t64, got ${JSON.stringify(size)}`);
  return { d: Number(m[1]), layers: Number(m[2]), heads: Number(m[3]), context: Number(m[4]) };
}

function int(name: string, value: string, min: number): number {
  const v = Number(value);
  if (!Number.isInteger(v) || v < min) {
    throw new RangeError(`--${name} must be an integer ≥ ${min}, got ${value}`);
  }
  return v;
}

function readArgs(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      configs: { type: "string", default: "d64l2h2t64,d128l4h4t64,d256l6h8t128" },
      threads: { type: "string", default: "1,2" },
      steps: { type: "string", default: "7" },
      warmup: { type: "string", default: "3" },
      batch: { type: "string", default: "8" },
      backend: { type: "string" },
      "no-torch": { type: "boolean", default: false },
      "no-losses": { type: "boolean", default: false },
      profile: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  return {
    configs: values.configs.split(",").filter((s) => s.length > 0).map(parseSize),
    threads: values.threads.split(",").map((s) => int("threads", s, 1)),
    steps: int("steps", values.steps, 1),
    warmup: int("warmup", values.warmup, 0),
    batch: int("batch", values.batch, 1),
    backend: values.backend,
    torch: !values["no-torch"],
    losses: !values["no-losses"],
    profile: values.profile,
  };
}

/** The median. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2] as number : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
}

const round = (x: number): number => Math.round(x * 100) / 100;

/** The anchor's batch layout: random ids and targets, mask 1 on the second half. */
export function makeBatch(rows: number, t: number, vocab: number, seed: number): Batch {
  const rand = createRandom(seed);
  const ids = new Int32Array(rows * t).map(() => rand.int(vocab));
  const targets = new Int32Array(rows * t).map(() => rand.int(vocab));
  const mask = new Float32Array(rows * t).map((_, i) => (i % t) >= Math.floor(t / 2) ? 1 : 0);
  return {
    ids: tf.tensor2d(ids, [rows, t], "int32"),
    targets: tf.tensor2d(targets, [rows, t], "int32"),
    mask: tf.tensor2d(mask, [rows, t], "float32"),
  };
}

/** A `[rows, T]` batch: ids, next-token targets, response mask. */
export interface Batch {
  ids: tf.Tensor2D;
  targets: tf.Tensor2D;
  mask: tf.Tensor2D;
}

/** A loss on the policy's log-probs [2B] (chosen first, then rejected) and the reference's. */
export type LossFn = (
  logps: tf.Tensor1D,
  ref: tf.Tensor1D,
  out: { logits: tf.Tensor3D; hidden: tf.Tensor3D },
) => tf.Scalar;

/** −mean log σ(β·((ℓ_w − ℓ_ref,w) − (ℓ_l − ℓ_ref,l))), β = 0.1. */
export function sigmoidDpo(batch: number): LossFn {
  return (logps, ref) => {
    const z = tf.sub(logps, ref);
    const margin = tf.sub(tf.slice(z, 0, batch), tf.slice(z, batch, batch));
    // −log σ(x) = softplus(−x); tf.logSigmoid's gradient reads a disposed tensor inside minimize (tfjs 4.22).
    return tf.mean(tf.softplus(tf.mul(-0.1, margin))) as tf.Scalar;
  };
}

/**
 * The trainer's preference step (lib/train/trainer.ts): variableGrads, clipByGlobalNorm, AdamW.apply, reading
 * the loss and the gradient norm back. Returns the step and its optimizer (dispose it).
 */
export function trainerStep(
  policy: Gpt,
  data: Batch,
  ref: tf.Tensor1D,
  loss: LossFn,
  extraVars: tf.Variable[] = [],
): { step: () => Promise<number>; optimizer: AdamW } {
  const vars = [...policy.variables(), ...extraVars];
  const optimizer = new AdamW(vars);
  const step = async (): Promise<number> => {
    const { value, grads } = tf.variableGrads(() => {
      const out = policy.sequenceLogProbs(data.ids, data.targets, data.mask);
      return loss(out.logps, ref, out);
    }, vars);
    const ordered = vars.map((v) => grads[v.name] as tf.Tensor);
    const { grads: clipped, norm } = clipByGlobalNorm(ordered, GRAD_CLIP);
    const v = (await value.data())[0] as number;
    await norm.data();
    optimizer.apply(clipped, LEARNING_RATE);
    tf.dispose([value, norm, ...ordered, ...clipped]);
    return v;
  };
  return { step, optimizer };
}

/** Median ms of the trainer's step with the given loss (and, with `--profile`, its top kernels). */
async function timeSteps(
  policy: Gpt,
  data: Batch,
  ref: tf.Tensor1D,
  loss: LossFn,
  args: Args,
): Promise<{ ms: number; loss: number; kernels?: [string, number, number][] }> {
  const { step, optimizer } = trainerStep(policy, data, ref, loss);
  for (let i = 0; i < args.warmup; i++) await step();
  const ts: number[] = [];
  let last = NaN;
  for (let i = 0; i < args.steps; i++) {
    const t0 = performance.now();
    last = await step();
    ts.push(performance.now() - t0);
  }
  let kernels: [string, number, number][] | undefined;
  if (args.profile) {
    const info = await tf.profile(async () => {
      await step();
    });
    const byName = new Map<string, [number, number]>();
    for (const k of info.kernels) {
      const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
      const [sum, n] = byName.get(k.name) ?? [0, 0];
      byName.set(k.name, [sum + ms, n + 1]);
    }
    kernels = [...byName.entries()].map(([n, [ms, c]]) => [n, round(ms), c] as [string, number, number])
      .sort((a, b) => b[1] - a[1]);
  }
  optimizer.dispose();
  return { ms: median(ts), loss: last, kernels };
}

/**
 * Median ms per step of several losses on the same policy, their steps interleaved (each with its own AdamW),
 * so that load drift on a shared machine hits every variant alike.
 */
async function timeInterleaved(
  policy: Gpt,
  data: Batch,
  ref: tf.Tensor1D,
  variants: { name: string; loss: LossFn; extraVars?: tf.Variable[] }[],
  args: Args,
): Promise<Map<string, number>> {
  const runs = variants.map((v) => ({
    name: v.name,
    ...trainerStep(policy, data, ref, v.loss, v.extraVars),
    ts: [] as number[],
  }));
  for (let i = 0; i < args.warmup; i++) for (const r of runs) await r.step();
  for (let i = 0; i < args.steps; i++) {
    for (const r of runs) {
      const t0 = performance.now();
      await r.step();
      r.ts.push(performance.now() - t0);
    }
  }
  for (const r of runs) r.optimizer.dispose();
  return new Map(runs.map((r) => [r.name, median(r.ts)]));
}

/** PyTorch's median step ms with the same model, batch and thread count. */
export async function torchMs(
  size: Size,
  threads: number,
  args: Pick<Args, "batch" | "steps" | "warmup">,
): Promise<number> {
  const script = Deno.env.get("TORCH_ANCHOR") ?? new URL("./torch_dpo_step.py", import.meta.url).pathname;
  const cmd = new Deno.Command("/usr/bin/python3", {
    args: [
      script,
      "--mode",
      "dpo",
      "--d",
      `${size.d}`,
      "--layers",
      `${size.layers}`,
      "--heads",
      `${size.heads}`,
      "--batch",
      `${args.batch}`,
      "--context",
      `${size.context}`,
      "--steps",
      `${args.steps}`,
      "--warmup",
      `${args.warmup}`,
      "--threads",
      `${threads}`,
    ],
    // The same BLAS threads (and OPENBLAS_CORETYPE, inherited when loadBlas set it) as our side.
    env: { OPENBLAS_NUM_THREADS: `${threads}`, OMP_NUM_THREADS: `${threads}` },
    stdout: "piped",
    stderr: "piped",
  });
  const out = await cmd.output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(`torch anchor failed: ${new TextDecoder().decode(out.stderr).trim().split("\n").pop()}`);
  }
  const line = text.split("\n").pop() ?? "";
  return (JSON.parse(line) as { median_ms: number }).median_ms;
}

const configName = (s: Size): string => `d${s.d}/${s.layers}L/T${s.context}`;

async function main(): Promise<void> {
  const args = readArgs(Deno.args);
  const choice = chooseCpuBackend(args.backend, args.threads[0]);
  const backend = await useBackend(choice.backend);
  tf.enableProdMode();
  const blas = backend === "wasm-blas" ? loadBlas() : undefined;
  console.log(JSON.stringify({
    backend,
    blas: blas === undefined ? null : `${blas.name}, ${blas.path}`,
    announcement: choice.announcement,
    tfjs: tf.version.tfjs,
    steps: args.steps,
    warmup: args.warmup,
    batch_pairs: args.batch,
  }));
  let last: { policy: Gpt; data: Batch; ref: tf.Tensor1D; config: string } | undefined;
  for (const size of args.configs) {
    const config: GptConfig = {
      vocabSize: 256,
      contextLength: size.context,
      dModel: size.d,
      layers: size.layers,
      heads: size.heads,
    };
    if (last !== undefined) {
      last.policy.dispose();
      last.ref.dispose();
      tf.dispose([last.data.ids, last.data.targets, last.data.mask]);
    }
    const policy = new Gpt(config, { seed: 0 });
    const reference = policy.clone({ trainable: false });
    const data = makeBatch(2 * args.batch, size.context, 256, 1);
    // The reference's log-probs, once, outside the timed step.
    const ref = tf.tidy(() => reference.sequenceLogProbs(data.ids, data.targets, data.mask).logps);
    await ref.data();
    reference.dispose();
    for (const threads of args.threads) {
      blas?.setThreads(threads);
      const r = await timeSteps(policy, data, ref, sigmoidDpo(args.batch), args);
      const torch = args.torch ? await torchMs(size, threads, args) : NaN;
      console.log(JSON.stringify({
        config: configName(size),
        threads,
        tfjs_ms: round(r.ms),
        torch_ms: args.torch ? torch : null,
        ratio: args.torch ? round(r.ms / torch) : null,
        heads: size.heads,
        pairs: args.batch,
        backend,
        loss: r.loss,
      }));
      if (r.kernels !== undefined) {
        const total = r.kernels.reduce((s, k) => s + k[1], 0);
        console.log(JSON.stringify({ profile_total_kernel_ms: round(total), top: r.kernels.slice(0, 25) }));
      }
    }
    last = { policy, data, ref, config: configName(size) };
  }
  if (last !== undefined) {
    if (args.losses) {
      blas?.setThreads(args.threads[0] as number);
      // On a fresh policy: the timed one has been trained on its one batch to a loss near 0, where the HMK step
      // was measured 40× slower than DPO's (38 s vs 0.94 s at d256/6L/T128; fresh: 1.1 vs 0.85 s), most likely
      // from gradients underflowing to subnormal floats.
      const fresh = new Gpt(last.policy.config, { seed: 0 });
      await benchTensorLosses({ ...last, policy: fresh, trained: last.policy }, args);
      fresh.dispose();
    }
    last.policy.dispose();
    last.ref.dispose();
    tf.dispose([last.data.ids, last.data.targets, last.data.mask]);
  }
}

/** The project's tensor-loss batch from chosen-first log-probs: `[2B]` → the four `[B]` halves. */
function preferenceBatch(logps: tf.Tensor1D, ref: tf.Tensor1D, batch: number) {
  return {
    policyChosen: tf.slice(logps, 0, batch),
    policyRejected: tf.slice(logps, batch, batch),
    referenceChosen: tf.slice(ref, 0, batch),
    referenceRejected: tf.slice(ref, batch, batch),
  };
}

/**
 * On a fresh policy of the last config, steps interleaved: the HMK step (tensorPreferenceLoss, loss "hmk", with its
 * trainable τ/λ) over the DPO step through the same function, and the explicit regularizer's overhead (DPO +
 * 0.1·mean KL or JS of the next-token distributions against frozen reference logits, computed once, outside
 * the step).
 */
async function benchTensorLosses(
  run: { policy: Gpt; trained: Gpt; data: Batch; ref: tf.Tensor1D; config: string },
  args: Args,
): Promise<void> {
  const b = args.batch;
  const dpo: LossFn = (logps, ref) =>
    tensorPreferenceLoss(preferenceBatch(logps, ref, b), { loss: "dpo" }).loss;
  const mixture = new MixtureParameters("hmk");
  const hmk: LossFn = (logps, ref) =>
    tensorPreferenceLoss(preferenceBatch(logps, ref, b), { loss: "hmk", mixture }).loss;
  // Reference logits, once, from the trained policy (so that the two differ).
  const refLogits = tf.tidy(() => run.trained.forward(run.data.ids).logits);
  const explicit = (divergence: string): LossFn => (logps, ref, out) =>
    tf.add(
      dpo(logps, ref, out),
      tf.mul(0.1, explicitRegularizer(out.logits, refLogits, run.data.mask, divergence)),
    ) as tf.Scalar;
  const ms = await timeInterleaved(run.policy, run.data, run.ref, [
    { name: "dpo", loss: dpo },
    { name: "hmk", loss: hmk, extraVars: [...mixture.variables.values()] },
    { name: "explicit_kl", loss: explicit("kl") },
    { name: "explicit_js", loss: explicit("js") },
  ], args);
  mixture.dispose();
  refLogits.dispose();
  const dpoMs = ms.get("dpo") as number;
  const threads = args.threads[0];
  console.log(JSON.stringify({
    config: run.config,
    threads,
    hmk_over_dpo: round((ms.get("hmk") as number) / dpoMs),
    hmk_ms: round(ms.get("hmk") as number),
    dpo_ms: round(dpoMs),
  }));
  const line: Record<string, unknown> = { config: run.config, threads, dpo_ms: round(dpoMs) };
  for (const name of ["explicit_kl", "explicit_js"]) {
    line[`${name}_ms`] = round(ms.get(name) as number);
    line[`${name}_overhead`] = round((ms.get(name) as number) / dpoMs - 1);
  }
  console.log(JSON.stringify(line));
}

if (import.meta.main) {
  Error.stackTraceLimit = 50;
  await main();
}
