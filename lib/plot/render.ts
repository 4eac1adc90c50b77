/**
 * Observable Plot without a browser: figures rendered to SVG with linkedom standing in for the DOM, and to PNG
 * with resvg (fonts from the system, DejaVu by default, and a white background, without which text and
 * transparent areas disappear in viewers).
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";

/** The few DOM members used on Plot's output (linkedom's nodes provide them). */
interface DomNode {
  tagName: string;
  textContent: string | null;
  outerHTML: string;
  querySelector(selector: string): DomNode | null;
  querySelectorAll(selector: string): Iterable<DomNode>;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
}

/** Plot's options, as `Plot.plot` takes them. */
export type PlotOptions = Parameters<typeof Plot.plot>[0];

/**
 * Renders a Plot figure to a standalone SVG string.
 *
 * @param options Plot options (marks, scales, width, …).
 * @returns The SVG markup, with its xmlns, ready to save or display.
 *
 * @example
 * ```ts
 * import { Plot, renderSvg } from "@dpo-kernels/dpo-kernels/plot";
 * import assert from "node:assert/strict";
 * const svg = renderSvg({ width: 200, height: 100, marks: [Plot.dot([{ x: 1, y: 2 }], { x: "x", y: "y" })] });
 * assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
 * assert.match(svg, /<circle/);
 * ```
 */
export function renderSvg(options: PlotOptions): string {
  const { document } = parseHTML("<!DOCTYPE html><html><body></body></html>") as unknown as {
    document: unknown;
  };
  const figure = Plot.plot({ ...options, document } as PlotOptions) as unknown as DomNode;
  // A figure holds the chart's SVG after any legend swatches (small SVGs of their own): take the largest.
  const candidates = figure.tagName.toLowerCase() === "svg" ? [figure] : figure.querySelectorAll("svg");
  const area = (n: DomNode) => Number(n.getAttribute("width") ?? 0) * Number(n.getAttribute("height") ?? 0);
  const svg = [...candidates].sort((a, b) => area(b) - area(a))[0];
  if (svg === undefined) throw new Error("Plot produced no SVG element");
  svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  if (figure === svg) return svg.outerHTML;
  // A figure (title, subtitle or caption around the chart): redraw those texts inside one standalone SVG.
  // Swatch legends are HTML in Plot's figure and are not carried over, and continuous (ramp) legends need a
  // canvas, which linkedom lacks: draw legends as marks instead.
  const escape = (t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const text = (selector: string) => figure.querySelector(selector)?.textContent?.trim() || undefined;
  const [title, subtitle, caption] = [text("h2"), text("h3"), text("figcaption")];
  const width = Number(svg.getAttribute("width") ?? 640);
  const height = Number(svg.getAttribute("height") ?? 400);
  const top = (title ? 26 : 0) + (subtitle ? 20 : 0);
  const total = top + height + (caption ? 24 : 0);
  const font = 'font-family="system-ui, sans-serif"';
  svg.setAttribute("y", String(top));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${total}" viewBox="0 0 ${width} ${total}">`,
    `<rect width="${width}" height="${total}" fill="white"/>`,
    title ? `<text x="0" y="19" ${font} font-size="17" font-weight="bold">${escape(title)}</text>` : "",
    subtitle
      ? `<text x="0" y="${top - 6}" ${font} font-size="13" fill="#555">${escape(subtitle)}</text>`
      : "",
    svg.outerHTML,
    caption
      ? `<text x="0" y="${total - 6}" ${font} font-size="12" fill="#555">${escape(caption)}</text>`
      : "",
    "</svg>",
  ].join("");
}

/** Font folders searched for PNG text (Debian's fonts-dejavu-core first). */
export const FONT_DIRS: readonly string[] = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts"];

/**
 * Rasterizes an SVG string to PNG bytes (white background, system fonts).
 *
 * @param svg SVG markup.
 * @param options Output width in pixels (default: the SVG's own width × 2).
 * @returns The PNG file's bytes.
 *
 * @example
 * ```ts
 * import { svgToPng } from "@dpo-kernels/dpo-kernels/plot";
 * import assert from "node:assert/strict";
 * const png = await svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2"><rect width="4" height="2"/></svg>');
 * assert.deepEqual([...png.slice(1, 4)], [80, 78, 71]); // "PNG"
 * assert.equal(new DataView(png.buffer, png.byteOffset).getUint32(16), 8); // twice the SVG's width
 * ```
 */
export async function svgToPng(svg: string, options: { width?: number } = {}): Promise<Uint8Array> {
  const { Resvg } = await import("@resvg/resvg-js");
  const fontFiles: string[] = [];
  for (const dir of FONT_DIRS) {
    try {
      for (const e of Deno.readDirSync(dir)) if (e.name.endsWith(".ttf")) fontFiles.push(`${dir}/${e.name}`);
    } catch {
      // a missing font folder is fine; another may hold fonts
    }
    if (fontFiles.length > 0) break;
  }
  const resvg = new Resvg(svg, {
    background: "white",
    fitTo: options.width ? { mode: "width", value: options.width } : { mode: "zoom", value: 2 },
    font: { fontFiles, loadSystemFonts: fontFiles.length === 0, defaultFontFamily: "DejaVu Sans" },
  });
  return resvg.render().asPng();
}

/**
 * Renders a figure and writes it as `path.svg` and `path.png`.
 *
 * @param path The file path without extension.
 * @param options Plot options.
 * @returns The SVG markup (for inline display in notebooks).
 *
 * @example
 * ```ts
 * import { Plot, saveFigure } from "@dpo-kernels/dpo-kernels/plot";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const svg = await saveFigure(`${dir}/dots`, { width: 200, height: 100, marks: [Plot.dot([{ x: 1, y: 2 }], { x: "x", y: "y" })] });
 * assert.equal(await Deno.readTextFile(`${dir}/dots.svg`), svg);
 * assert.ok((await Deno.stat(`${dir}/dots.png`)).size > 0);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveFigure(path: string, options: PlotOptions): Promise<string> {
  const svg = renderSvg(options);
  await Deno.writeTextFile(`${path}.svg`, svg);
  await Deno.writeFile(`${path}.png`, await svgToPng(svg));
  return svg;
}

export { Plot };
