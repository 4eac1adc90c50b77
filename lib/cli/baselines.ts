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
import { shortcutBaselines } from "../analysis/shortcut_baselines.ts";
import { baselinesTable } from "../analysis/baselines_table.ts";
import { readPreferenceJsonl } from "../data/preference.ts";

const HELP = `Prompt-blind shortcut baselines on held-out preference pairs (each should be near 0.5).

Usage: deno task baselines [options]

  --train FILE      training pairs (default data/synthetic_train.jsonl)
  --test FILE       held-out pairs (default data/synthetic_test.jsonl)
  --resamples N     bootstrap resamples for the 95 % intervals (default 4000)
  --seed N          bootstrap seed (default 0)
  --help            this text
`;

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
