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
