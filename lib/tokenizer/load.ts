/**
 * Tokenizers by spec: a named tokenizer from {@link TOKENIZERS} (`"byte"`), else a Hugging Face tokenizer from
 * a folder or a hub id.
 *
 * @module
 */
import { describe } from "../math/validation.ts";
import { ByteTokenizer } from "./byte.ts";
import { type HfTokenizerOptions, loadHfTokenizer } from "./hf.ts";
import type { Tokenizer } from "./types.ts";

/** A named tokenizer: what it is and how to make it. */
export interface TokenizerEntry {
  /** One line, for `--help`. */
  description: string;
  /** Makes the tokenizer. */
  load(): Promise<Tokenizer>;
}

/** The tokenizers available by name; any other spec is a Hugging Face folder or hub id. */
export const TOKENIZERS: Readonly<Record<string, TokenizerEntry>> = Object.freeze({
  byte: {
    description: "UTF-8 bytes, vocabulary 256 (no files, no training)",
    load: () => Promise.resolve(new ByteTokenizer()),
  },
});

/**
 * Loads a tokenizer: a name from {@link TOKENIZERS} (`"byte"`), else a Hugging Face tokenizer from a local folder
 * or a hub id (see `loadHfTokenizer`; that path needs `--allow-ffi`). A tokenizer's `name` is a spec that loads
 * it again, which is what checkpoints store.
 *
 * @param spec `"byte"`, a folder path, or a hub id (`"gpt2"`).
 * @param options For Hugging Face tokenizers: special tokens, cache folder, download settings.
 * @returns The tokenizer.
 * @throws {TypeError} If spec is not a non-empty string.
 * @throws {Error} As `loadHfTokenizer` for a folder or hub id.
 *
 * @example
 * ```ts
 * import { loadTokenizer } from "@dpo-kernels/dpo-kernels/tokenizer";
 * import assert from "node:assert/strict";
 * const tok = await loadTokenizer("byte");
 * assert.equal(tok.vocabSize, 256);
 * assert.equal(tok.decode(tok.encode("DPO")), "DPO");
 * ```
 */
export async function loadTokenizer(spec: string, options: HfTokenizerOptions = {}): Promise<Tokenizer> {
  if (typeof spec !== "string" || spec === "") {
    throw new TypeError(`spec must be "byte", a folder path or a hub id, got ${describe(spec)}`);
  }
  const entry = Object.hasOwn(TOKENIZERS, spec) ? TOKENIZERS[spec] : undefined;
  if (entry !== undefined) return await entry.load();
  return await loadHfTokenizer(spec, options);
}
