// Layers that point one way: every static relative import under lib/ goes to the same area, or to an area on a
// lower level of LAYERS. Areas on one level do not import each other (io and tokenizer, for one). The pure core
// (the root mod.ts) uses neither Deno's I/O nor TensorFlow.js. CONTRIBUTING.md shows the same list.
import { assert } from "./_assert.ts";
import { join, relative } from "node:path";

/**
 * The declared order, bottom first: a file in `lib/<area>/` may import its own area and the areas of lower
 * levels. The one place the order is written; CONTRIBUTING.md's "Layers" line is checked against it.
 */
const LAYERS: readonly (readonly string[])[] = [
  ["math"],
  ["divergences", "kernels"],
  ["losses"],
  ["analysis"],
  ["selection"],
  ["hub"],
  ["data"],
  ["model"],
  ["io", "tokenizer"],
  ["train"],
  ["plot"],
  ["eval"],
  ["cli"],
];

/** The levels of the pure numeric core (what `mod.ts` exports): numbers in, numbers out. */
const PURE_LEVELS = 5;
/** The only packages the pure core may import. */
const PURE_PACKAGES: ReadonlySet<string> = new Set(["ml-matrix", "simple-statistics"]);

const LEVEL: ReadonlyMap<string, number> = new Map(LAYERS.flatMap((areas, i) => areas.map((a) => [a, i])));

/** Static import/export specifiers of a source text (dynamic `import()` and doc-comment examples excluded). */
function specifiers(text: string): string[] {
  const out: string[] = [];
  const clause = String
    .raw`(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\}|\w+(?:\s*,\s*(?:\{[^}]*\}|\*\s+as\s+\w+))?)`;
  const re = new RegExp(
    String.raw`^[ \t]*(?:(?:import|export)\s+${clause}\s+from\s*|import\s*)"([^"]+)"`,
    "gm",
  );
  for (const m of text.matchAll(re)) out.push(m[1]!);
  return out;
}

/** The area of a path `lib/<area>/…` (undefined outside lib/). */
function areaOf(path: string): string | undefined {
  const parts = path.split("/");
  return parts[0] === "lib" && parts.length > 2 ? parts[1] : undefined;
}

/**
 * The arrows that break the layering, as `from -> to (why)` lines.
 *
 * @param files Source texts by repository-relative path (`lib/<area>/<file>.ts`).
 */
function layerViolations(files: ReadonlyMap<string, string>): string[] {
  const bad: string[] = [];
  for (const [path, text] of files) {
    const from = areaOf(path);
    if (from === undefined) continue;
    const fromLevel = LEVEL.get(from);
    if (fromLevel === undefined) {
      bad.push(`${path}: area "${from}" is not in LAYERS`);
      continue;
    }
    if (fromLevel < PURE_LEVELS && /^(?![ \t]*(?:\*|\/\*|\/\/)).*\bDeno\./m.test(text)) {
      bad.push(`${path} uses Deno (the pure core does no I/O)`);
    }
    for (const spec of specifiers(text)) {
      if (!spec.startsWith(".")) {
        if (fromLevel < PURE_LEVELS && !PURE_PACKAGES.has(spec)) {
          bad.push(`${path} -> ${spec} (the pure core imports only ${[...PURE_PACKAGES].join(", ")})`);
        }
        continue;
      }
      const target = join(path, "..", spec);
      const to = areaOf(target);
      if (to === undefined || to === from) continue;
      const toLevel = LEVEL.get(to);
      if (toLevel === undefined) bad.push(`${path} -> ${target} (area "${to}" is not in LAYERS)`);
      else if (toLevel > fromLevel) bad.push(`${path} -> ${target} (points up: ${from} is below ${to})`);
      else if (toLevel === fromLevel) bad.push(`${path} -> ${target} (${from} and ${to} share a level)`);
    }
  }
  return bad;
}

/** Every .ts file under `dir`, by repository-relative path. */
async function sources(dir: string): Promise<Map<string, string>> {
  const root = new URL("..", import.meta.url).pathname;
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else if (e.name.endsWith(".ts")) out.set(relative(root, p), await Deno.readTextFile(p));
    }
  };
  await walk(join(root, dir));
  return out;
}

Deno.test("repo imports: no arrow under lib/ points up the declared layers", async () => {
  const files = await sources("lib");
  assert.ok(files.size > 100, `expected the whole lib/ tree, got ${files.size} files`);
  assert.deepEqual(layerViolations(files), []);
});

Deno.test("repo imports: the root mod.ts exports only the pure core", async () => {
  const text = await Deno.readTextFile(new URL("../mod.ts", import.meta.url));
  const areas = specifiers(text).map((s) => areaOf(join("mod.ts", "..", s)));
  assert.ok(areas.length > 0);
  for (const area of areas) {
    const level = LEVEL.get(area ?? "");
    assert.ok(level !== undefined && level < PURE_LEVELS, `mod.ts exports ${area}, outside the pure core`);
  }
});

Deno.test("repo imports: the check sees an upward arrow, a same-level arrow and an impure core", () => {
  const files = new Map([
    [
      "lib/math/a.ts",
      'import { createRandom } from "./random.ts";\nimport type { Gpt } from "../model/gpt.ts";',
    ],
    [
      "lib/io/b.ts",
      'import {\n  type Tokenizer,\n} from "../tokenizer/types.ts";\nimport { x } from "../math/a.ts";',
    ],
    [
      "lib/analysis/c.ts",
      'import * as tf from "@tensorflow/tfjs";\nimport { mean } from "simple-statistics";',
    ],
    [
      "lib/losses/e.ts",
      '/**\n * Reads nothing: `Deno.readFile` is for io.\n */\nconst t = await Deno.readTextFile("x");',
    ],
    ["lib/losses/f.ts", "// Deno.env is not read here.\n/** Pure: no `Deno.` call. */\nexport const f = 1;"],
    [
      "lib/train/d.ts",
      '/**\n * import { Gpt } from "../eval/mod.ts";\n */\nconst m = await import("../eval/mod.ts");',
    ],
  ]);
  assert.deepEqual(layerViolations(files), [
    "lib/math/a.ts -> lib/model/gpt.ts (points up: math is below model)",
    "lib/io/b.ts -> lib/tokenizer/types.ts (io and tokenizer share a level)",
    "lib/analysis/c.ts -> @tensorflow/tfjs (the pure core imports only ml-matrix, simple-statistics)",
    "lib/losses/e.ts uses Deno (the pure core does no I/O)",
  ]);
});

Deno.test("repo imports: CONTRIBUTING.md draws the same layers", async () => {
  // Whitespace collapsed: deno fmt may wrap the list.
  const text = (await Deno.readTextFile(new URL("../CONTRIBUTING.md", import.meta.url))).replace(/\s+/g, " ");
  const drawn = LAYERS.map((areas) => areas.map((a) => `\`${a}\``).join(", ")).join(" → ");
  assert.ok(text.includes(drawn), `CONTRIBUTING.md should show the layers as:\n${drawn}`);
});
