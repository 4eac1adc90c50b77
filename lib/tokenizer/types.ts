/**
 * The interface every tokenizer implements: text to token ids and back.
 *
 * @module
 */

/** A tokenizer: text ↔ token ids in `[0, vocabSize)`. */
export interface Tokenizer {
  /**
   * What it is, and the spec that {@link loadTokenizer} accepts to load it again (`"byte"`, a folder path, or a
   * Hugging Face hub id); checkpoints store it.
   */
  readonly name: string;
  /** The number of token ids (the GPT's `vocabSize` must be at least this). */
  readonly vocabSize: number;
  /** The end-of-sequence id, where the tokenizer has one. */
  readonly eosId?: number;
  /**
   * Splits text into token ids.
   *
   * @param text Any string.
   * @returns The ids, each in `[0, vocabSize)`.
   */
  encode(text: string): number[];
  /**
   * Turns token ids back into text.
   *
   * @param ids Integers in `[0, vocabSize)`.
   * @returns The text.
   */
  decode(ids: readonly number[]): string;
}

/** What a checkpoint records about its tokenizer. */
export interface TokenizerInfo {
  /** {@link Tokenizer.name}: the spec to load it again. */
  name: string;
  /** {@link Tokenizer.vocabSize}. */
  vocabSize: number;
  /** {@link Tokenizer.eosId}. */
  eosId?: number;
}

/**
 * What a checkpoint records about a tokenizer: its name, vocabulary size and end-of-sequence id.
 *
 * @param tokenizer Any tokenizer.
 * @returns A JSON-able summary.
 *
 * @example
 * ```ts
 * import { ByteTokenizer, tokenizerInfo } from "@dpo-kernels/dpo-kernels/train";
 * import assert from "node:assert/strict";
 * assert.deepEqual(tokenizerInfo(new ByteTokenizer()), { name: "byte", vocabSize: 256 });
 * ```
 */
export function tokenizerInfo(tokenizer: Tokenizer): TokenizerInfo {
  const info: TokenizerInfo = { name: tokenizer.name, vocabSize: tokenizer.vocabSize };
  if (tokenizer.eosId !== undefined) info.eosId = tokenizer.eosId;
  return info;
}
