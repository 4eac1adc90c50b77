/**
 * Hugging Face tokenizers (GPT-2's BPE, SentencePiece, WordPiece, …) through transformers.js's
 * `AutoTokenizer`, from a local folder or a hub id, behind the {@link Tokenizer} interface.
 *
 * transformers.js is imported on first use only: importing it loads `sharp`, which needs Deno's `--allow-ffi`,
 * and the rest of the module should not.
 *
 * @module
 */
import type { PreTrainedTokenizer } from "@huggingface/transformers";
import { basename, dirname, resolve } from "node:path";
import { describe } from "../math/validation.ts";
import { downloadFromHub, type HubOptions } from "../hub/hub.ts";
import { isHubId } from "../hub/safe_path.ts";
import type { Tokenizer } from "./types.ts";

/** The files a tokenizer folder must hold (transformers.js reads both; `tokenizer_config.json` may be `{}`). */
export const HF_TOKENIZER_FILES: readonly string[] = Object.freeze([
  "tokenizer.json",
  "tokenizer_config.json",
]);

/** Options of {@link loadHfTokenizer}. */
export interface HfTokenizerOptions extends HubOptions {
  /** Whether `encode` adds the tokenizer's special tokens (BERT's [CLS]/[SEP], …); default false. */
  addSpecialTokens?: boolean;
}

/** The load in progress (transformers.js's `env` is global, so loads take turns). */
let loading: Promise<void> = Promise.resolve();

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * A Hugging Face tokenizer, loaded by {@link loadHfTokenizer}.
 *
 * @example
 * ```ts
 * import { loadHfTokenizer } from "@dpo-kernels/dpo-kernels/tokenizer";
 * import assert from "node:assert/strict";
 * // a word-level tokenizer written to a temporary folder (offline)
 * const dir = await Deno.makeTempDir();
 * const model = { type: "WordLevel", vocab: { "<eos>": 0, "<unk>": 1, hello: 2, world: 3 }, unk_token: "<unk>" };
 * const special = { id: 0, content: "<eos>", single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
 * await Deno.writeTextFile(`${dir}/tokenizer.json`, JSON.stringify({
 *   version: "1.0", truncation: null, padding: null, added_tokens: [special], normalizer: null,
 *   pre_tokenizer: { type: "Whitespace" }, post_processor: null, decoder: null, model,
 * }));
 * await Deno.writeTextFile(`${dir}/tokenizer_config.json`, JSON.stringify({ unk_token: "<unk>", eos_token: "<eos>" }));
 * const tok = await loadHfTokenizer(dir);
 * assert.deepEqual(tok.encode("hello world"), [2, 3]);
 * assert.deepEqual([tok.vocabSize, tok.eosId], [4, 0]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class HfTokenizer implements Tokenizer {
  /** The folder path or hub id it was loaded from (what {@link loadHfTokenizer} takes to load it again). */
  readonly name: string;
  /** The largest token id + 1, added tokens included. */
  readonly vocabSize: number;
  /** The tokenizer's `eos_token` id, if it has one. */
  readonly eosId?: number;
  readonly #tokenizer: PreTrainedTokenizer;
  readonly #addSpecialTokens: boolean;

  /**
   * Wraps a transformers.js tokenizer (use {@link loadHfTokenizer} to load one).
   *
   * @param name What it was loaded from.
   * @param tokenizer The transformers.js tokenizer.
   * @param options Whether `encode` adds special tokens (default false).
   */
  constructor(name: string, tokenizer: PreTrainedTokenizer, options: { addSpecialTokens?: boolean } = {}) {
    this.name = name;
    this.#tokenizer = tokenizer;
    this.#addSpecialTokens = options.addSpecialTokens ?? false;
    let max = -1;
    for (const id of tokenizer.get_vocab().values()) if (id > max) max = id;
    this.vocabSize = max + 1;
    const eos = tokenizer.eos_token_id;
    if (typeof eos === "number" && Number.isInteger(eos)) this.eosId = eos;
  }

  /**
   * Token ids of a text.
   *
   * @param text Any string.
   * @returns The ids (with special tokens only if the tokenizer was loaded with `addSpecialTokens`).
   * @throws {TypeError} If text is not a string.
   * @throws {Error} If a piece of text has no id and the tokenizer no unknown token.
   */
  encode(text: string): number[] {
    if (typeof text !== "string") throw new TypeError(`text must be a string, got ${describe(text)}`);
    const ids = this.#tokenizer.encode(text, { add_special_tokens: this.#addSpecialTokens });
    const bad = ids.findIndex((id) => !Number.isInteger(id));
    if (bad >= 0) {
      // transformers.js maps a token it cannot find to the unknown id, and to undefined when there is none.
      throw new Error(
        `tokenizer ${this.name}: token ${bad} of text ${
          describe(text)
        } is not in the vocabulary and the tokenizer ` +
          'has no unknown token (set "unk_token" in tokenizer_config.json)',
      );
    }
    return ids;
  }

  /**
   * The text of token ids (special tokens kept).
   *
   * @param ids Integers in [0, vocabSize).
   * @returns The text.
   * @throws {RangeError} Naming the first id that is not an integer in [0, vocabSize).
   */
  decode(ids: readonly number[]): string {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new RangeError(`ids[${i}] must be an integer in [0, ${this.vocabSize}), got ${describe(id)}`);
      }
    }
    return this.#tokenizer.decode([...ids], { skip_special_tokens: false });
  }
}

/**
 * Loads a Hugging Face tokenizer with transformers.js's `AutoTokenizer.from_pretrained`, always from a local
 * folder with remote loading off: a folder path is read as it is; a hub id's `tokenizer.json` and
 * `tokenizer_config.json` are first downloaded into the dpo-kernels hub cache (skipped when cached), the same
 * cache `loadGpt2` uses. Needs `--allow-ffi` (transformers.js loads sharp on import).
 *
 * @param source A folder holding tokenizer.json and tokenizer_config.json, or a hub id (`"gpt2"`).
 * @param options Whether `encode` adds special tokens, and where and how to download.
 * @returns The tokenizer.
 * @throws {Error} If the folder lacks a tokenizer file, source is neither a folder nor a hub id, or the hub is
 * unreachable and the files are not cached (the message says how to pass a local folder).
 *
 * @example
 * ```ts ignore
 * import { loadHfTokenizer } from "@dpo-kernels/dpo-kernels/tokenizer";
 * const tok = await loadHfTokenizer("gpt2"); // downloads two files once
 * console.log(tok.encode("Hello world"), tok.vocabSize, tok.eosId); // [15496, 995] 50257 50256
 * ```
 */
export async function loadHfTokenizer(
  source: string,
  options: HfTokenizerOptions = {},
): Promise<HfTokenizer> {
  if (typeof source !== "string" || source === "") {
    throw new TypeError(`source must be a folder path or a hub id, got ${describe(source)}`);
  }
  let folder: string;
  if (await isFolder(source)) {
    folder = source;
  } else if (isHubId(source)) {
    folder = await downloadFromHub(source, { ...options, files: HF_TOKENIZER_FILES });
  } else {
    throw new Error(
      `source ${describe(source)}: no such folder, and not a hub id like "gpt2" or "owner/name"`,
    );
  }
  for (const file of HF_TOKENIZER_FILES) {
    try {
      await Deno.stat(`${folder}/${file}`);
    } catch (e) {
      throw new Error(
        `${folder}/${file}: no such file (a tokenizer folder needs ${HF_TOKENIZER_FILES.join(" and ")}; ` +
          "tokenizer_config.json may be {})",
        { cause: e },
      );
    }
  }
  const { AutoTokenizer, env } = await import("@huggingface/transformers");
  const absolute = resolve(folder);
  // env is global: one load at a time, so that concurrent loads never see each other's localModelPath.
  const previous = loading;
  let release = (): void => {};
  loading = new Promise<void>((r) => (release = r));
  await previous;
  const saved = {
    allowRemoteModels: env.allowRemoteModels,
    allowLocalModels: env.allowLocalModels,
    localModelPath: env.localModelPath,
  };
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = dirname(absolute) + "/";
  try {
    const tokenizer = await AutoTokenizer.from_pretrained(basename(absolute), { local_files_only: true });
    return new HfTokenizer(source, tokenizer, options);
  } catch (e) {
    throw new Error(`${folder}: transformers.js could not load the tokenizer (${(e as Error).message})`, {
      cause: e,
    });
  } finally {
    Object.assign(env, saved);
    release();
  }
}
