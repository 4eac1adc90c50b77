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
import { chooseCpuBackend } from "../model/cpu_backend.ts";
import type { TrainConfig } from "../train/config.ts";
import {
  configHelpLines,
  configParseOptions,
  helpLine,
  parseNumberFlag,
  setConfigFlags,
} from "../train/config_flags.ts";
import { train } from "../train/trainer.ts";

/** Flags of the command line itself, beside the configuration's (which come from its field table). */
const CLI_FLAGS = {
  config: { type: "string", arg: "FILE", help: "a JSON TrainConfig; flags override its fields" },
  threads: { type: "string", arg: "N", help: "BLAS threads for wasm-blas (default: every core)" },
  debug: { type: "boolean", help: "print stack traces with errors (also DPO_KERNELS_DEBUG=1)" },
  help: { type: "boolean", help: "this text" },
} as const;

const FLAGS = {
  ...configParseOptions(),
  ...Object.fromEntries(Object.entries(CLI_FLAGS).map(([flag, { type }]) => [flag, { type }])),
};

/**
 * The `--help` text: every configuration field's flag (derived from its table), then the CLI's own flags.
 *
 * @returns The text.
 * @example
 * ```ts
 * import { helpText } from "./train.ts";
 * import assert from "node:assert/strict";
 * assert.match(helpText(), /--sft-steps N/);
 * ```
 */
export function helpText(): string {
  const own = Object.entries(CLI_FLAGS).map(([flag, f]) =>
    helpLine(flag, "arg" in f ? f.arg : undefined, f.help)
  );
  return `Train a policy with SFT, then DPO-Kernels.

Usage: deno task train --data FILE.jsonl --out DIR [options]

Data lines are {"prompt", "chosen", "rejected"} JSON objects (extra keys ignored).

Options:
${[...configHelpLines(), ...own].join("\n")}

Ctrl-C writes a checkpoint after the current step and prints the command that resumes it.
`;
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
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configFromArgs } from "./train.ts";
 * const config = await configFromArgs(["--data", "pairs.jsonl", "--out", "run", "--loss", "rbf", "--steps", "30", "--beta", "0.2"]);
 * assert.equal(config?.loss, "rbf");
 * assert.deepEqual([config?.steps, config?.beta], [30, 0.2]);
 * assert.equal(await configFromArgs(["--help"]), undefined);
 * await assert.rejects(() => configFromArgs(["--data", "pairs.jsonl", "--out", "run", "--stpes", "3"]), /stpes/);
 * ```
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
  const file = typeof v.config === "string" ? await readConfigFile(v.config) : {};
  const base = setConfigFlags(file, v);
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
    console.log(helpText());
    return 0;
  }
  // The first line: which backend, which BLAS and how many threads (the fastest CPU path unless one is named).
  try {
    const text = parseArgs({ args: Deno.args, options: FLAGS, strict: true }).values.threads;
    const threads = typeof text === "string" ? parseNumberFlag("threads", text) : undefined;
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
