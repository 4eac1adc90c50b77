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
