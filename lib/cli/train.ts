/**
 * `deno task train`: the command-line face of the trainer.
 *
 *   deno task train --data FILE.jsonl --loss NAME --steps N --out DIR [options]
 *
 * Ctrl-C writes a checkpoint and exits; `--resume DIR` continues from it.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { LOSSES } from "../losses/preference_loss.ts";
import { BACKENDS } from "../model/backend.ts";
import { chooseCpuBackend } from "../model/cpu_backend.ts";
import { TRAIN_DIVERGENCES, type TrainConfig } from "../train/config.ts";
import { train, TrainingError } from "../train/trainer.ts";

const HELP = `Train a policy with SFT, then DPO-Kernels.

Usage: deno task train --data FILE.jsonl --out DIR [options]

Data lines are {"prompt", "chosen", "rejected"} JSON objects (extra keys ignored).

Options:
  --data FILE          training pairs (JSONL)                                   required
  --out DIR            output: metrics.jsonl, checkpoints, summary.json         required
  --eval-data FILE     held-out pairs (default: the last 10% of --data)
  --loss NAME          ${Object.keys(LOSSES).join(" ")} (default dpo)
  --divergence NAME    ${TRAIN_DIVERGENCES.join(" ")} (default kl)
  --regularizer KIND   implicit (f-DPO reward) | explicit (α·D over next-token distributions)
  --steps N            preference steps (default 200)
  --sft-steps N        supervised steps on chosen responses first (default 100)
  --batch-size N       pairs per step (default 8)
  --lr X               peak learning rate (default 5e-4)
  --beta X             β (default 0.1)
  --gamma X            weight of the embedding term (default 0.5 for hybrid, else 0)
  --alpha X            Rényi order / α-divergence α (default 0.5)
  --model DIR|ID       a GPT-2-family Hugging Face checkpoint (folder or hub id) or a dpo-kernels checkpoint
  --tokenizer SPEC     byte (default) | tokenizer folder | hub id
  --backend NAME       ${Object.keys(BACKENDS).join(" ")} (default wasm-blas if a BLAS loads, else wasm)
  --threads N          BLAS threads for wasm-blas (default: every core)
  --seed N             seed (default 0)
  --config FILE        a JSON TrainConfig; flags override its fields
  --resume DIR         continue from a checkpoint folder
  --skip-bad-lines     skip malformed data lines (and report how many) instead of failing
  --help               this text
`;

const FLAGS = {
  data: { type: "string" },
  out: { type: "string" },
  "eval-data": { type: "string" },
  loss: { type: "string" },
  divergence: { type: "string" },
  regularizer: { type: "string" },
  steps: { type: "string" },
  "sft-steps": { type: "string" },
  "batch-size": { type: "string" },
  lr: { type: "string" },
  beta: { type: "string" },
  gamma: { type: "string" },
  alpha: { type: "string" },
  model: { type: "string" },
  tokenizer: { type: "string" },
  backend: { type: "string" },
  threads: { type: "string" },
  seed: { type: "string" },
  config: { type: "string" },
  resume: { type: "string" },
  "skip-bad-lines": { type: "boolean" },
  help: { type: "boolean" },
} as const;

function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || Number.isNaN(n)) {
    throw new RangeError(`--${flag} must be a number, got "${value}"`);
  }
  return n;
}

/**
 * Builds a TrainConfig from command-line arguments (flags override `--config`'s fields).
 *
 * @param args The arguments.
 * @returns The configuration, or `undefined` when `--help` was asked for.
 * @throws {RangeError} On an unknown flag or a non-numeric value for a numeric flag.
 */
export async function configFromArgs(args: readonly string[]): Promise<TrainConfig | undefined> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: FLAGS, allowPositionals: false, strict: true });
  } catch (e) {
    throw new RangeError(`${(e as Error).message}; see --help`);
  }
  const v = parsed.values;
  if (v.help) return undefined;
  const base: Partial<TrainConfig> = v.config === undefined
    ? {}
    : JSON.parse(await Deno.readTextFile(v.config));
  const set = <K extends keyof TrainConfig>(key: K, value: TrainConfig[K] | undefined) => {
    if (value !== undefined) (base as TrainConfig)[key] = value;
  };
  set("data", v.data);
  set("out", v.out);
  set("evalData", v["eval-data"]);
  set("loss", v.loss as TrainConfig["loss"]);
  set("divergence", v.divergence as TrainConfig["divergence"]);
  set("regularizer", v.regularizer as TrainConfig["regularizer"]);
  set("steps", number("steps", v.steps));
  const sftSteps = number("sft-steps", v["sft-steps"]);
  if (sftSteps !== undefined) base.sft = { ...base.sft, steps: sftSteps };
  set("batchSize", number("batch-size", v["batch-size"]));
  set("learningRate", number("lr", v.lr));
  set("beta", number("beta", v.beta));
  set("gamma", number("gamma", v.gamma));
  set("alpha", number("alpha", v.alpha));
  set("model", v.model);
  set("tokenizer", v.tokenizer);
  set("backend", v.backend as TrainConfig["backend"]);
  set("seed", number("seed", v.seed));
  set("resume", v.resume);
  if (v["skip-bad-lines"]) base.skipBadLines = true;
  if (base.data === undefined) {
    throw new RangeError("--data is required (a JSONL file of prompt/chosen/rejected pairs)");
  }
  if (base.out === undefined) throw new RangeError("--out is required (the output directory)");
  return base as TrainConfig;
}

function bar(done: number, total: number, width = 24): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return "█".repeat(filled) + "░".repeat(width - filled);
}

async function main(): Promise<number> {
  let config: TrainConfig | undefined;
  try {
    config = await configFromArgs(Deno.args);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 2;
  }
  if (config === undefined) {
    console.log(HELP);
    return 0;
  }
  // The first line: which backend, which BLAS and how many threads (the fastest CPU path unless one is named).
  try {
    const threads = number(
      "threads",
      parseArgs({ args: Deno.args, options: FLAGS, strict: true }).values.threads,
    );
    const choice = chooseCpuBackend(config.backend, threads);
    config.backend = choice.backend as TrainConfig["backend"];
    console.log(choice.announcement);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 1;
  }
  // tfjs's warnings (its "install our node backend" banner among them) are noise on a terminal.
  tf.enableProdMode();
  const controller = new AbortController();
  const onInterrupt = () => {
    console.error("\ninterrupted: writing a checkpoint after this step…");
    controller.abort();
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  const tty = Deno.stdout.isTerminal();
  const write = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s));
  try {
    const run = train(config, { signal: controller.signal });
    let r = await run.next();
    while (!r.done) {
      const e = r.value;
      if (e.type === "start") {
        console.log(
          `backend ${e.backend}, ${e.parameters} parameters, ${e.trainPairs} training pairs, ${e.evalPairs} held out` +
            (e.skipped > 0 ? `, ${e.skipped} malformed lines skipped` : ""),
        );
      } else if (e.type === "step") {
        const m = e.metrics;
        const line =
          `${e.phase === "sft" ? "sft " : "pref"} ${bar(e.step + 1, e.steps)} ${e.step + 1}/${e.steps} ` +
          `loss ${m.loss?.toFixed(4)}` +
          (m["rewards/accuracies"] === undefined ? "" : ` acc ${m["rewards/accuracies"].toFixed(2)}`) +
          ` ${Math.round(m.tokens_per_second ?? 0)} tok/s`;
        if (tty) write(`\r${line}\x1b[K`);
        else if ((e.step + 1) % 10 === 0 || e.step + 1 === e.steps) console.log(line);
        if (tty && e.step + 1 === e.steps) write("\n");
      } else if (e.type === "eval") {
        if (tty) write("\n");
        console.log(
          `eval @${e.step + 1}: loss ${e.metrics["eval/loss"]?.toFixed(4)} accuracy ${
            e.metrics["eval/accuracy"]?.toFixed(3)
          }`,
        );
      } else if (e.type === "checkpoint") {
        if (tty) write("\n");
        console.log(`checkpoint ${e.path}`);
      } else if (e.type === "stopped") {
        console.log(`stopped at step ${e.step}; resume with --resume ${e.path}`);
      }
      r = await run.next();
    }
    console.log(`done in ${r.value.seconds.toFixed(1)} s: ${r.value.checkpoint}`);
    return 0;
  } catch (e) {
    if (tty) write("\n");
    if (e instanceof TrainingError || e instanceof RangeError || e instanceof TypeError) {
      console.error(`error: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}

if (import.meta.main) Deno.exit(await main());
