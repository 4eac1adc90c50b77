/**
 * Reports over a grid's results: mean and spread over seeds per (loss, divergence, category), a markdown
 * table, a heatmap (Figs. 8–10), and where a recommended pair ranks.
 *
 * @module
 */
import { mean, sampleStandardDeviation } from "simple-statistics";
import { Plot, type PlotOptions } from "../plot/render.ts";
import type { GridResult } from "./experiment.ts";

/** Which score to aggregate. */
export type GridMetric = "generationF1" | "preferenceF1" | "preferenceAccuracy";

/** One aggregated cell. */
export interface AggregateRow {
  /** The loss. */
  loss: string;
  /** The divergence. */
  divergence: string;
  /** The category, or "overall". */
  category: string;
  /** Mean over seeds. */
  mean: number;
  /** Sample standard deviation over seeds (0 with one seed). */
  std: number;
  /** Seeds. */
  n: number;
}

/**
 * Mean and sample standard deviation over seeds of a metric, per (loss, divergence, category).
 *
 * @param results The grid's results.
 * @param metric Which score.
 * @returns One row per (loss, divergence, category), in first-seen order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { aggregate } from "./report.ts";
 * const cell = (seed: number, overall: number) =>
 *   ({ loss: "dpo", divergence: "kl", seed, generationF1: { overall } }) as unknown as import("./experiment.ts").GridResult;
 * const [row] = aggregate([cell(0, 0.5), cell(1, 0.7)], "generationF1");
 * assert.equal(row!.n, 2);
 * assert.ok(Math.abs(row!.mean - 0.6) < 1e-12 && Math.abs(row!.std - Math.SQRT1_2 * 0.2) < 1e-12);
 * ```
 */
export function aggregate(results: readonly GridResult[], metric: GridMetric): AggregateRow[] {
  const groups = new Map<string, { loss: string; divergence: string; category: string; values: number[] }>();
  for (const r of results) {
    for (const [category, value] of Object.entries(r[metric])) {
      const key = `${r.loss}|${r.divergence}|${category}`;
      const g = groups.get(key) ?? { loss: r.loss, divergence: r.divergence, category, values: [] };
      g.values.push(value);
      groups.set(key, g);
    }
  }
  return [...groups.values()].map((g) => ({
    loss: g.loss,
    divergence: g.divergence,
    category: g.category,
    mean: mean(g.values),
    std: g.values.length > 1 ? sampleStandardDeviation(g.values) : 0,
    n: g.values.length,
  }));
}

/**
 * A markdown table: one row per category, one column per (loss, divergence), cells "mean ± std", the best
 * mean of each row in bold.
 *
 * @param rows Aggregated rows.
 * @returns The table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { markdownTable } from "./report.ts";
 * const row = (loss: string, mean: number) => ({ loss, divergence: "kl", category: "overall", mean, std: 0.01, n: 3 });
 * assert.equal(
 *   markdownTable([row("dpo", 0.5), row("rbf", 0.6)]),
 *   "| category | dpo / kl | rbf / kl |\n|---|---:|---:|\n| overall | 0.500 ± 0.010 | **0.600 ± 0.010** |",
 * );
 * ```
 */
export function markdownTable(rows: readonly AggregateRow[]): string {
  const columns = [...new Set(rows.map((r) => `${r.loss} / ${r.divergence}`))];
  const categories = [...new Set(rows.map((r) => r.category))].sort((a, b) =>
    a === "overall" ? 1 : b === "overall" ? -1 : a.localeCompare(b)
  );
  const lines = [`| category | ${columns.join(" | ")} |`, `|---|${columns.map(() => "---:").join("|")}|`];
  for (const category of categories) {
    const cells = columns.map((c) =>
      rows.find((r) => `${r.loss} / ${r.divergence}` === c && r.category === category)
    );
    const best = Math.max(...cells.map((c) => c?.mean ?? -Infinity));
    const text = cells.map((c) => {
      if (c === undefined) return "–";
      const s = `${c.mean.toFixed(3)} ± ${c.std.toFixed(3)}`;
      return c.mean === best ? `**${s}**` : s;
    });
    lines.push(`| ${category} | ${text.join(" | ")} |`);
  }
  return lines.join("\n");
}

/**
 * A heatmap of aggregated scores: categories down, (loss / divergence) across, the mean printed in each cell.
 *
 * @param rows Aggregated rows.
 * @param title The caption above the figure.
 * @returns Plot options for `renderSvg` / `saveFigure`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { heatmapFigure } from "./report.ts";
 * import { renderSvg } from "../plot/render.ts";
 * const rows = [{ loss: "dpo", divergence: "kl", category: "overall", mean: 0.5, std: 0, n: 1 }];
 * const options = heatmapFigure(rows, "F1");
 * assert.deepEqual(options?.x?.domain, ["dpo / kl"]);
 * assert.match(renderSvg(options), /<svg/);
 * ```
 */
export function heatmapFigure(rows: readonly AggregateRow[], title: string): PlotOptions {
  const data = rows.map((r) => ({ ...r, column: `${r.loss} / ${r.divergence}`, label: r.mean.toFixed(2) }));
  const columns = [...new Set(data.map((d) => d.column))];
  const categories = [...new Set(data.map((d) => d.category))].sort((a, b) =>
    a === "overall" ? 1 : b === "overall" ? -1 : a.localeCompare(b)
  );
  const rotate = columns.length > 4 || columns.some((c) => c.length > 12);
  return {
    width: Math.max(420, 110 * columns.length + 150),
    height: 60 + 36 * categories.length + (rotate ? 60 : 0),
    marginLeft: 150,
    marginTop: 40,
    marginBottom: rotate ? 90 : 30,
    x: { domain: columns, label: null, tickRotate: rotate ? -30 : 0 },
    y: { domain: categories, label: null },
    color: { scheme: "YlGn", domain: [0, 1] },
    marks: [
      Plot.cell(data, { x: "column", y: "category", fill: "mean", inset: 1 }),
      Plot.text(data, {
        x: "column",
        y: "category",
        text: "label",
        fill: (d: { mean: number }) => (d.mean > 0.7 ? "white" : "black"),
      }),
      Plot.text([title], { frameAnchor: "top-left", dy: -30, dx: -140, fontSize: 13, fontWeight: "bold" }),
    ],
  };
}

/**
 * Where a pair ranks among the grid's (loss, divergence) columns by a category's mean score (1 = best).
 *
 * @param rows Aggregated rows.
 * @param pair The pair to place.
 * @param category The category to rank on (default "overall").
 * @returns The rank and the number of ranked pairs, or undefined if the pair is absent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rankOf } from "./report.ts";
 * const row = (loss: string, mean: number) => ({ loss, divergence: "kl", category: "overall", mean, std: 0, n: 1 });
 * const rows = [row("dpo", 0.5), row("rbf", 0.6), row("hmk", 0.55)];
 * assert.deepEqual(rankOf(rows, { loss: "hmk", divergence: "kl" }), { rank: 2, of: 3 });
 * assert.equal(rankOf(rows, { loss: "poly", divergence: "kl" }), undefined);
 * ```
 */
export function rankOf(
  rows: readonly AggregateRow[],
  pair: { loss: string; divergence: string },
  category = "overall",
): { rank: number; of: number } | undefined {
  const ranked = rows.filter((r) => r.category === category).sort((a, b) => b.mean - a.mean);
  const i = ranked.findIndex((r) => r.loss === pair.loss && r.divergence === pair.divergence);
  return i < 0 ? undefined : { rank: i + 1, of: ranked.length };
}
