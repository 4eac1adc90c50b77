/**
 * The byte tokenizer: a text's UTF-8 bytes are its tokens (vocabulary 256, no training, no unknown tokens).
 *
 * @module
 */
import { describe } from "../math/validation.ts";
import type { Tokenizer } from "./types.ts";

/**
 * UTF-8 bytes as tokens: `encode` gives the bytes of the text, `decode` the text of the bytes (an id sequence
 * that is not valid UTF-8, e.g. a multi-byte character cut in half, decodes with U+FFFD in its place). There is
 * no end-of-sequence id: all 256 ids are bytes.
 *
 * @example
 * ```ts
 * import { ByteTokenizer } from "@dpo-kernels/dpo-kernels/tokenizer";
 * import assert from "node:assert/strict";
 * const tok = new ByteTokenizer();
 * assert.deepEqual(tok.encode("hé"), [104, 195, 169]);
 * assert.equal(tok.decode(tok.encode("naïve 😀")), "naïve 😀");
 * ```
 */
export class ByteTokenizer implements Tokenizer {
  /** `"byte"`. */
  readonly name: string = "byte";
  /** 256. */
  readonly vocabSize: number = 256;
  /** None: every id is a byte. */
  readonly eosId?: number = undefined;
  readonly #encoder = new TextEncoder();
  readonly #decoder = new TextDecoder("utf-8");

  /**
   * The UTF-8 bytes of a text.
   *
   * @param text Any string.
   * @returns The bytes as numbers in [0, 255].
   * @throws {TypeError} If text is not a string.
   */
  encode(text: string): number[] {
    if (typeof text !== "string") throw new TypeError(`text must be a string, got ${describe(text)}`);
    return Array.from(this.#encoder.encode(text));
  }

  /**
   * The text of UTF-8 bytes.
   *
   * @param ids Integers in [0, 255].
   * @returns The text (invalid sequences become U+FFFD).
   * @throws {RangeError} Naming the first id that is not an integer in [0, 255].
   */
  decode(ids: readonly number[]): string {
    const bytes = new Uint8Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (!Number.isInteger(id) || id < 0 || id > 255) {
        throw new RangeError(`ids[${i}] must be an integer in [0, 255], got ${describe(id)}`);
      }
      bytes[i] = id;
    }
    return this.#decoder.decode(bytes);
  }
}
