/**
 * The measurement protocol applied to grid results (DESIGN §6, issue 12): held-out pairwise accuracy per
 * method with a bootstrap interval over seeds and pairs, and each method's paired difference from a baseline
 * (DPO) on the same pairs and seeds, with its interval and sign-flip p-value.
 *
 * @module
 */
import { bootstrapMeanInterval, type BootstrapOptions } from "../analysis/bootstrap.ts";
import { pairedComparison } from "../analysis/paired_comparison.ts";
import type { GridResult } from "./experiment.ts";

/** One method's row of {@link protocolRows}. */
export interface ProtocolRow {
  /** `loss / divergence`. */
  method: string;
  /** Seeds behind the row. */
  seeds: number;
  /** Held-out pairs per seed. */
  pairs: number;
  /** Mean pairwise accuracy (ties ½) over seeds and pairs, with its bootstrap interval. */
  accuracy: { estimate: number; lower: number; upper: number };
  /** Method − baseline on the same seeds and pairs (absent for the baseline itself). */
  difference?: { estimate: number; lower: number; upper: number; pValue: number };
}

/**
 * Pairwise accuracy with intervals per method, and each method's paired difference from the baseline method.
 * Methods are the results' `loss / divergence`; the rows of one method are matched to the baseline's by seed.
 *
 * @param results Grid results holding `pairScores` (the grid records them).
 * @param options `baseline` (default: the first method whose loss is `dpo`, else none) and the bootstrap's
 *   `level`, `resamples` and `seed`.
 * @returns One row per method, in the order the methods first appear.
 * @throws {RangeError} If a result lacks `pairScores`, the methods' pair counts differ, or the baseline lacks a
 *   seed a method has.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { protocolRows } from "./protocol_report.ts";
 * const cell = (loss: "dpo" | "rbf", seed: number, pairScores: number[]) =>
 *   ({ loss, divergence: "kl", seed, pairScores }) as unknown as import("./experiment.ts").GridResult;
 * const rows = protocolRows([
 *   cell("dpo", 0, [1, 0, 1, 0]),
 *   cell("rbf", 0, [1, 1, 1, 0]),
 * ], { resamples: 200 });
 * assert.equal(rows[0]!.accuracy.estimate, 0.5);
 * assert.equal(rows[1]!.difference!.estimate, 0.25);
 * ```
 */
export function protocolRows(
  results: readonly GridResult[],
  options: BootstrapOptions & { baseline?: string } = {},
): ProtocolRow[] {
  const bySeed = new Map<string, Map<number, number[]>>();
  for (const r of results) {
    if (!Array.isArray(r.pairScores)) {
      throw new RangeError(`results: ${r.loss} / ${r.divergence} seed ${r.seed} has no pairScores`);
    }
    const method = `${r.loss} / ${r.divergence}`;
    if (!bySeed.has(method)) bySeed.set(method, new Map());
    bySeed.get(method)!.set(r.seed, r.pairScores);
  }
  const baseline = options.baseline ??
    [...bySeed.keys()].find((m) => m.startsWith("dpo / "));
  if (baseline !== undefined && !bySeed.has(baseline)) {
    throw new RangeError(
      `options.baseline must be one of ${[...bySeed.keys()].join(", ")}, got "${baseline}"`,
    );
  }
  return [...bySeed].map(([method, seeds]) => {
    const table = [...seeds.values()];
    const interval = bootstrapMeanInterval(table, options);
    const row: ProtocolRow = {
      method,
      seeds: table.length,
      pairs: table[0]!.length,
      accuracy: { estimate: interval.estimate, lower: interval.lower, upper: interval.upper },
    };
    if (baseline !== undefined && method !== baseline) {
      const base = bySeed.get(baseline)!;
      const matched = [...seeds.keys()].map((seed) => {
        const scores = base.get(seed);
        if (scores === undefined) {
          throw new RangeError(`results: the baseline ${baseline} has no seed ${seed}, which ${method} has`);
        }
        return scores;
      });
      const c = pairedComparison(table, matched, options);
      row.difference = { estimate: c.difference, lower: c.lower, upper: c.upper, pValue: c.pValue };
    }
    return row;
  });
}

/**
 * {@link protocolRows} as a Markdown table: accuracy [interval], and the paired difference from the baseline
 * [interval] with its p-value.
 *
 * @param rows The rows.
 * @returns The table, one line per method.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { protocolTable } from "./protocol_report.ts";
 * const table = protocolTable([{ method: "dpo / kl", seeds: 3, pairs: 250, accuracy: { estimate: 0.6, lower: 0.55, upper: 0.65 } }]);
 * assert.match(table, /\| dpo \/ kl \| 0\.600 \[0\.550, 0\.650\] \| — \|/);
 * ```
 */
export function protocolTable(rows: readonly ProtocolRow[]): string {
  const f = (x: number) => x.toFixed(3);
  const lines = rows.map((r) => {
    const d = r.difference;
    const diff = d === undefined
      ? "—"
      : `${d.estimate >= 0 ? "+" : ""}${f(d.estimate)} [${f(d.lower)}, ${f(d.upper)}], p ${
        d.pValue.toPrecision(2)
      }`;
    return `| ${r.method} | ${f(r.accuracy.estimate)} [${f(r.accuracy.lower)}, ${
      f(r.accuracy.upper)
    }] | ${diff} |`;
  });
  return [
    "| method | accuracy [95 % CI] | − baseline [95 % CI], p |",
    "|---|---:|---:|",
    ...lines,
  ].join("\n");
}
