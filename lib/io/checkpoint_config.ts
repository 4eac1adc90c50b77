/**
 * A checkpoint's layout and its config.json record: the file names, the format version, the tokenizer record,
 * and the parser of the `dpo_kernels` block (see `checkpoint.ts` for saving and loading the folder).
 *
 * @module
 */
import { dirname, join } from "node:path";
import { type GptConfig, validateGptConfig } from "../model/config.ts";
import { describe } from "../math/validation.ts";
import { assertRecordedName, isSafeRelativePath } from "../hub/safe_path.ts";
import { exists } from "../hub/files.ts";

/** The version of the checkpoint layout this code writes (and the newest it reads). */
export const CHECKPOINT_FORMAT_VERSION = 1;

/** The files of a checkpoint folder. */
export const CHECKPOINT_FILES: Readonly<{ model: string; config: string; optimizer: string; state: string }> =
  Object
    .freeze({
      model: "model.safetensors",
      config: "config.json",
      optimizer: "optimizer.safetensors",
      state: "trainer_state.json",
    });

/** A JSON value: what `trainer_state.json` may hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Throws a TypeError naming the first value JSON cannot carry faithfully (NaN, ±Infinity, undefined, a class
 * instance, …): what `trainer_state.json` may hold.
 *
 * @param value Any value.
 * @param path Its name, for messages (`options.state`).
 * @param depth The nesting depth so far (a cycle stops at 100).
 * @throws {TypeError} Naming the path of the first bad value.
 * @example
 * ```ts
 * import { assertJson } from "@dpo-kernels/dpo-kernels/io";
 * import assert from "node:assert/strict";
 * assertJson({ step: 3, losses: [0.69] }, "state");
 * assert.throws(() => assertJson({ losses: [NaN] }, "state"), /state\.losses\[0\] must be a finite number/);
 * ```
 */
export function assertJson(value: unknown, path: string, depth = 0): void {
  if (depth > 100) throw new TypeError(`${path} is nested too deeply (a cycle?)`);
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new TypeError(`${path} must be a finite number for JSON, got ${value}`);
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertJson(v, `${path}[${i}]`, depth + 1));
    return;
  }
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) assertJson(v, `${path}.${k}`, depth + 1);
    return;
  }
  throw new TypeError(
    `${path} must be JSON (null, boolean, number, string, array, plain object), got ${describe(value)}`,
  );
}

/** What a checkpoint records about its tokenizer (every `Tokenizer` has these fields). */
export interface TokenizerInfo {
  /** The tokenizer's name: the spec `loadTokenizer` accepts to load it again. */
  name: string;
  /** The number of token ids. */
  vocabSize: number;
  /** The end-of-sequence id, where the tokenizer has one. */
  eosId?: number;
}

/**
 * What a checkpoint records about a tokenizer: its name, vocabulary size and end-of-sequence id.
 *
 * @param tokenizer Any tokenizer (or its record).
 * @returns A JSON-able summary.
 *
 * @example
 * ```ts
 * import { tokenizerInfo } from "@dpo-kernels/dpo-kernels/io";
 * import { ByteTokenizer } from "@dpo-kernels/dpo-kernels/tokenizer";
 * import assert from "node:assert/strict";
 * assert.deepEqual(tokenizerInfo(new ByteTokenizer()), { name: "byte", vocabSize: 256 });
 * ```
 */
export function tokenizerInfo(tokenizer: Readonly<TokenizerInfo>): TokenizerInfo {
  const info: TokenizerInfo = { name: tokenizer.name, vocabSize: tokenizer.vocabSize };
  if (tokenizer.eosId !== undefined) info.eosId = tokenizer.eosId;
  return info;
}

/** The recorded tokenizer name meaning "the tokenizer files in this checkpoint folder". */
export const CHECKPOINT_TOKENIZER_HERE = ".";

/** A tokenizer folder's files copied into a checkpoint (`tokenizer.json` required). */
export const CHECKPOINT_TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json"] as const;

/**
 * The tokenizer record a checkpoint stores, and the folder whose tokenizer files it copies. A name that is
 * `"byte"`, a hub id or a safe relative path is recorded as it is; a folder given by an absolute path (or one
 * with `..`) would tie the checkpoint to this machine, so its tokenizer files are copied into the checkpoint
 * and the record says {@link CHECKPOINT_TOKENIZER_HERE}.
 *
 * @param t The tokenizer (or its record).
 * @returns The record, and the folder to copy tokenizer files from when the record says `"."`.
 * @throws {RangeError} If the name is neither safe nor a folder holding `tokenizer.json`.
 * @example
 * ```ts
 * import { checkpointTokenizerRecord } from "@dpo-kernels/dpo-kernels/io";
 * import assert from "node:assert/strict";
 * assert.deepEqual(await checkpointTokenizerRecord({ name: "gpt2", vocabSize: 50257 }), {
 *   info: { name: "gpt2", vocabSize: 50257 },
 * });
 * await assert.rejects(checkpointTokenizerRecord({ name: "/no/such/folder", vocabSize: 2 }), RangeError);
 * ```
 */
export async function checkpointTokenizerRecord(
  t: TokenizerInfo,
): Promise<{ info: TokenizerInfo; copyFrom?: string }> {
  const info = tokenizerInfo(t);
  if (typeof t.name === "string" && (isSafeRelativePath(t.name) || t.name === CHECKPOINT_TOKENIZER_HERE)) {
    return { info };
  }
  if (
    typeof t.name === "string" && t.name !== "" && await exists(join(t.name, CHECKPOINT_TOKENIZER_FILES[0]))
  ) {
    return { info: { ...info, name: CHECKPOINT_TOKENIZER_HERE }, copyFrom: t.name };
  }
  assertRecordedName(t.name, "options.tokenizer.name"); // throws, naming the value and why
  return { info };
}

/** A checkpoint's tokenizer record, checked: a safe name (never an absolute path or `..`), a vocabulary size. */
function tokenizerRecordRead(record: Record<string, unknown>, configPath: string): TokenizerInfo {
  const where = `${configPath}: dpo_kernels.tokenizer`;
  const get = (key: string): unknown => Object.hasOwn(record, key) ? record[key] : undefined;
  const recorded = get("name");
  // "." is the tokenizer files saved beside config.json: the checkpoint folder itself.
  const name = recorded === CHECKPOINT_TOKENIZER_HERE
    ? dirname(configPath)
    : assertRecordedName(recorded, `${where}.name`);
  const vocabSize = get("vocabSize");
  if (!Number.isInteger(vocabSize) || (vocabSize as number) < 1) {
    throw new RangeError(`${where}.vocabSize must be an integer >= 1, got ${describe(vocabSize)}`);
  }
  const info: TokenizerInfo = { name, vocabSize: vocabSize as number };
  const eosId = get("eosId");
  if (eosId !== undefined && eosId !== null) {
    if (!Number.isInteger(eosId) || (eosId as number) < 0) {
      throw new RangeError(`${where}.eosId must be an integer >= 0, got ${describe(eosId)}`);
    }
    info.eosId = eosId as number;
  }
  return info;
}

/** What a checkpoint's config.json says: the GPT's shape, the tokenizer's record, the layout version. */
export interface CheckpointConfig {
  /** The GPT's shape, validated. */
  config: Required<GptConfig>;
  /**
   * The tokenizer's record, when one was saved: its name checked by `assertRecordedName`, or, recorded as `"."`,
   * the checkpoint's folder (the directory of `configPath`), which holds the tokenizer files.
   */
  tokenizer?: TokenizerInfo;
  /** The layout version, 1 to {@link CHECKPOINT_FORMAT_VERSION}. */
  formatVersion: number;
}

/**
 * Reads the `dpo_kernels` block of a checkpoint's parsed config.json: any JSON value in, a validated record or a
 * `RangeError`/`TypeError` naming the file and field out.
 *
 * @param json The parsed config.json.
 * @param configPath The file's path, for messages.
 * @returns The GPT config, tokenizer record and format version.
 * @throws {TypeError} If json has no `dpo_kernels` object (not a dpo-kernels checkpoint), `gpt` is not an object,
 * or the tokenizer record is not an object or null or its name not a string.
 * @throws {RangeError} If the format version is not supported, a GPT field is out of range, or the tokenizer's
 * name is unsafe (absolute, `..`, backslash) or its vocabulary size or end-of-sequence id not an integer in range.
 *
 * @example
 * ```ts
 * import { parseCheckpointConfig } from "@dpo-kernels/dpo-kernels/io";
 * import assert from "node:assert/strict";
 * const gpt = { vocabSize: 16, contextLength: 4, dModel: 8, layers: 1, heads: 2 };
 * const c = parseCheckpointConfig({ dpo_kernels: { format_version: 1, gpt, tokenizer: null } }, "ck/config.json");
 * assert.equal(c.config.heads, 2);
 * assert.throws(() => parseCheckpointConfig({ n_embd: 8 }, "ck/config.json"), TypeError);
 * ```
 */
export function parseCheckpointConfig(json: unknown, configPath: string): CheckpointConfig {
  const block = typeof json === "object" && json !== null && !Array.isArray(json) &&
      Object.hasOwn(json, "dpo_kernels")
    ? (json as Record<string, unknown>)["dpo_kernels"]
    : undefined;
  if (typeof block !== "object" || block === null || Array.isArray(block)) {
    throw new TypeError(
      `${configPath}: no "dpo_kernels" block, so not a dpo-kernels checkpoint (for a Hugging Face GPT-2 folder, use loadGpt2)`,
    );
  }
  const field = (key: string): unknown =>
    Object.hasOwn(block, key) ? (block as Record<string, unknown>)[key] : undefined;
  const version = field("format_version");
  if (
    !Number.isInteger(version) || (version as number) < 1 || (version as number) > CHECKPOINT_FORMAT_VERSION
  ) {
    throw new RangeError(
      `${configPath}: format_version ${
        describe(version)
      } is not supported (this code reads 1 to ${CHECKPOINT_FORMAT_VERSION})`,
    );
  }
  const gpt = field("gpt");
  if (typeof gpt !== "object" || gpt === null || Array.isArray(gpt)) {
    throw new TypeError(`${configPath}: dpo_kernels.gpt must be an object, got ${describe(gpt)}`);
  }
  const config = validateGptConfig(gpt as GptConfig, `${configPath}: dpo_kernels.gpt`);
  const result: CheckpointConfig = { config, formatVersion: version as number };
  const tokenizer = field("tokenizer");
  if (typeof tokenizer === "object" && tokenizer !== null && !Array.isArray(tokenizer)) {
    result.tokenizer = tokenizerRecordRead(tokenizer as Record<string, unknown>, configPath);
  } else if (tokenizer !== undefined && tokenizer !== null) {
    throw new TypeError(
      `${configPath}: dpo_kernels.tokenizer must be an object or null, got ${describe(tokenizer)}`,
    );
  }
  return result;
}

/**
 * The tokenizer a checkpoint folder was trained with, as a spec for `loadTokenizer`: the recorded name, the
 * checkpoint folder itself when the record says {@link CHECKPOINT_TOKENIZER_HERE} (its tokenizer files were copied
 * in), or `"byte"` when none was recorded.
 *
 * @param dir The checkpoint folder.
 * @param config The folder's parsed `config.json` ({@link parseCheckpointConfig}).
 * @returns A tokenizer spec.
 * @example
 * ```ts
 * import { checkpointTokenizerSpec } from "@dpo-kernels/dpo-kernels/io";
 * import assert from "node:assert/strict";
 * const gpt = { vocabSize: 256, contextLength: 8, dModel: 8, layers: 1, heads: 1, layerNormEpsilon: 1e-5 };
 * assert.equal(checkpointTokenizerSpec("runs/a/final", { config: gpt, formatVersion: 1 }), "byte");
 * const here = { config: gpt, formatVersion: 1, tokenizer: { name: ".", vocabSize: 256 } };
 * assert.equal(checkpointTokenizerSpec("runs/a/final", here), "runs/a/final");
 * ```
 */
export function checkpointTokenizerSpec(dir: string, config: CheckpointConfig): string {
  const name = config.tokenizer?.name;
  if (name === undefined) return "byte";
  return name === CHECKPOINT_TOKENIZER_HERE ? dir : name;
}
