// `deno check` cannot see into notebooks, so a name a notebook reaches through a namespace import
// (`import * as E from "../lib/eval/mod.ts"` … `E.runGrid(…)`) is checked here against what that module exports:
// a renamed or moved export fails this test instead of a notebook run.
import { assert } from "./_assert.ts";

const ROOT = new URL("..", import.meta.url);

/** Every type or interface name exported anywhere under lib/ (types have no runtime key to look up). */
async function exportedTypeNames(): Promise<Set<string>> {
  const names = new Set<string>();
  const walk = async (dir: URL): Promise<void> => {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory) await walk(new URL(`${e.name}/`, dir));
      else if (e.name.endsWith(".ts")) {
        const text = await Deno.readTextFile(new URL(e.name, dir));
        for (const m of text.matchAll(/^export (?:type|interface) (\w+)/gm)) names.add(m[1]!);
        for (const m of text.matchAll(/^export \{([^}]*)\}/gm)) {
          for (const part of m[1]!.split(",")) {
            const t = /^\s*type\s+(\w+)/.exec(part);
            if (t) names.add(t[1]!);
          }
        }
      }
    }
  };
  await walk(new URL("lib/", ROOT));
  return names;
}

/** The code of a notebook's code cells, joined. */
async function notebookCode(path: URL): Promise<string> {
  const nb = JSON.parse(await Deno.readTextFile(path)) as {
    cells: { cell_type: string; source: string[] }[];
  };
  return nb.cells.filter((c) => c.cell_type === "code").map((c) => c.source.join("")).join("\n");
}

/**
 * The `alias.name` uses of a notebook that its namespace imports do not provide.
 *
 * @param code The notebook's code.
 * @param exportsOf The runtime keys of a module specifier (relative to notebooks/).
 * @param types Type names exported under lib/.
 */
async function missingNames(
  code: string,
  exportsOf: (spec: string) => Promise<ReadonlySet<string>>,
  types: ReadonlySet<string>,
): Promise<string[]> {
  const missing: string[] = [];
  for (const m of code.matchAll(/import \* as (\w+) from "(\.\.\/[^"]+)"/g)) {
    const [alias, spec] = [m[1]!, m[2]!];
    const keys = await exportsOf(spec);
    const uses = new Set([...code.matchAll(new RegExp(String.raw`(?:^|[^\w.]|\.\.\.)${alias}\.(\w+)`, "gm"))]
      .map((u) => u[1]!));
    for (const name of uses) {
      if (!keys.has(name) && !types.has(name)) missing.push(`${alias}.${name} (${spec})`);
    }
  }
  return missing;
}

Deno.test("repo notebooks: every alias.name a notebook uses is exported by the module it imports", async () => {
  const types = await exportedTypeNames();
  const cache = new Map<string, Set<string>>();
  const exportsOf = async (spec: string): Promise<Set<string>> => {
    if (!cache.has(spec)) {
      const mod = await import(new URL(spec, new URL("notebooks/", ROOT)).href);
      cache.set(spec, new Set(Object.keys(mod)));
    }
    return cache.get(spec)!;
  };
  const paths: URL[] = [];
  for await (const e of Deno.readDir(new URL("notebooks/", ROOT))) {
    if (e.name.endsWith(".ipynb")) paths.push(new URL(`notebooks/${e.name}`, ROOT));
  }
  assert.ok(paths.length >= 10, `expected the notebooks, got ${paths.length}`);
  const problems: string[] = [];
  for (const path of paths.sort()) {
    for (const m of await missingNames(await notebookCode(path), exportsOf, types)) {
      problems.push(`${path.pathname.split("/").at(-1)}: ${m}`);
    }
  }
  assert.deepEqual(problems, []);
});

Deno.test("repo notebooks: the check names a use the imported module does not export", async () => {
  const code =
    'import * as T from "../lib/train/mod.ts";\nconst g = new T.Gpt(c);\nT.train(x);\nconst t: T.Cfg = {};\n' +
    "const o = { ...T.DEFAULTS };";
  const exportsOf = (): Promise<ReadonlySet<string>> => Promise.resolve(new Set(["train"]));
  assert.deepEqual(await missingNames(code, exportsOf, new Set(["Cfg"])), [
    "T.Gpt (../lib/train/mod.ts)",
    "T.DEFAULTS (../lib/train/mod.ts)",
  ]);
});

// Deno 2.9.6's `deno fmt --check` reports every notebook as "not formatted" even when `deno fmt` leaves its
// bytes unchanged (measured on a clean clone), so deno.json excludes notebooks/ from `deno fmt` and this test
// checks them instead: each one must be exactly what `deno fmt` writes for it, under the project's settings
// without that exclusion.
Deno.test("repo notebooks: every notebook is as `deno fmt` writes it", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
    config.fmt.exclude = config.fmt.exclude.filter((path: string) => path !== "notebooks/");
    await Deno.writeTextFile(`${tmp}/deno.json`, JSON.stringify(config));
    await Deno.mkdir(`${tmp}/notebooks`);
    const names: string[] = [];
    for await (const e of Deno.readDir(new URL("notebooks/", ROOT))) {
      if (e.isFile && e.name.endsWith(".ipynb")) names.push(e.name);
    }
    assert.ok(names.length > 0, "no notebooks found");
    for (const name of names) {
      await Deno.copyFile(new URL(`notebooks/${name}`, ROOT), `${tmp}/notebooks/${name}`);
    }
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "notebooks"],
      cwd: tmp,
      stderr: "piped",
    })
      .output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const unformatted = [];
    for (const name of names.sort()) {
      const mine = await Deno.readTextFile(new URL(`notebooks/${name}`, ROOT));
      if (mine !== await Deno.readTextFile(`${tmp}/notebooks/${name}`)) unformatted.push(name);
    }
    assert.deepEqual(unformatted, [], "run `deno fmt notebooks` and commit the result");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

// Issue 9: a measured number is never typed into a notebook's prose. Conclusions are code cells that end in
// P.md`…` (lib/plot/prose.ts), so a re-run keeps prose and numbers in step; the old hand-typed "What we
// measured" markdown sections are gone.
Deno.test("repo notebooks: conclusions are rendered from computed values, never hand-typed markdown", async () => {
  const problems: string[] = [];
  for await (const e of Deno.readDir(new URL("notebooks/", ROOT))) {
    if (!/^\d\d_.*\.ipynb$/.test(e.name) || e.name.startsWith("14_")) continue;
    const nb = JSON.parse(await Deno.readTextFile(new URL(`notebooks/${e.name}`, ROOT))) as {
      cells: { cell_type: string; source: string[] }[];
    };
    const markdown = nb.cells.filter((c) => c.cell_type === "markdown").map((c) => c.source.join(""));
    const code = nb.cells.filter((c) => c.cell_type === "code").map((c) => c.source.join(""));
    if (markdown.some((m) => /what we measured/i.test(m))) {
      problems.push(`${e.name}: a markdown "What we measured"`);
    }
    if (!code.some((c) => /\bP\.md`/.test(c))) {
      problems.push(`${e.name}: no conclusion rendered with P.md\`…\``);
    }
  }
  assert.deepEqual(problems.sort(), []);
});
