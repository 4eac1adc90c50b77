/**
 * A run's output folder and the checkpoints a run resumes from, checked before any training starts.
 *
 * ```text
 * OUT/metrics.jsonl            one line per step (sft, preference, eval)
 * OUT/summary.json             the run's summary
 * OUT/reference/               the SFT model, frozen (phase "reference"; not resumable)
 * OUT/checkpoint-sft-N/        an interrupted SFT phase (phase "sft", step N)
 * OUT/checkpoint-N/, OUT/final/  preference checkpoints (phase "preference", step N)
 * ```
 *
 * A preference checkpoint's `trainer_state.json` names its reference by folder name (`"reference"`), relative
 * to the checkpoint's parent folder, so a run resumes from any working directory.
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import { describe } from "../math/validation.ts";
import { CHECKPOINT_FILES, checkpointTokenizerSpec, parseCheckpointConfig } from "../io/checkpoint_config.ts";

/** Where a run resumes, read and checked from a checkpoint folder by {@link readResumePoint}. */
export interface ResumePoint {
  /** The checkpoint folder. */
  dir: string;
  /** The phase the checkpoint was written in. */
  phase: "sft" | "preference";
  /** The step to run next (0-based) within that phase. */
  step: number;
  /** The reference folder (preference phase), resolved against the checkpoint's parent folder. */
  reference?: string;
  /** The mixture logits saved with a preference checkpoint, if any. */
  mixture?: Record<string, number[]>;
  /** The tokenizer spec the checkpoint recorded (`"byte"` when none). */
  tokenizer: string;
  /** Whether `optimizer.safetensors` is present. */
  hasOptimizer: boolean;
}

/** The limits a resume point is checked against: the run's SFT and preference step counts. */
export interface ResumeLimits {
  /** SFT steps of the run. */
  sftSteps: number;
  /** Preference steps of the run. */
  steps: number;
  /** Accept a checkpoint without `optimizer.safetensors` (the optimizer restarts). */
  weightsOnly: boolean;
}

async function statOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new Error(`${path}: missing; ${what}`);
    throw new Error(`${path}: cannot read (${(e as Error).message})`);
  }
  if (text.trim() === "") throw new Error(`${path}: empty; ${what}`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message}); ${what}`);
  }
}

/** The reference's folder: a plain folder name beside the checkpoint (older runs stored a cwd-relative path). */
async function resolveReference(dir: string, value: unknown, statePath: string): Promise<string> {
  if (typeof value !== "string" || value === "" || value.includes("\\") || value.split("/").includes("..")) {
    throw new Error(
      `${statePath}: "reference" must be a folder name beside the checkpoint, got ${describe(value)}`,
    );
  }
  const beside = join(dirname(dir), basename(value));
  if (await statOrUndefined(beside)) return beside;
  if (value.includes("/") && await statOrUndefined(value)) return value;
  throw new Error(
    `${statePath}: the reference folder ${beside} is missing (it must stay beside the checkpoint)`,
  );
}

/**
 * Reads and checks what a run needs to resume from `dir`: `config.json` (a dpo-kernels checkpoint),
 * `trainer_state.json` (a phase of `sft` or `preference`, a step within the run), `optimizer.safetensors`
 * (unless `weightsOnly`) and, for the preference phase, the reference folder beside it.
 *
 * @param dir The checkpoint folder (a local path; never a hub id).
 * @param limits The run's step counts and whether a missing optimizer is accepted.
 * @returns The resume point.
 * @throws {Error} Naming the missing or bad file and how to fix it.
 * @example
 * ```ts
 * import { readResumePoint } from "@dpo-kernels/dpo-kernels/train";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await assert.rejects(
 *   () => readResumePoint(`${dir}/checkpoint-9`, { sftSteps: 0, steps: 10, weightsOnly: false }),
 *   /no such checkpoint folder/,
 * );
 * ```
 */
export async function readResumePoint(dir: string, limits: ResumeLimits): Promise<ResumePoint> {
  const info = await statOrUndefined(dir);
  if (info === undefined || !info.isDirectory) {
    throw new Error(`${dir}: no such checkpoint folder (--resume takes a local checkpoint-N folder)`);
  }
  const configPath = join(dir, CHECKPOINT_FILES.config);
  const config = await readJson(configPath, `is ${dir} a checkpoint folder written by this trainer?`);
  const tokenizer = checkpointTokenizerSpec(dir, parseCheckpointConfig(config, configPath));

  const statePath = join(dir, CHECKPOINT_FILES.state);
  const state = await readJson(statePath, `${dir} cannot be resumed (resume from a checkpoint-N folder)`);
  if (typeof state !== "object" || state === null || Array.isArray(state)) {
    throw new Error(`${statePath}: expected an object with phase and step, got ${describe(state)}`);
  }
  const s = state as Record<string, unknown>;
  if (s.phase === "reference") {
    throw new Error(
      `${statePath}: ${dir} is the frozen SFT reference, not a resumable checkpoint; to start preference ` +
        `training from it, pass --model ${dir} --sft-steps 0`,
    );
  }
  if (s.phase !== "sft" && s.phase !== "preference") {
    throw new Error(`${statePath}: phase must be "sft" or "preference", got ${describe(s.phase)}`);
  }
  const limit = s.phase === "sft" ? limits.sftSteps : limits.steps;
  if (!Number.isSafeInteger(s.step) || (s.step as number) < 0) {
    throw new Error(`${statePath}: step must be an integer >= 0, got ${describe(s.step)}`);
  }
  if ((s.step as number) > limit) {
    const flag = s.phase === "sft" ? "--sft-steps" : "--steps";
    throw new Error(`${statePath}: ${s.phase} step ${s.step} is beyond the run's ${limit} (raise ${flag})`);
  }
  const point: ResumePoint = {
    dir,
    phase: s.phase,
    step: s.step as number,
    tokenizer,
    hasOptimizer: (await statOrUndefined(join(dir, CHECKPOINT_FILES.optimizer))) !== undefined,
  };
  if (!point.hasOptimizer && !limits.weightsOnly) {
    throw new Error(
      `${
        join(dir, CHECKPOINT_FILES.optimizer)
      }: missing; pass --resume-weights-only to resume with a fresh ` +
        `optimizer state`,
    );
  }
  if (s.phase === "preference") {
    point.reference = await resolveReference(dir, s.reference, statePath);
    if (s.mixture !== undefined && s.mixture !== null) {
      if (typeof s.mixture !== "object" || Array.isArray(s.mixture)) {
        throw new Error(`${statePath}: mixture must be an object of logits, got ${describe(s.mixture)}`);
      }
      point.mixture = s.mixture as Record<string, number[]>;
    }
  }
  return point;
}

/** Whether a folder entry belongs to a run: its metrics, summary, reference and checkpoints. */
function isRunEntry(name: string): boolean {
  return name === "metrics.jsonl" || name === "summary.json" || name === "reference" || name === "final" ||
    /^checkpoint-(sft-)?\d+$/.test(name);
}

/**
 * Makes `out` ready for a run and returns notes for the log. `out` must be a folder (created if missing) that
 * the process can write. A folder holding another run (metrics, summary, reference or checkpoints) is refused
 * unless `overwrite` (its run's entries are then removed, other files kept) or the run resumes from a
 * checkpoint inside it (the same run, continued).
 *
 * @param out The output folder.
 * @param options `overwrite`, and the checkpoint the run resumes from, if any.
 * @returns Notes for the log (what was removed).
 * @throws {RangeError} If `out` is a file, or holds another run without `overwrite`.
 * @throws {Error} If `out` cannot be created or written.
 * @example
 * ```ts
 * import { prepareRunFolder } from "@dpo-kernels/dpo-kernels/train";
 * import assert from "node:assert/strict";
 * const out = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${out}/metrics.jsonl`, "{}\n");
 * await assert.rejects(() => prepareRunFolder(out, { overwrite: false }), /--overwrite/);
 * assert.equal((await prepareRunFolder(out, { overwrite: true })).length, 1);
 * ```
 */
export async function prepareRunFolder(
  out: string,
  options: { overwrite: boolean; resume?: string },
): Promise<string[]> {
  let info: Deno.FileInfo | undefined;
  try {
    info = await statOrUndefined(out);
  } catch (e) {
    throw new Error(`cannot write to --out ${out}: ${(e as Error).message}`);
  }
  if (info !== undefined && !info.isDirectory) {
    throw new RangeError(`--out ${out} is an existing file, not a folder; choose another --out`);
  }
  const notes: string[] = [];
  if (info !== undefined) {
    const entries: string[] = [];
    for await (const e of Deno.readDir(out)) if (isRunEntry(e.name)) entries.push(e.name);
    entries.sort();
    const continuing = options.resume !== undefined && resolve(dirname(options.resume)) === resolve(out);
    if (entries.length > 0 && !continuing) {
      if (!options.overwrite) {
        throw new RangeError(
          `--out ${out} holds another run (${entries.slice(0, 4).join(", ")}${
            entries.length > 4 ? ", …" : ""
          }); ` +
            `pass --overwrite to replace it, or choose another --out`,
        );
      }
      for (const name of entries) await Deno.remove(join(out, name), { recursive: true });
      notes.push(`--overwrite: removed the previous run's ${entries.join(", ")} from ${out}`);
    }
  }
  try {
    await Deno.mkdir(out, { recursive: true });
    const probe = join(out, `.write-test-${crypto.randomUUID()}`);
    await Deno.writeTextFile(probe, "");
    await Deno.remove(probe);
  } catch (e) {
    throw new Error(`cannot write to --out ${out}: ${(e as Error).message}`);
  }
  return notes;
}

/**
 * Drops the lines of `metrics.jsonl` that a resumed run will write again: those at or after the resume point
 * (SFT lines from `step` on when resuming SFT; preference and eval lines from `step` on when resuming
 * preference, every SFT line kept). The file is replaced atomically.
 *
 * @param path The metrics file (nothing happens if it is missing).
 * @param phase The phase resumed.
 * @param step The first step the resumed run writes.
 * @returns How many lines were dropped.
 * @example
 * ```ts
 * import { truncateMetrics } from "@dpo-kernels/dpo-kernels/train";
 * import assert from "node:assert/strict";
 * const path = (await Deno.makeTempDir()) + "/metrics.jsonl";
 * const lines = [0, 1, 2, 3].map((step) => JSON.stringify({ phase: "preference", step }));
 * await Deno.writeTextFile(path, lines.join("\n") + "\n");
 * assert.equal(await truncateMetrics(path, "preference", 2), 2);
 * assert.equal((await Deno.readTextFile(path)).trim().split("\n").length, 2);
 * ```
 */
export async function truncateMetrics(
  path: string,
  phase: "sft" | "preference",
  step: number,
): Promise<number> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return 0;
    throw e;
  }
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  const keep = lines.filter((line) => {
    let record: { phase?: unknown; step?: unknown };
    try {
      record = JSON.parse(line);
    } catch {
      return false; // a torn last line of an interrupted write
    }
    const s = typeof record.step === "number" ? record.step : Infinity;
    if (record.phase === "sft") return phase === "preference" || s < step;
    return phase === "preference" && s < step;
  });
  if (keep.length === lines.length) return 0;
  const tmp = `${path}.tmp-${crypto.randomUUID()}`;
  await Deno.writeTextFile(tmp, keep.map((l) => l + "\n").join(""));
  await Deno.rename(tmp, path);
  return lines.length - keep.length;
}
