/**
 * The shortcut baselines as a Markdown table (used by `deno task baselines` and `data/README.md`).
 *
 * @module
 */
import type { ShortcutName, ShortcutRow } from "./shortcut_baselines.ts";

/**
 * Renders shortcut-baseline rows as a Markdown table: one row per category, one column per baseline, each
 * cell the accuracy and its interval.
 *
 * @param rows Rows from `shortcutBaselines`.
 * @returns The table.
 * @example
 * ```ts
 * import { baselinesTable } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const row = { baseline: "length", category: "all", accuracy: 0.5, lower: 0.4, upper: 0.6, count: 9 } as const;
 * assert.equal(
 *   baselinesTable([row]),
 *   "| category | pairs | length |\n| --- | --- | --- |\n| all | 9 | 0.500 [0.40, 0.60] |",
 * );
 * ```
 */
export function baselinesTable(rows: readonly ShortcutRow[]): string {
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
