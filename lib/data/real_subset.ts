/**
 * Real preference sets at laptop scale (issue 12, item 7): the pairs whose prompt and longer response fit a
 * byte-level context whole, split into training and held-out pairs by a seeded shuffle. Taking the pairs that
 * fit (rather than cutting every pair to the context) keeps each response whole and each prompt readable, at
 * the cost of favouring short exchanges; the notebooks say how many pairs of each set fit.
 *
 * @module
 */
import { createRandom } from "../math/random.ts";
import type { PreferenceExample } from "./preference.ts";

/** Options of {@link realSubset}. */
export interface RealSubsetOptions {
  /** The context in tokens (bytes for the byte tokenizer) that prompt + longer response + end token must fit. */
  contextLength: number;
  /** Share of the fitting pairs held out (default 0.2). */
  heldOutFraction?: number;
  /** Keep at most this many fitting pairs before splitting (default all). */
  maxPairs?: number;
  /** Seed of the shuffle (default 0). */
  seed?: number;
}

/** What {@link realSubset} returns. */
export interface RealSubset {
  /** Training pairs. */
  train: PreferenceExample[];
  /** Held-out pairs. */
  test: PreferenceExample[];
  /** Pairs in the input, and how many of them fit. */
  counts: { total: number; fitting: number };
}

const bytes = (s: string): number => new TextEncoder().encode(s).length;

/**
 * The pairs that fit a byte-level context whole (UTF-8 bytes of the prompt plus the longer response, plus one
 * end token, at most `contextLength + 1`: the trainer predicts `T` next tokens from `T + 1`), shuffled with a
 * seed and split into training and held-out pairs.
 *
 * @param examples The pairs (e.g. `readPreferenceJsonl` of a file of the shared data folder).
 * @param options The context, held-out share, cap and seed.
 * @returns Training and held-out pairs and the counts.
 * @throws {RangeError} Naming the option, if `contextLength` is not a positive integer, `heldOutFraction` is not in
 *   (0, 1), or fewer than two pairs fit.
 * @example
 * ```ts
 * import { realSubset } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const pair = (n: number) => ({ prompt: "Q".repeat(n), chosen: "a", rejected: "bb" });
 * const s = realSubset([pair(10), pair(10), pair(500), pair(10), pair(10)], { contextLength: 16, heldOutFraction: 0.25 });
 * assert.deepEqual(s.counts, { total: 5, fitting: 4 });
 * assert.equal(s.train.length, 3);
 * assert.equal(s.test.length, 1);
 * ```
 */
export function realSubset(examples: readonly PreferenceExample[], options: RealSubsetOptions): RealSubset {
  const { contextLength, heldOutFraction = 0.2, maxPairs = Infinity, seed = 0 } = options;
  if (!Number.isInteger(contextLength) || contextLength < 1) {
    throw new RangeError(`options.contextLength must be a positive integer, got ${contextLength}`);
  }
  if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
    throw new RangeError(`options.heldOutFraction must lie in (0, 1), got ${heldOutFraction}`);
  }
  if (!(maxPairs >= 2)) throw new RangeError(`options.maxPairs must be at least 2, got ${maxPairs}`);
  const fitting = examples.filter((e) =>
    bytes(e.prompt) + Math.max(bytes(e.chosen), bytes(e.rejected)) + 1 <= contextLength + 1
  );
  if (fitting.length < 2) {
    throw new RangeError(
      `only ${fitting.length} of ${examples.length} pairs fit options.contextLength ${contextLength}; raise it`,
    );
  }
  const random = createRandom(seed);
  const order = fitting.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const kept = order.slice(0, Math.min(order.length, maxPairs)).map((i) => fitting[i]!);
  const nTest = Math.max(1, Math.round(kept.length * heldOutFraction));
  return {
    train: kept.slice(0, kept.length - nTest),
    test: kept.slice(kept.length - nTest),
    counts: { total: examples.length, fitting: fitting.length },
  };
}
