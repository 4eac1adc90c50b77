/**
 * `deno task train`: the command-line face of the trainer.
 *
 *   deno task train --data FILE.jsonl --loss NAME --steps N --out DIR [options]
 *
 * Ctrl-C (SIGINT) or SIGTERM stops the run after the current step: it writes a checkpoint, prints the command
 * that resumes it, and exits 130 (143 for SIGTERM). A second Ctrl-C while the checkpoint is written waits for
 * it. Errors are one line (exit 2 for a bad flag or setting, 1 for data, I/O or a diverged run); `--debug` or
 * `DPO_KERNELS_DEBUG=1` prints the stack too.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { LOSSES } from "../losses/preference_loss.ts";
import { BACKENDS } from "../model/backend.ts";
import { chooseCpuBackend } from "../model/cpu_backend.ts";
import { TRAIN_DIVERGENCES, type TrainConfig } from "../train/config.ts";
import { train } from "../train/trainer.ts";

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
  --alpha X            Rényi order / Amari α of f:alpha (default 0.75)
  --model DIR|ID       a GPT-2-family Hugging Face checkpoint (folder or hub id) or a dpo-kernels checkpoint
  --tokenizer SPEC     byte (default) | tokenizer folder | hub id
  --backend NAME       ${Object.keys(BACKENDS).join(" ")} (default wasm-blas if a BLAS loads, else wasm)
  --threads N          BLAS threads for wasm-blas (default: every core)
  --seed N             seed (default 0)
  --config FILE        a JSON TrainConfig; flags override its fields
  --resume DIR         continue from a checkpoint folder (a local checkpoint-N or checkpoint-sft-N folder)
  --resume-weights-only  resume from a checkpoint without optimizer.safetensors (the optimizer starts fresh)
  --overwrite          replace the run already in --out (its metrics, summary and checkpoints)
  --allow-software-gpu  with --backend webgpu: accept a software adapter (llvmpipe, lavapipe, SwiftShader)
  --skip-bad-lines     skip malformed lines of --data and --eval-data (reporting them) instead of failing
  --debug              print stack traces with errors (also DPO_KERNELS_DEBUG=1)
  --help               this text

Ctrl-C writes a checkpoint after the current step and prints the command that resumes it.
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
  "resume-weights-only": { type: "boolean" },
  overwrite: { type: "boolean" },
  "allow-software-gpu": { type: "boolean" },
  "skip-bad-lines": { type: "boolean" },
  debug: { type: "boolean" },
  help: { type: "boolean" },
} as const;

/** A numeric flag: a finite number (an integer where `integer`), or a RangeError naming the flag. */
function number(flag: string, value: string | undefined, integer = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) {
    throw new RangeError(`--${flag} must be a finite number, got "${value}"`);
  }
  if (integer && !Number.isSafeInteger(n)) {
    throw new RangeError(`--${flag} must be an integer, got "${value}"`);
  }
  return n;
}

/** Reads `--config`: a JSON object, or an error naming the file (RangeError for bad JSON: a usage error). */
async function readConfigFile(path: string): Promise<Partial<TrainConfig>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message;
    throw new Error(`--config ${path}: cannot read (${why})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new RangeError(`--config ${path}: not valid JSON (${(e as Error).message})`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new RangeError(`--config ${path}: expected a JSON object of TrainConfig fields`);
  }
  return value as Partial<TrainConfig>;
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
  const base: Partial<TrainConfig> = v.config === undefined ? {} : await readConfigFile(v.config);
  const set = <K extends keyof TrainConfig>(key: K, value: TrainConfig[K] | undefined) => {
    if (value !== undefined) (base as TrainConfig)[key] = value;
  };
  set("data", v.data);
  set("out", v.out);
  set("evalData", v["eval-data"]);
  set("loss", v.loss as TrainConfig["loss"]);
  set("divergence", v.divergence as TrainConfig["divergence"]);
  set("regularizer", v.regularizer as TrainConfig["regularizer"]);
  set("steps", number("steps", v.steps, true));
  const sftSteps = number("sft-steps", v["sft-steps"], true);
  if (sftSteps !== undefined) base.sft = { ...base.sft, steps: sftSteps };
  set("batchSize", number("batch-size", v["batch-size"], true));
  set("learningRate", number("lr", v.lr));
  set("beta", number("beta", v.beta));
  set("gamma", number("gamma", v.gamma));
  set("alpha", number("alpha", v.alpha));
  set("model", v.model);
  set("tokenizer", v.tokenizer);
  set("backend", v.backend as TrainConfig["backend"]);
  set("seed", number("seed", v.seed, true));
  set("resume", v.resume);
  if (v["resume-weights-only"]) base.resumeWeightsOnly = true;
  if (v.overwrite) base.overwrite = true;
  if (v["allow-software-gpu"]) base.allowSoftwareGpu = true;
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

/** Quotes an argument for a POSIX shell when it needs it. */
function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * The command that resumes a stopped run: the same arguments without `--resume`, `--overwrite` and
 * `--resume-weights-only`, then `--resume CHECKPOINT`.
 *
 * @param args The run's arguments.
 * @param checkpoint The checkpoint the run wrote when it stopped.
 * @returns A shell command line.
 * @example
 * ```ts
 * import { resumeCommand } from "./train.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   resumeCommand(["--data", "d.jsonl", "--out", "my run", "--overwrite"], "my run/checkpoint-3"),
 *   "deno task train --data d.jsonl --out 'my run' --resume 'my run/checkpoint-3'",
 * );
 * ```
 */
export function resumeCommand(args: readonly string[], checkpoint: string): string {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--resume") {
      i++;
      continue;
    }
    if (a.startsWith("--resume=") || a === "--overwrite" || a === "--resume-weights-only") continue;
    kept.push(a);
  }
  return ["deno", "task", "train", ...kept, "--resume", checkpoint].map(shellQuote).join(" ");
}

/** Exit status of an error: 2 for a bad flag or setting (RangeError), 1 for data, I/O and diverged runs. */
function exitCode(e: unknown): number {
  return e instanceof RangeError ? 2 : 1;
}

function debugWanted(args: readonly string[]): boolean {
  if (args.includes("--debug")) return true;
  try {
    return Deno.env.get("DPO_KERNELS_DEBUG") === "1";
  } catch {
    return false;
  }
}

function reportError(e: unknown, debug: boolean): void {
  if (debug && e instanceof Error) console.error(e.stack ?? e.message);
  else console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
}

const SIGNAL_EXIT: Readonly<Record<"SIGINT" | "SIGTERM", number>> = { SIGINT: 130, SIGTERM: 143 };

async function main(): Promise<number> {
  const args = Deno.args;
  const debug = debugWanted(args);
  let config: TrainConfig | undefined;
  try {
    config = await configFromArgs(args);
  } catch (e) {
    reportError(e, debug);
    return exitCode(e);
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
  let received: "SIGINT" | "SIGTERM" | undefined;
  const onSignal = (signal: "SIGINT" | "SIGTERM") => () => {
    if (received !== undefined) {
      console.error(
        `\n${signal} again: still writing the checkpoint; it finishes first (never half-written)…`,
      );
      return;
    }
    received = signal;
    console.error(`\n${signal}: stopping after this step and writing a checkpoint…`);
    controller.abort();
  };
  const listeners = { SIGINT: onSignal("SIGINT"), SIGTERM: onSignal("SIGTERM") };
  Deno.addSignalListener("SIGINT", listeners.SIGINT);
  Deno.addSignalListener("SIGTERM", listeners.SIGTERM);
  const tty = Deno.stdout.isTerminal();
  const write = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s));
  try {
    const run = train(config, { signal: controller.signal });
    let r = await run.next();
    while (!r.done) {
      const e = r.value;
      if (e.type === "start") {
        console.log(
          `backend ${e.backend}, ${e.parameters} parameters, ${e.trainPairs} training pairs, ${e.evalPairs} held out`,
        );
        if (e.skipped > 0) {
          console.log(
            `skipped ${e.skipped} malformed lines of --data (first: lines ${e.skippedLines.join(", ")})`,
          );
        }
        if (e.evalSkipped > 0) {
          console.log(
            `skipped ${e.evalSkipped} malformed lines of --eval-data (first: lines ${
              e.evalSkippedLines.join(", ")
            })`,
          );
        }
      } else if (e.type === "note") {
        console.log(`note: ${e.message}`);
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
        if (tty) write("\n");
        console.log(`stopped at step ${e.step}; checkpoint written to ${e.path}`);
        console.log(`resume with: ${resumeCommand(args, e.path)}`);
      }
      r = await run.next();
    }
    if (r.value.stopped) return SIGNAL_EXIT[received ?? "SIGINT"];
    console.log(`done in ${r.value.seconds.toFixed(1)} s: ${r.value.checkpoint}`);
    return 0;
  } catch (e) {
    if (tty) write("\n");
    reportError(e, debug);
    return exitCode(e);
  } finally {
    Deno.removeSignalListener("SIGINT", listeners.SIGINT);
    Deno.removeSignalListener("SIGTERM", listeners.SIGTERM);
  }
}

if (import.meta.main) Deno.exit(await main());
