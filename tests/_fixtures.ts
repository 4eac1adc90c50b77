// Shared test data: a tiny learnable preference task, the last digit of a small sum (chosen) against a wrong
// digit (rejected), and a model size that trains it in milliseconds.
import type { PreferenceExample } from "../lib/data/mod.ts";

/** `n` pairs `a+b=` → `(a+b) mod 10.` over `(a+b+3) mod 10.`; with `categories`, alternately factuality/reasoning. */
export function sumPairs(n: number, options: { categories?: boolean } = {}): PreferenceExample[] {
  return Array.from({ length: n }, (_, i) => {
    const a = i % 7;
    const b = (i * 3) % 5;
    const pair: PreferenceExample = {
      prompt: `${a}+${b}=`,
      chosen: `${(a + b) % 10}.`,
      rejected: `${(a + b + 3) % 10}.`,
    };
    if (options.categories) pair.category = i % 2 ? "reasoning" : "factuality";
    return pair;
  });
}

/** A one-layer GPT small enough for trainer tests. */
export const TINY_MODEL = { dModel: 16, layers: 1, heads: 2, contextLength: 16 };
