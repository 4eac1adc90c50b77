/**
 * Helpers for the Jupyter notebooks (Deno kernel): show a Plot figure inline as SVG while saving it as PNG,
 * show a markdown table, and read the run mode (quick for CI, full for the committed outputs).
 *
 * @module
 */
import { type PlotOptions, renderSvg, svgToPng } from "./render.ts";

/** Something the Deno Jupyter kernel displays with the given MIME bundle. */
export interface Displayable {
  /** The kernel calls this to get the MIME bundle. */
  [key: symbol]: () => Record<string, string>;
}

function displayable(bundle: Record<string, string>): Displayable {
  return { [Symbol.for("Jupyter.display")]: () => bundle };
}

/**
 * Markdown text as a value the Deno Jupyter kernel displays as Markdown (and prints as plain text elsewhere).
 *
 * @param text The Markdown.
 * @returns The displayable value.
 * @example
 * ```ts
 * import { markdown } from "@dpo-kernels/dpo-kernels/plot";
 * import assert from "node:assert/strict";
 * assert.equal(markdown("**bold**")[Symbol.for("Jupyter.display")]!()["text/markdown"], "**bold**");
 * ```
 */
export function markdown(text: string): Displayable {
  return displayable({ "text/markdown": text, "text/plain": text });
}

/**
 * Renders a Plot figure, writes it to `figures/{name}.png` (relative to the working directory, the notebook's
 * folder in Jupyter) and returns it for inline SVG display. In quick mode the PNG is not written, so that CI
 * and smoke runs never overwrite the committed full-mode figures.
 *
 * @param name The figure's file name, without extension.
 * @param options Plot options.
 * @param folder The folder for the PNG (default `figures`).
 * @returns A value that Jupyter shows as the SVG.
 *
 * @example
 * ```ts
 * import { figure, Plot } from "@dpo-kernels/dpo-kernels/plot";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const shown = await figure("dots", { marks: [Plot.dot([{ x: 1, y: 2 }], { x: "x", y: "y" })] }, `${dir}/figures`);
 * assert.match(shown[Symbol.for("Jupyter.display")]!()["image/svg+xml"]!, /<svg/);
 * assert.ok((await Deno.stat(`${dir}/figures/dots.png`)).isFile); // full mode (the default) writes the PNG
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function figure(name: string, options: PlotOptions, folder = "figures"): Promise<Displayable> {
  const svg = renderSvg(options);
  // Quick runs (CI) must not overwrite the committed full-mode figures.
  if (notebookMode() === "full") {
    await Deno.mkdir(folder, { recursive: true });
    await Deno.writeFile(`${folder}/${name}.png`, await svgToPng(svg));
  }
  return displayable({ "image/svg+xml": svg, "text/plain": `[figure ${name}]` });
}

/**
 * A markdown table from rows of values (numbers to 3 decimals), for display.
 *
 * @param rows Objects with the same keys.
 * @returns A value that Jupyter shows as the table.
 * @example
 * ```ts
 * import { markdownRows } from "@dpo-kernels/dpo-kernels/plot";
 * import assert from "node:assert/strict";
 * const t = markdownRows([{ kernel: "rbf", f1: 0.5 }]);
 * assert.match(t[Symbol.for("Jupyter.display")]!()["text/markdown"]!, /\| rbf \| 0.500 \|/);
 * ```
 */
export function markdownRows(rows: readonly Record<string, unknown>[]): Displayable {
  if (rows.length === 0) return displayable({ "text/markdown": "(no rows)", "text/plain": "(no rows)" });
  const keys = Object.keys(rows[0]!);
  const cell = (
    v: unknown,
  ) => (typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : String(v));
  const md = [
    `| ${keys.join(" | ")} |`,
    `|${keys.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${keys.map((k) => cell(r[k])).join(" | ")} |`),
  ].join("\n");
  return displayable({ "text/markdown": md, "text/plain": md });
}

/**
 * The notebooks' run mode: `quick` (small, for CI) or `full` (the committed outputs), from the environment
 * variable `DPO_KERNELS_NOTEBOOK_MODE`; unset means `full`.
 *
 * @returns The mode.
 *
 * @example
 * ```ts
 * import { notebookMode } from "@dpo-kernels/dpo-kernels/plot";
 * import assert from "node:assert/strict";
 * const before = Deno.env.get("DPO_KERNELS_NOTEBOOK_MODE");
 * Deno.env.set("DPO_KERNELS_NOTEBOOK_MODE", "quick");
 * assert.equal(notebookMode(), "quick");
 * Deno.env.set("DPO_KERNELS_NOTEBOOK_MODE", "anything else");
 * assert.equal(notebookMode(), "full");
 * if (before === undefined) Deno.env.delete("DPO_KERNELS_NOTEBOOK_MODE");
 * else Deno.env.set("DPO_KERNELS_NOTEBOOK_MODE", before);
 * ```
 */
export function notebookMode(): "quick" | "full" {
  return Deno.env.get("DPO_KERNELS_NOTEBOOK_MODE") === "quick" ? "quick" : "full";
}

/**
 * The folder of the real preference datasets (normalized JSONL), from `DPO_KERNELS_DATA_DIR`; undefined when
 * unset, in which case the notebooks use the embedded synthetic suite.
 *
 * @returns The folder, or undefined.
 *
 * @example
 * ```ts
 * import { realDataDir } from "@dpo-kernels/dpo-kernels/plot";
 * import assert from "node:assert/strict";
 * const before = Deno.env.get("DPO_KERNELS_DATA_DIR");
 * Deno.env.set("DPO_KERNELS_DATA_DIR", "");
 * assert.equal(realDataDir(), undefined); // empty means unset
 * Deno.env.set("DPO_KERNELS_DATA_DIR", "data/real");
 * assert.equal(realDataDir(), "data/real");
 * if (before === undefined) Deno.env.delete("DPO_KERNELS_DATA_DIR");
 * else Deno.env.set("DPO_KERNELS_DATA_DIR", before);
 * ```
 */
export function realDataDir(): string | undefined {
  return Deno.env.get("DPO_KERNELS_DATA_DIR") || undefined;
}
