/**
 * Every exported function and class under `lib/` carries a runnable `@example` in its JSDoc (DESIGN §5;
 * `deno test --doc` runs them). Exports are found by a regex over the source: `export [async] function[*] X`,
 * `export [abstract] class X`, and `export const X = [async] (…) =>` arrow functions.
 *
 * @module
 */
import assert from "node:assert/strict";

/**
 * Exports still without an example: a shrinking list (94 when the test was added, 3 now). Remove a name once
 * it has one; the test fails on a name listed here that no longer needs to be, so the list can only shrink.
 * The three left need what an example cannot cheaply make: `planToBudget` and `runWorkers` (the grid CLI's
 * internals: a timed pilot run and worker subprocesses; tested through `tests/cli_grid.test.ts`) and
 * `loadTextEmbedder` (an ONNX feature-extraction model; `tests/train_embedder.test.ts` builds one).
 */
const ALLOWED_WITHOUT_EXAMPLE: ReadonlySet<string> = new Set([
  "cli/grid_workers.ts: planToBudget",
  "cli/grid_workers.ts: runWorkers",
  "train/embedder.ts: loadTextEmbedder",
]);

const EXPORT =
  /^export\s+(?:declare\s+)?(?:(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)|(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*)|const\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:\([^)]*\)|[A-Za-z_$][\w$]*)\s*(?::\s*[^=]+)?=>)/;

/** The JSDoc block that ends on the line just above `line` (blank lines not allowed), or "". */
function docAbove(lines: readonly string[], line: number): string {
  const end = line - 1;
  if (end < 0 || !lines[end]!.trim().endsWith("*/")) return "";
  let start = end;
  while (start >= 0 && !lines[start]!.trim().startsWith("/**")) start--;
  return start < 0 ? "" : lines.slice(start, end + 1).join("\n");
}

async function* sources(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* sources(path);
    else if (entry.isFile && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) yield path;
  }
}

/** `file: name` of every exported function or class under `root` whose JSDoc lacks `@example`. */
export async function exportsWithoutExample(root: string): Promise<string[]> {
  const missing: string[] = [];
  for await (const path of sources(root)) {
    const lines = (await Deno.readTextFile(path)).split("\n");
    const seen = new Set<string>();
    lines.forEach((text, i) => {
      const m = EXPORT.exec(text);
      const name = m?.[1] ?? m?.[2] ?? m?.[3];
      if (name === undefined || seen.has(name)) return; // overloads: the first signature carries the doc
      seen.add(name);
      if (!/@example\b/.test(docAbove(lines, i))) missing.push(`${path.slice(root.length + 1)}: ${name}`);
    });
  }
  return missing.sort();
}

const ROOT = new URL("../lib", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("every exported function and class under lib/ has an @example (or is on the shrinking list)", async () => {
  const missing = await exportsWithoutExample(ROOT);
  const unlisted = missing.filter((m) => !ALLOWED_WITHOUT_EXAMPLE.has(m));
  assert.deepEqual(unlisted, [], `exports without a runnable @example:\n${unlisted.join("\n")}`);
  const stale = [...ALLOWED_WITHOUT_EXAMPLE].filter((m) => !missing.includes(m));
  assert.deepEqual(stale, [], `these have an example now (or are gone): remove them from the list`);
});

Deno.test("the export scan finds functions, generators, classes and arrow constants, and reads their JSDoc", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/area`);
  await Deno.writeTextFile(
    `${dir}/area/file.ts`,
    [
      "/**\n * Documented.\n * @example\n * ```ts\n * f();\n * ```\n */",
      "export function f(): void {}",
      "/** No example. */",
      "export async function* g(): AsyncGenerator<number> {}",
      "export class C {}",
      "/** No example. */",
      "export const h = (x: number): number => x;",
      "export const k = async () => 1;",
      "export const VALUE = 3;",
      "export interface I {}",
      "export type T = number;",
      "function local(): void {}",
    ].join("\n"),
  );
  assert.deepEqual(await exportsWithoutExample(dir), [
    "area/file.ts: C",
    "area/file.ts: g",
    "area/file.ts: h",
    "area/file.ts: k",
  ]);
  await Deno.remove(dir, { recursive: true });
});
