// No tracked file names a path of the machine it was written on: a user has no such folder, and it leaks the
// build machine's layout. Checked over `git ls-files`, so it needs `--allow-run` (for git) and `--allow-read`.
//
// Flagged: absolute paths under a home or build folder — `/work`, `/root`, `/home/<user>`, `/Users/<user>`
// (each followed by a slash), `C:\Users\<user>\…` — where the `/` is not preceded by a word character, `.`, `~`, `$`, `}`
// or another `/` (so URLs such as `https://host/build/x` and `$HOME/x`, `~/x` are not flagged). Not flagged:
// `/tmp/…`, `/usr/…`, `/etc/…`, `/dev/…`: tests and examples use temporary and system folders deliberately, and
// they exist on every Unix machine. Binary files (a NUL byte in the first 8 KiB) are skipped.
//
// The test skips (passes with a note) only when there is no `.git` at the repository root or no `git` on the
// PATH, e.g. in an unpacked archive; any other failure of git is an error.
import { assert } from "./_assert.ts";
import { join } from "node:path";

const ROOT = new URL("../", import.meta.url).pathname;

// Built from pieces so that this file does not match itself.
const S = "/";
const MACHINE_PATH = new RegExp(
  "(?<![\\w.~$}/\\\\])(?:" +
    [
      `${S}work${S}`,
      `${S}root${S}`,
      `${S}home${S}[A-Za-z0-9._-]+${S}`,
      `${S}Users${S}[A-Za-z0-9._ -]+${S}`,
      "[A-Za-z]:\\\\Users\\\\[A-Za-z0-9._ -]+\\\\",
    ].join("|") + ")",
  "g",
);

/** The machine paths in a text, as `line:column: match` strings. */
function machinePaths(text: string): string[] {
  const found: string[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    for (const m of (lines[i] as string).matchAll(MACHINE_PATH)) {
      found.push(`${i + 1}:${(m.index ?? 0) + 1}: ${m[0]}`);
    }
  }
  return found;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** The tracked files of the checkout at `root`, or undefined when there is no `.git` or no `git`. */
async function trackedFiles(root: string): Promise<string[] | undefined> {
  if (!(await exists(join(root, ".git")))) return undefined;
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("git", {
      args: ["ls-files", "-z"],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    })
      .output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined; // no git binary
    throw e;
  }
  if (!output.success) {
    throw new Error(`git ls-files failed in ${root}: ${new TextDecoder().decode(output.stderr)}`);
  }
  return new TextDecoder().decode(output.stdout).split("\0").filter((f) => f !== "");
}

Deno.test("repo hygiene: the pattern flags home and build folders, not URLs, variables or /tmp", () => {
  const flagged = [
    `see ${S}work${S}shared${S}data`,
    `"${S}root${S}.cache${S}x"`,
    `(${S}home${S}alice${S}data)`,
    `${S}Users${S}bob${S}x`,
    "C:\\Users\\carol\\data",
  ];
  for (const t of flagged) assert.equal(machinePaths(t).length, 1, t);
  const fine = [
    `https://github.com${S}work${S}x`,
    `$HOME${S}work${S}x`,
    `~${S}work${S}x`,
    `${S}tmp${S}hub`,
    `${S}usr${S}bin${S}python3`,
    `a${S}work${S}b`,
    `${S}home${S}`,
    "$DPO_KERNELS_DATA_DIR/SOURCES.md",
  ];
  for (const t of fine) assert.deepEqual(machinePaths(t), [], t);
  assert.deepEqual(machinePaths(`x\n  y ${S}root${S}z`), [`2:5: ${S}root${S}`]);
});

Deno.test("repo hygiene: no tracked text file holds an absolute path of a home or build folder", async () => {
  const files = await trackedFiles(ROOT);
  if (files === undefined) {
    console.log("skipped: no .git folder or no git binary (not a git checkout)");
    return;
  }
  assert.ok(files.length > 0, "git ls-files listed no files");
  const problems: string[] = [];
  for (const file of files) {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(join(ROOT, file));
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) continue; // deleted in the working tree, not yet committed
      throw e;
    }
    if (bytes.subarray(0, 8192).includes(0)) continue; // binary
    for (const hit of machinePaths(new TextDecoder().decode(bytes))) problems.push(`${file}:${hit}`);
  }
  assert.deepEqual(
    problems,
    [],
    `tracked files name machine paths (use $DPO_KERNELS_DATA_DIR, a relative path or a temporary folder):\n${
      problems.slice(0, 30).join("\n")
    }`,
  );
});

Deno.test("repo hygiene: outside a git checkout the check skips instead of failing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "repo_hygiene_" });
  try {
    assert.equal(await trackedFiles(dir), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
