/**
 * Small file helpers shared by the loaders and savers: whether a path exists, and reading a JSON file with
 * errors that name the path.
 *
 * @module
 */

/**
 * Whether a path exists (errors other than NotFound propagate).
 *
 * @param path The path.
 * @returns True when something (file, folder, link target) is there.
 * @example
 * ```ts
 * import { exists } from "@dpo-kernels/dpo-kernels/hub";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * assert.equal(await exists(dir), true);
 * assert.equal(await exists(`${dir}/missing`), false);
 * await Deno.remove(dir);
 * ```
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Reads and parses a JSON file.
 *
 * @param path The file.
 * @returns The parsed value (not checked further).
 * @throws {Error} `path: no such file`, or `path: cannot read (…)` on another read error.
 * @throws {TypeError} `path: not valid JSON (…)`.
 * @example
 * ```ts
 * import { readJsonFile } from "@dpo-kernels/dpo-kernels/hub";
 * import assert from "node:assert/strict";
 * const path = await Deno.makeTempFile({ suffix: ".json" });
 * await Deno.writeTextFile(path, '{"n_layer": 2}');
 * assert.deepEqual(await readJsonFile(path), { n_layer: 2 });
 * await Deno.writeTextFile(path, "{");
 * await assert.rejects(readJsonFile(path), /not valid JSON/);
 * await Deno.remove(path);
 * await assert.rejects(readJsonFile(path), /no such file/);
 * ```
 */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new Error(`${path}: no such file`, { cause: e });
    throw new Error(`${path}: cannot read (${(e as Error).message})`, { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new TypeError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Whether a path is a regular file (errors other than NotFound propagate).
 *
 * @param path The path.
 * @returns True for a file (or a link to one), false when nothing is there or it is a folder.
 * @example
 * ```ts
 * import { isFile } from "@dpo-kernels/dpo-kernels/hub";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * assert.equal(await isFile(dir), false);
 * await Deno.writeTextFile(`${dir}/a.jsonl`, "");
 * assert.equal(await isFile(`${dir}/a.jsonl`), true);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * An environment variable, or undefined when it is unset or reading it is not permitted (no `--allow-env`):
 * the defaults that read the environment behave as if it were unset.
 *
 * @param name The variable.
 * @returns Its value, or undefined.
 * @example
 * ```ts
 * import { readEnv } from "@dpo-kernels/dpo-kernels/hub";
 * import assert from "node:assert/strict";
 * assert.equal(readEnv("DPO_KERNELS_SURELY_UNSET_VARIABLE"), undefined);
 * ```
 */
export function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: behave as if unset
  }
}
