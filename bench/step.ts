/**
 * Side-by-side timing of one sigmoid-DPO training step: our TF.js GPT (wasm by default) against the PyTorch
 * anchor (`../shared/anchors/torch_dpo_step.py` beside the repository, or `$TORCH_ANCHOR`) with the same model, the same batch
 * layout (B pairs = a [2B, T] forward/backward, the response is the second half of each sequence) and Adam
 * (lr 3e-4). The frozen reference's sequence log-probs are computed once, outside the timed step.
 *
 * Usage: deno run -A bench/step.ts [--sizes d64l2h2,d128l4h4] [--steps 7] [--warmup 3] [--batch 8]
 *          [--context 64] [--backend wasm|cpu|webgpu] [--no-torch] [--profile]
 *
 * Prints one JSON line per size, {"config","tfjs_ms","torch_ms","ratio"}, then {"hmk_over_dpo"} and the
 * explicit regularizer's overhead when `lib/train/tensor_losses.ts` is present. `--profile` adds, per size,
 * the kernels that take the most time in one step (from `tf.profile`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Gpt } from "../lib/model/gpt.ts";
import { useBackend } from "../lib/model/backend.ts";
import { createRandom } from "../lib/model/random.ts";
import type { GptConfig } from "../lib/model/config.ts";
import { MixtureParameters, tensorPreferenceLoss } from "../lib/train/tensor_losses.ts";
import { explicitRegularizer } from "../lib/train/explicit_regularizer.ts";

interface Args {
  sizes: string[];
  steps: number;
  warmup: number;
  batch: number;
  context: number;
  backend: string;
  torch: boolean;
  profile: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    sizes: ["d64l2h2", "d128l4h4"],
    steps: 7,
    warmup: 3,
    batch: 8,
    context: 64,
    backend: "wasm",
    torch: true,
    profile: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const [key, inline] = flag.includes("=") ? flag.split("=", 2) as [string, string] : [flag, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new RangeError(`${key} needs a value`);
      return v;
    };
    const int = (name: string, min: number): number => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < min) {
        throw new RangeError(`${name} must be an integer ≥ ${min}, got ${v}`);
      }
      return v;
    };
    switch (key) {
      case "--sizes":
        args.sizes = value().split(",").filter((s) => s.length > 0);
        break;
      case "--steps":
        args.steps = int("--steps", 1);
        break;
      case "--warmup":
        args.warmup = int("--warmup", 0);
        break;
      case "--batch":
        args.batch = int("--batch", 1);
        break;
      case "--context":
        args.context = int("--context", 2);
        break;
      case "--backend":
        args.backend = value();
        break;
      case "--no-torch":
        args.torch = false;
        break;
      case "--profile":
        args.profile = true;
        break;
      default:
        throw new RangeError(`unknown flag ${flag}`);
    }
  }
  return args;
}

/** "d64l2h2" → {dModel 64, layers 2, heads 2}. */
function parseSize(size: string): { d: number; layers: number; heads: number } {
  const m = /^d(\d+)l(\d+)h(\d+)$/.exec(size);
  if (m === null) throw new RangeError(`--sizes entries look like d64l2h2, got ${JSON.stringify(size)}`);
  return { d: Number(m[1]), layers: Number(m[2]), heads: Number(m[3]) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2] as number : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
}

const round = (x: number): number => Math.round(x * 100) / 100;

/** The anchor's batch layout: random ids and targets, mask 1 on the second half. */
function makeBatch(rows: number, t: number, vocab: number, seed: number) {
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

type Batch = ReturnType<typeof makeBatch>;

/** A loss on the policy's log-probs [2B] (chosen first, then rejected) and the reference's. */
type LossFn = (
  logps: tf.Tensor1D,
  ref: tf.Tensor1D,
  out: { logits: tf.Tensor3D; hidden: tf.Tensor3D },
) => tf.Scalar;

/** −mean log σ(β·((ℓ_w − ℓ_ref,w) − (ℓ_l − ℓ_ref,l))), β = 0.1. */
function sigmoidDpo(batch: number): LossFn {
  return (logps, ref) => {
    const z = tf.sub(logps, ref);
    const margin = tf.sub(tf.slice(z, 0, batch), tf.slice(z, batch, batch));
    // −log σ(x) = softplus(−x); tf.logSigmoid's gradient reads a disposed tensor inside minimize (tfjs 4.22).
    return tf.mean(tf.softplus(tf.mul(-0.1, margin))) as tf.Scalar;
  };
}

async function readScalar(t: tf.Tensor): Promise<number> {
  return (await t.data())[0] as number;
}

/** Median ms of one training step (forward, backward, Adam) with the given loss. */
async function timeSteps(
  policy: Gpt,
  data: Batch,
  ref: tf.Tensor1D,
  loss: LossFn,
  args: Args,
  extraVars: tf.Variable[] = [],
): Promise<{ ms: number; loss: number; kernels?: [string, number, number][] }> {
  const opt = tf.train.adam(3e-4);
  const vars = [...policy.variables(), ...extraVars];
  const step = async (): Promise<number> => {
    const cost = opt.minimize(
      () => {
        const out = policy.sequenceLogProbs(data.ids, data.targets, data.mask);
        return loss(out.logps, ref, out);
      },
      true,
      vars,
    ) as tf.Scalar;
    const v = await readScalar(cost);
    cost.dispose();
    return v;
  };
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
  opt.dispose();
  return { ms: median(ts), loss: last, kernels };
}

/**
 * Median ms per step of several losses on the same policy, their steps interleaved (each with its own Adam),
 * so that load drift on a shared machine hits every variant alike.
 */
async function timeInterleaved(
  policy: Gpt,
  data: Batch,
  ref: tf.Tensor1D,
  variants: { name: string; loss: LossFn; extraVars?: tf.Variable[] }[],
  args: Args,
): Promise<Map<string, number>> {
  const runs = variants.map((v) => {
    const opt = tf.train.adam(3e-4);
    const vars = [...policy.variables(), ...(v.extraVars ?? [])];
    const step = async (): Promise<void> => {
      const cost = opt.minimize(
        () => {
          const out = policy.sequenceLogProbs(data.ids, data.targets, data.mask);
          return v.loss(out.logps, ref, out);
        },
        true,
        vars,
      ) as tf.Scalar;
      await readScalar(cost);
      cost.dispose();
    };
    return { name: v.name, opt, step, ts: [] as number[] };
  });
  for (let i = 0; i < args.warmup; i++) for (const r of runs) await r.step();
  for (let i = 0; i < args.steps; i++) {
    for (const r of runs) {
      const t0 = performance.now();
      await r.step();
      r.ts.push(performance.now() - t0);
    }
  }
  for (const r of runs) r.opt.dispose();
  return new Map(runs.map((r) => [r.name, median(r.ts)]));
}

async function torchMs(size: { d: number; layers: number; heads: number }, args: Args): Promise<number> {
  const script = Deno.env.get("TORCH_ANCHOR") ??
    new URL("../../shared/anchors/torch_dpo_step.py", import.meta.url).pathname;
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
      `${args.context}`,
      "--steps",
      `${args.steps}`,
      "--warmup",
      `${args.warmup}`,
    ],
    env: { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1" },
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

async function main(): Promise<void> {
  const args = parseArgs(Deno.args);
  const backend = await useBackend(args.backend);
  console.log(JSON.stringify({ backend, tfjs: tf.version.tfjs, steps: args.steps, warmup: args.warmup }));
  let lastPolicy: { policy: Gpt; data: Batch; ref: tf.Tensor1D; dpoMs: number; config: string } | undefined;
  for (const sizeName of args.sizes) {
    const size = parseSize(sizeName);
    const config: GptConfig = {
      vocabSize: 256,
      contextLength: args.context,
      dModel: size.d,
      layers: size.layers,
      heads: size.heads,
    };
    const policy = new Gpt(config, { seed: 0 });
    const reference = policy.clone({ trainable: false });
    const data = makeBatch(2 * args.batch, args.context, 256, 1);
    // The reference's log-probs, once, outside the timed step.
    const ref = tf.tidy(() => reference.sequenceLogProbs(data.ids, data.targets, data.mask).logps);
    await ref.data();
    reference.dispose();
    const r = await timeSteps(policy, data, ref, sigmoidDpo(args.batch), args);
    const torch = args.torch ? await torchMs(size, args) : NaN;
    const line: Record<string, unknown> = {
      config: `d${size.d}/${size.layers}L/${size.heads}H, ${args.batch} pairs, T ${args.context}`,
      tfjs_ms: round(r.ms),
      torch_ms: args.torch ? torch : null,
      ratio: args.torch ? round(r.ms / torch) : null,
      loss: r.loss,
    };
    console.log(JSON.stringify(line));
    if (r.kernels !== undefined) {
      const total = r.kernels.reduce((s, k) => s + k[1], 0);
      console.log(JSON.stringify({ profile_total_kernel_ms: round(total), top: r.kernels.slice(0, 25) }));
    }
    if (lastPolicy !== undefined) {
      lastPolicy.policy.dispose();
      lastPolicy.ref.dispose();
      tf.dispose([lastPolicy.data.ids, lastPolicy.data.targets, lastPolicy.data.mask]);
    }
    lastPolicy = { policy, data, ref, dpoMs: r.ms, config: line.config as string };
  }
  if (lastPolicy !== undefined) {
    await benchTensorLosses(lastPolicy, args);
    lastPolicy.policy.dispose();
    lastPolicy.ref.dispose();
    tf.dispose([lastPolicy.data.ids, lastPolicy.data.targets, lastPolicy.data.mask]);
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
 * On the last size's model, steps interleaved: the HMK step (tensorPreferenceLoss, loss "hmk", with its
 * trainable τ/λ) over the DPO step through the same function, and the explicit regularizer's overhead (DPO +
 * 0.1·mean KL or JS of the next-token distributions against frozen reference logits, computed once, outside
 * the step).
 */
async function benchTensorLosses(
  run: { policy: Gpt; data: Batch; ref: tf.Tensor1D; dpoMs: number; config: string },
  args: Args,
): Promise<void> {
  const b = args.batch;
  const dpo: LossFn = (logps, ref) =>
    tensorPreferenceLoss(preferenceBatch(logps, ref, b), { loss: "dpo" }).loss;
  const mixture = new MixtureParameters("hmk");
  const hmk: LossFn = (logps, ref) =>
    tensorPreferenceLoss(preferenceBatch(logps, ref, b), { loss: "hmk", mixture }).loss;
  // Reference logits, once (the policy has taken some steps by now, so the two differ).
  const refLogits = tf.tidy(() => run.policy.forward(run.data.ids).logits);
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
  console.log(JSON.stringify({
    config: run.config,
    hmk_over_dpo: round((ms.get("hmk") as number) / dpoMs),
    hmk_ms: round(ms.get("hmk") as number),
    dpo_ms: round(dpoMs),
  }));
  const line: Record<string, unknown> = { config: run.config, dpo_ms: round(dpoMs) };
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
