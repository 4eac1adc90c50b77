/**
 * `deno task baselines`: the prompt-blind shortcut baselines (response-string frequency in training,
 * response length, bag-of-words logistic regression on the two responses) on the held-out pairs, per
 * category, with 95 % percentile-bootstrap intervals over pairs.
 *
 *   deno task baselines [--train FILE] [--test FILE] [--resamples 4000] [--seed 0]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { shortcutBaselines, type ShortcutName } from "../analysis/shortcut_baselines.ts";
import { readPreferenceJsonl } from "../train/data.ts";

const HELP = `Prompt-blind shortcut baselines on held-out preference pairs (each should be near 0.5).

Usage: deno task baselines [options]

  --train FILE      training pairs (default data/synthetic_train.jsonl)
  --test FILE       held-out pairs (default data/synthetic_test.jsonl)
  --resamples N     bootstrap resamples for the 95 % intervals (default 4000)
  --seed N          bootstrap seed (default 0)
  --help            this text
`;

/**
 * Renders the baseline rows as a Markdown table: one row per category, one column per baseline.
 *
 * @param rows Rows from `shortcutBaselines`.
 * @returns The table.
 */
export function baselinesTable(rows: ReturnType<typeof shortcutBaselines>): string {
  const names = [...new Set(rows.map((r) => r.baseline))] as ShortcutName[];
  const categories = [...new Set(rows.map((r) => r.category))];
  const cell = (b: ShortcutName, c: string): string => {
    const r = rows.find((x) => x.baseline === b && x.category === c);
    return r === undefined ? "" : `${r.accuracy.toFixed(3)} [${r.lower.toFixed(2)}, ${r.upper.toFixed(2)}]`;
  };
  const count = (c: string): number => rows.find((x) => x.category === c)?.count ?? 0;
  return [
    `| category | pairs | ${names.join(" | ")} |`,
    `| --- | --- | ${names.map(() => "---").join(" | ")} |`,
    ...categories.map((c) => `| ${c} | ${count(c)} | ${names.map((b) => cell(b, c)).join(" | ")} |`),
  ].join("\n");
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      train: { type: "string", default: "data/synthetic_train.jsonl" },
      test: { type: "string", default: "data/synthetic_test.jsonl" },
      resamples: { type: "string", default: "4000" },
      seed: { type: "string", default: "0" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const resamples = Number(values.resamples);
  const seed = Number(values.seed);
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(`--resamples must be an integer >= 1, got ${values.resamples}`);
  }
  if (!Number.isInteger(seed)) throw new RangeError(`--seed must be an integer, got ${values.seed}`);
  const train = (await readPreferenceJsonl(values.train)).examples;
  const test = (await readPreferenceJsonl(values.test)).examples;
  const rows = shortcutBaselines(train, test, { resamples, seed });
  console.log(
    `Shortcut baselines (prompt-blind), held-out pairwise accuracy, ties ½, 95 % percentile bootstrap over ` +
      `pairs (${resamples} resamples, seed ${seed})\ntrain: ${values.train} (${train.length} pairs), ` +
      `test: ${values.test} (${test.length} pairs)\n`,
  );
  console.log(baselinesTable(rows));
  const worst = Math.max(...rows.filter((r) => r.category !== "overall").map((r) => r.accuracy));
  console.log(`\nhighest per-category shortcut accuracy: ${worst.toFixed(3)} (target ≤ 0.55)`);
  return 0;
}

if (import.meta.main) Deno.exit(await main());
