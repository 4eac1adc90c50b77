/**
 * Already-normalized dataset copies on disk: {@link loadLocalDataset} reads a JSONL file of
 * `{prompt, chosen, rejected, source, category}` lines, by path or by name inside `$DPO_KERNELS_DATA_DIR`.
 *
 * @module
 */
import { basename, join } from "node:path";
import { isFile, readEnv } from "../../hub/files.ts";
import { isSafeRelativePath } from "../../hub/safe_path.ts";
import { describe } from "../../math/validation.ts";
import { PairCleaner } from "./normalize.ts";
import { isPreferenceCategory, PREFERENCE_CATEGORIES } from "../categories.ts";
import { requireString } from "./rows.ts";
import { DataLineError, parseJsonObjectLine } from "../preference.ts";
import { DATA_DIR_ENV, DATASETS } from "./datasets.ts";
import { checkDatasetLimit, type LoadedDataset } from "./registry.ts";

/**
 * Where {@link loadLocalDataset} finds a normalized copy: the path itself when it is a file; otherwise, inside
 * `$DPO_KERNELS_DATA_DIR` (or `options.dataDir`), the name as given, with `.jsonl` added, or a
 * {@link DATASETS} name's `localFile`.
 *
 * @param pathOrName A file path, a file name inside the data folder, or a dataset name.
 * @param options `dataDir` (default `$DPO_KERNELS_DATA_DIR`).
 * @returns The file's path.
 * @throws {Error} If no file is found, saying where it looked and how to point at the folder.
 *
 * @example
 * ```ts ignore
 * import { resolveLocalDataset } from "@dpo-kernels/dpo-kernels/data";
 * // with DPO_KERNELS_DATA_DIR set to the data folder:
 * console.log(await resolveLocalDataset("hh-rlhf-harmless")); // $DPO_KERNELS_DATA_DIR/hh_rlhf_harmless.jsonl
 * ```
 */
export async function resolveLocalDataset(
  pathOrName: string,
  options: { dataDir?: string } = {},
): Promise<string> {
  if (typeof pathOrName !== "string" || pathOrName === "") {
    throw new TypeError(`pathOrName must be a file path or a dataset name, got ${describe(pathOrName)}`);
  }
  if (await isFile(pathOrName)) return pathOrName;
  const dir = options.dataDir ?? readEnv(DATA_DIR_ENV);
  const tried = [pathOrName];
  if (dir !== undefined && dir !== "") {
    // Only names that stay inside the data folder (no "..", no absolute path, no backslash) are looked up there.
    const names = isSafeRelativePath(pathOrName) ? [pathOrName, `${pathOrName}.jsonl`] : [];
    const spec = Object.hasOwn(DATASETS, pathOrName) ? DATASETS[pathOrName] : undefined;
    if (spec?.localFile !== undefined) names.push(spec.localFile);
    for (const n of names) {
      const candidate = join(dir, n);
      tried.push(candidate);
      if (await isFile(candidate)) return candidate;
    }
  }
  throw new Error(
    `no normalized dataset file found for ${describe(pathOrName)} (looked at ${
      tried.join(", ")
    }). Pass a path ` +
      `to a JSONL file of {prompt, chosen, rejected, source, category} lines, or set ${DATA_DIR_ENV} to the ` +
      `folder holding such files${dir ? "" : ` (${DATA_DIR_ENV} is not set)`}`,
  );
}

/**
 * Reads an already-normalized JSONL copy (`{prompt, chosen, rejected, source, category}` per line), applying
 * the shared cleaning rules again (so hand-edited files stay clean) and checking each line.
 *
 * @param pathOrName A file path, or a name inside `$DPO_KERNELS_DATA_DIR` ({@link resolveLocalDataset}).
 * @param options `limit` (default all) and `dataDir` (default `$DPO_KERNELS_DATA_DIR`).
 * @returns The pairs (each keeping its line's `source`, default the file name, and `category`), the drop
 * counts, and the file read.
 * @throws {Error} If no file is found.
 * @throws {DataLineError} On a line that is not JSON, lacks a string prompt/chosen/rejected, or has a category
 * outside the paper's five (or null), naming the file and line.
 *
 * @example
 * ```ts
 * import { loadLocalDataset } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const path = await Deno.makeTempFile({ suffix: ".jsonl" });
 * await Deno.writeTextFile(path, JSON.stringify({ prompt: "Q", chosen: "A", rejected: "B", source: "demo",
 *   category: "safety" }) + "\n");
 * const d = await loadLocalDataset(path);
 * assert.deepEqual(d.pairs, [{ prompt: "Q", chosen: "A", rejected: "B", source: "demo", category: "safety" }]);
 * await Deno.remove(path);
 * ```
 */
export async function loadLocalDataset(
  pathOrName: string,
  options: { limit?: number; dataDir?: string } = {},
): Promise<LoadedDataset> {
  checkDatasetLimit(options.limit);
  const path = await resolveLocalDataset(pathOrName, options);
  const cleaner = new PairCleaner({
    source: basename(path).replace(/\.jsonl$/, ""),
    category: null,
    limit: options.limit,
  });
  let n = 0;
  for (const [i, text] of (await Deno.readTextFile(path)).split("\n").entries()) {
    if (cleaner.full) break;
    if (text.trim() === "") continue;
    n++;
    const place = { file: path, row: i + 1 };
    const row = parseJsonObjectLine(text, path, place.row);
    const category = row.category ?? null;
    if (category !== null && !isPreferenceCategory(category)) {
      throw new DataLineError(
        path,
        place.row,
        `field "category" must be null or one of ${PREFERENCE_CATEGORIES.join(", ")}, got ${
          describe(category)
        }`,
      );
    }
    const source = row.source === undefined || row.source === null
      ? undefined
      : requireString(row, "source", place);
    cleaner.add({
      prompt: requireString(row, "prompt", place),
      chosen: requireString(row, "chosen", place),
      rejected: requireString(row, "rejected", place),
      source,
      category,
    });
  }
  return { name: path, split: "local", files: [path], ...cleaner.result(n) };
}
