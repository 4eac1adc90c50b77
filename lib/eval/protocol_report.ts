/**
 * The measurement protocol applied to grid results (DESIGN §6, issue 12): held-out pairwise accuracy per
 * method with a bootstrap interval over seeds and pairs, and each method's paired difference from a baseline
 * (DPO) on the same pairs and seeds, with its interval and sign-flip p-value.
 *
 * @module
 */
import { bootstrapMeanInterval, type BootstrapOptions } from "../analysis/bootstrap.ts";
import { pairedComparison } from "../analysis/paired_comparison.ts";
import { minimalDetectableDifference } from "../analysis/detectable_difference.ts";
import type { GridResult } from "./experiment.ts";
import type { ShortcutRow } from "../analysis/shortcut_baselines.ts";

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
  /**
   * The design's minimal detectable difference from the baseline at 80 % power (two-sided 5 % level), from the
   * per-pair differences averaged over seeds (`minimalDetectableDifference`); absent for the baseline itself
   * and for fewer than two pairs.
   */
  mdd?: number;
}

/**
 * Pairwise accuracy with intervals per method, and each method's paired difference from the baseline method
 * with the design's minimal detectable difference at 80 % power. Methods are the results' `loss / divergence`;
 * the rows of one method are matched to the baseline's by seed.
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
 * // differences (0, 1, 0, 0): MDD = (z₀.₉₇₅ + z₀.₈) · 0.5 / √4
 * assert.ok(Math.abs(rows[1]!.mdd! - (1.959963984540054 + 0.8416212335729143) * 0.25) < 1e-12);
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
      if (row.pairs >= 2) {
        const perPair = table[0]!.map((_, j) =>
          table.reduce((sum, scores, s) => sum + scores[j]! - matched[s]![j]!, 0) / table.length
        );
        row.mdd = minimalDetectableDifference(perPair);
      }
    }
    return row;
  });
}

/**
 * {@link protocolRows} as a Markdown table: accuracy [interval], the paired difference from the baseline
 * [interval] with its p-value, and the minimal detectable difference at 80 % power.
 *
 * @param rows The rows.
 * @returns The table, one line per method.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { protocolTable } from "./protocol_report.ts";
 * const table = protocolTable([{ method: "dpo / kl", seeds: 3, pairs: 250, accuracy: { estimate: 0.6, lower: 0.55, upper: 0.65 } }]);
 * assert.match(table, /\| dpo \/ kl \| 0\.600 \[0\.550, 0\.650\] \| — \| — \|/);
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
    }] | ${diff} | ${r.mdd === undefined ? "—" : f(r.mdd)} |`;
  });
  return [
    "| method | accuracy [95 % CI] | − baseline [95 % CI], p | MDD (80 % power) |",
    "|---|---:|---:|---:|",
    ...lines,
  ].join("\n");
}

/** An accuracy with its interval. */
export interface AccuracyCell {
  /** The mean score. */
  estimate: number;
  /** Lower end of the 95 % interval. */
  lower: number;
  /** Upper end. */
  upper: number;
}

/** One line of {@link categoryTable}: a method's (or a reference line's) accuracy per category and overall. */
export interface CategoryRow {
  /** The method, baseline or reference line. */
  method: string;
  /** Accuracy by category, then `overall`. */
  cells: Record<string, AccuracyCell>;
}

/**
 * A method's pairwise accuracy per category and overall from its pair scores: for each category the mean over
 * seeds and that category's pairs, with a percentile-bootstrap interval over seeds and pairs.
 *
 * @param method The row's name.
 * @param table Pair scores in {0, ½, 1}, one row per seed, one column per held-out pair.
 * @param categories The category of each pair (column).
 * @param options The bootstrap's `level`, `resamples` and `seed`.
 * @returns The row, categories in first-seen order, then `overall`.
 * @throws {RangeError} If `categories` does not have one entry per pair, or the table is empty or ragged.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { categoryRow } from "./protocol_report.ts";
 * const row = categoryRow("dpo / kl", [[1, 0, 0.5, 1], [1, 1, 0.5, 0]], ["a", "a", "b", "b"], { resamples: 100 });
 * assert.deepEqual(Object.keys(row.cells), ["a", "b", "overall"]);
 * assert.equal(row.cells.a!.estimate, 0.75);
 * assert.equal(row.cells.overall!.estimate, 0.625); // 5 of 8
 * ```
 */
export function categoryRow(
  method: string,
  table: readonly (readonly number[])[],
  categories: readonly string[],
  options: BootstrapOptions = {},
): CategoryRow {
  table.forEach((scores, s) => {
    if (scores.length !== categories.length) {
      throw new RangeError(
        `table[${s}] must hold one score per category (${categories.length}), got ${scores.length}`,
      );
    }
  });
  const cell = (columns: number[]): AccuracyCell => {
    const { estimate, lower, upper } = bootstrapMeanInterval(
      table.map((r) => columns.map((j) => r[j]!)),
      options,
    );
    return { estimate, lower, upper };
  };
  const cells: Record<string, AccuracyCell> = {};
  for (const c of new Set(categories)) cells[c] = cell(categories.flatMap((x, j) => x === c ? [j] : []));
  cells.overall = cell(categories.map((_, j) => j));
  return { method, cells };
}

/**
 * {@link categoryRow} for every method of a grid (`loss / divergence`, its seeds' pair scores).
 *
 * @param results Grid results holding `pairScores` on the same held-out pairs.
 * @param categories The category of each held-out pair.
 * @param options The bootstrap's options.
 * @returns One row per method, in the order the methods first appear.
 * @throws {RangeError} If a result lacks `pairScores` or its length differs from `categories`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { methodCategoryRows } from "./protocol_report.ts";
 * const cell = (seed: number, pairScores: number[]) =>
 *   ({ loss: "dpo", divergence: "kl", seed, pairScores }) as unknown as import("./experiment.ts").GridResult;
 * const [row] = methodCategoryRows([cell(0, [1, 0]), cell(1, [1, 1])], ["a", "b"], { resamples: 50 });
 * assert.equal(row!.cells.b!.estimate, 0.5);
 * ```
 */
export function methodCategoryRows(
  results: readonly GridResult[],
  categories: readonly string[],
  options: BootstrapOptions = {},
): CategoryRow[] {
  const tables = new Map<string, number[][]>();
  for (const r of results) {
    if (!Array.isArray(r.pairScores)) {
      throw new RangeError(`results: ${r.loss} / ${r.divergence} seed ${r.seed} has no pairScores`);
    }
    const method = `${r.loss} / ${r.divergence}`;
    tables.set(method, [...(tables.get(method) ?? []), r.pairScores]);
  }
  return [...tables].map(([method, table]) => categoryRow(method, table, categories, options));
}

/**
 * The shortcut baselines' rows (`shortcutBaselines`) as {@link CategoryRow}s, one per baseline.
 *
 * @param rows The baselines' rows per category and `overall`.
 * @returns One row per baseline, named `shortcut: <baseline>`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shortcutCategoryRows } from "./protocol_report.ts";
 * const row = { baseline: "length", category: "all", accuracy: 0.5, lower: 0.4, upper: 0.6, count: 9 } as const;
 * assert.deepEqual(shortcutCategoryRows([row]), [
 *   { method: "shortcut: length", cells: { all: { estimate: 0.5, lower: 0.4, upper: 0.6 } } },
 * ]);
 * ```
 */
export function shortcutCategoryRows(rows: readonly ShortcutRow[]): CategoryRow[] {
  const out = new Map<string, CategoryRow>();
  for (const r of rows) {
    const method = `shortcut: ${r.baseline}`;
    const row = out.get(method) ?? { method, cells: {} };
    row.cells[r.category] = { estimate: r.accuracy, lower: r.lower, upper: r.upper };
    out.set(method, row);
  }
  return [...out.values()];
}

/**
 * {@link CategoryRow}s as a Markdown table: one line per row, one column per category (in the first row's
 * order), each cell the accuracy and its interval (empty where a row lacks the category).
 *
 * @param rows The rows.
 * @returns The table.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { categoryTable } from "./protocol_report.ts";
 * const table = categoryTable([{ method: "dpo / kl", cells: { overall: { estimate: 0.6, lower: 0.55, upper: 0.65 } } }]);
 * assert.equal(table, "| method | overall |\n|---|---:|\n| dpo / kl | 0.600 [0.55, 0.65] |");
 * ```
 */
export function categoryTable(rows: readonly CategoryRow[]): string {
  const seen = [...new Set(rows.flatMap((r) => Object.keys(r.cells)))];
  const categories = [...seen.filter((c) => c !== "overall"), ...seen.filter((c) => c === "overall")];
  const cell = (c: AccuracyCell | undefined) =>
    c === undefined ? "" : `${c.estimate.toFixed(3)} [${c.lower.toFixed(2)}, ${c.upper.toFixed(2)}]`;
  return [
    `| method | ${categories.join(" | ")} |`,
    `|---|${categories.map(() => "---:").join("|")}|`,
    ...rows.map((r) => `| ${r.method} | ${categories.map((c) => cell(r.cells[c])).join(" | ")} |`),
  ].join("\n");
}
