// One rule for tests (CONTRIBUTING.md): `tests/<folder>_<file>[_<aspect>].test.ts` tests `lib/<folder>/<file>.ts`
// (sub-folders joined with `_`: lib/data/loaders/registry.ts → data_loaders_registry); repository-wide checks are
// `tests/repo_<topic>.test.ts`. A test file whose name maps to no source file fails.
import { assert } from "./_assert.ts";
import { join, relative } from "node:path";

/**
 * Test files of other helpers' folders not yet renamed to the rule on this branch. The lead empties this list
 * at merge (their branches rename them); a name here that already follows the rule fails the test.
 */
const NOT_YET_RENAMED: ReadonlySet<string> = new Set([]);

/**
 * The source file a test name maps to, by the rule, or undefined.
 *
 * @param name The test file's name without `.test.ts`.
 * @param keys Every source file's key: its path under lib/ without `.ts`, `/` replaced by `_` (barrels excluded).
 */
function sourceOf(name: string, keys: readonly string[]): string | undefined {
  // The longest key wins, so that io_checkpoint_config_property maps to checkpoint_config.ts, not checkpoint.ts.
  return keys.filter((k) => name === k || name.startsWith(`${k}_`)).sort((a, b) => b.length - a.length)[0];
}

/** Repository-relative paths of every file under `dir` whose name ends with `suffix`. */
async function files(dir: string, suffix: string): Promise<string[]> {
  const root = new URL("..", import.meta.url).pathname;
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else if (e.name.endsWith(suffix)) out.push(relative(root, p));
    }
  };
  await walk(join(root, dir));
  return out.sort();
}

/** The key of each source file under lib/ (barrels excluded). */
async function sourceKeys(): Promise<string[]> {
  return (await files("lib", ".ts"))
    .filter((p) => !p.endsWith("/mod.ts"))
    .map((p) => p.slice("lib/".length, -".ts".length).replaceAll("/", "_"));
}

Deno.test("repo layout: every test file is named after the source file it tests, or is a repo_ check", async () => {
  const keys = await sourceKeys();
  const tests = (await files("tests", ".test.ts")).filter((p) => !p.slice("tests/".length).includes("/"));
  assert.ok(tests.length > 30, `expected the test suite, got ${tests.length} files`);
  const bad: string[] = [];
  for (const path of tests) {
    const name = path.slice("tests/".length, -".test.ts".length);
    if (name.startsWith("repo_")) continue;
    const source = sourceOf(name, keys);
    if (source !== undefined && NOT_YET_RENAMED.has(name)) {
      bad.push(`${path}: follows the rule; drop it from NOT_YET_RENAMED`);
    }
    if (source === undefined && !NOT_YET_RENAMED.has(name)) {
      bad.push(`${path}: no lib/ source file matches (name it <folder>_<file>[_<aspect>] or repo_<topic>)`);
    }
  }
  assert.deepEqual(bad, []);
});

Deno.test("repo layout: the rule maps names by the longest source key, and refuses strays", () => {
  const keys = ["io_checkpoint", "io_checkpoint_config", "data_loaders_registry", "eval_report"];
  assert.equal(sourceOf("io_checkpoint_config_property", keys), "io_checkpoint_config");
  assert.equal(sourceOf("io_checkpoint_safe_path", keys), "io_checkpoint");
  assert.equal(sourceOf("data_loaders_registry", keys), "data_loaders_registry");
  assert.equal(sourceOf("eval", keys), undefined);
  assert.equal(sourceOf("eval_reports", keys), undefined);
  assert.equal(sourceOf("numeric_edges", keys), undefined);
});

// Issue 9: a file a reader can hold in mind. One concept per file keeps every file under lib/ within 350 lines.
Deno.test("repo layout: no file under lib/ is over 350 lines", async () => {
  const root = new URL("..", import.meta.url).pathname;
  const long: string[] = [];
  for (const p of await files("lib", ".ts")) {
    const lines = (await Deno.readTextFile(join(root, p))).split("\n").length - 1;
    if (lines > 350) long.push(`${p}: ${lines} lines`);
  }
  assert.deepEqual(long, []);
});

Deno.test("repo layout: a checkpoint's tokenizer is resolved by checkpointTokenizerSpec, never read off its record", async () => {
  // A tokenizer saved inside the checkpoint is recorded as "." (the checkpoint's folder): read off the record,
  // `loadTokenizer(".")` would load the working directory instead.
  const root = new URL("..", import.meta.url);
  const offenders: string[] = [];
  for (const path of await files("lib", ".ts")) {
    if (path === "lib/io/checkpoint_config.ts") continue;
    const text = await Deno.readTextFile(new URL(path, root));
    if (/\w\.tokenizer\?\.name/.test(text)) offenders.push(path);
  }
  assert.deepEqual(
    offenders,
    [],
    "call checkpointTokenizerSpec(dir, checkpoint) (lib/io/checkpoint_config.ts)",
  );
});
