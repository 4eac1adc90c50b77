/**
 * The run's `OUT/metrics.jsonl`: one JSON line per step and evaluation. A run resumed inside its own folder
 * continues the file (dropping the lines after the checkpoint it resumes from); any other run starts it anew.
 * Scalars reach the host in one read per step ({@link readScalars}).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { dirname, resolve } from "node:path";
import { type ResumePoint, truncateMetrics } from "./run_folder.ts";
import { join } from "./setup.ts";

/**
 * Opens `OUT/metrics.jsonl`: appended to when resuming a checkpoint of the same folder (later lines dropped,
 * with a note), truncated otherwise.
 *
 * @param out The run's folder.
 * @param resume Where the run resumes, if it does.
 * @returns The open file and the notes for the log.
 * @example
 * ```ts
 * import { openMetricsLog } from "./metrics_log.ts";
 * import assert from "node:assert/strict";
 * const out = await Deno.makeTempDir();
 * const log = await openMetricsLog(out, undefined);
 * log.file.close();
 * assert.equal(await Deno.readTextFile(`${out}/metrics.jsonl`), "");
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export async function openMetricsLog(
  out: string,
  resume: ResumePoint | undefined,
): Promise<{ file: Deno.FsFile; notes: string[] }> {
  const path = join(out, "metrics.jsonl");
  const notes: string[] = [];
  const continuing = resume !== undefined && resolve(dirname(resume.dir)) === resolve(out);
  if (continuing) {
    const dropped = await truncateMetrics(path, resume.phase, resume.step);
    if (dropped > 0) {
      notes.push(
        `resuming at ${resume.phase} step ${resume.step}: dropped ${dropped} later lines of ${path}`,
      );
    }
  }
  const file = await Deno.open(path, {
    create: true,
    write: true,
    append: continuing,
    truncate: !continuing,
  });
  return { file, notes };
}

/**
 * Writes one metrics line. JSON has no NaN or Infinity: such a value is written as `null` and named, with its
 * value, in a `reason` field, so that a `null` never goes unexplained.
 *
 * @param file The open metrics file.
 * @param record The line's fields.
 * @example
 * ```ts
 * import { writeLine } from "./metrics_log.ts";
 * import assert from "node:assert/strict";
 * const path = await Deno.makeTempFile();
 * const file = await Deno.open(path, { write: true });
 * writeLine(file, { step: 0, loss: NaN });
 * file.close();
 * assert.deepEqual(JSON.parse(await Deno.readTextFile(path)), { step: 0, loss: null, reason: { loss: "non-finite (NaN)" } });
 * await Deno.remove(path);
 * ```
 */
export function writeLine(file: Deno.FsFile, record: Readonly<Record<string, unknown>>): void {
  const reason: Record<string, string> = {};
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === "number" && !Number.isFinite(value)) {
      clean[key] = null;
      reason[key] = `non-finite (${value})`;
    } else {
      clean[key] = value;
    }
  }
  if (Object.keys(reason).length > 0) clean.reason = reason;
  file.writeSync(new TextEncoder().encode(JSON.stringify(clean) + "\n"));
}

/**
 * Reads a named record of scalars to the host in one transfer: the names and the values come from the same
 * record, so a value can never be logged under another's name.
 *
 * @param record Scalars by name (not disposed).
 * @returns The values by the same names.
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { readScalars } from "./metrics_log.ts";
 * import assert from "node:assert/strict";
 * const record = { loss: tf.scalar(0.5), grad_norm: tf.scalar(2) };
 * assert.deepEqual(await readScalars(record), { loss: 0.5, grad_norm: 2 });
 * tf.dispose(Object.values(record));
 * ```
 */
export async function readScalars(
  record: Readonly<Record<string, tf.Scalar>>,
): Promise<Record<string, number>> {
  const names = Object.keys(record);
  if (names.length === 0) return {};
  const packed = tf.tidy(() => tf.stack(names.map((name) => record[name]!)));
  const values = await packed.data();
  packed.dispose();
  return Object.fromEntries(names.map((name, i) => [name, values[i] as number]));
}
