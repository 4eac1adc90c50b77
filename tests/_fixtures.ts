// Shared test data: a tiny learnable preference task, the last digit of a small sum (chosen) against a wrong
// digit (rejected), and a model size that trains it in milliseconds.
import { join } from "node:path";
import type { PreferenceExample, SyntheticCheck, SyntheticExample } from "../lib/data/mod.ts";
import type { PreferenceTriplet } from "../lib/selection/mod.ts";
import { SELECTION_DATASETS } from "./golden/selection_values.ts";

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

/** A synthetic-suite example with placeholder texts, for the checkers' tests. */
export const syntheticExample = (
  category: SyntheticExample["category"],
  label: SyntheticExample["label"],
  check: SyntheticCheck,
): SyntheticExample => ({
  prompt: "p ",
  chosen: "c\n",
  rejected: "r\n",
  category,
  label,
  check,
});

/** Every file and folder under `dir`, relative, sorted (the path-escape tests compare trees). */
export async function fileTree(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(join(dir, prefix))) {
    const rel = prefix === "" ? e.name : `${prefix}/${e.name}`;
    out.push(rel);
    if (e.isDirectory) out.push(...await fileTree(dir, rel));
  }
  return out.sort();
}

/** The golden selection data set `name` as preference triplets. */
export function selectionTriplets(name: string): PreferenceTriplet[] {
  const d = SELECTION_DATASETS[name];
  if (!d) throw new Error(`no dataset ${name}`);
  return d.prompt.map((prompt, i) => ({
    prompt,
    chosen: d.chosen[i] as number[],
    rejected: d.rejected[i] as number[],
  }));
}
