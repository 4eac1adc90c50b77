/**
 * Loading a dataset of the {@link DATASETS} table by name: {@link loadDataset} downloads a split's files (once,
 * into the hub cache) and normalizes them; `loadLocalDataset` (local.ts) reads an already-normalized copy.
 *
 * @module
 */
import { join } from "node:path";
import type { HubOptions } from "../../hub/hub.ts";
import { assertSafeRelativePath, isSafeRelativePath } from "../../hub/safe_path.ts";
import { assertInteger, describe } from "../../math/validation.ts";
import { mergeResults, type NormalizeResult } from "./normalize.ts";
import { readRows } from "./formats.ts";
import { datasetHubOptions, downloadDatasetFiles } from "./hub.ts";
import { DATA_DIR_ENV, DATASETS, type DatasetSpec } from "./datasets.ts";

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions extends HubOptions {
  /** The split (default: the dataset's `defaultSplit`). */
  split?: string;
  /** The subset, for datasets published per subset (SHP-2). */
  subset?: string;
  /** Keep at most this many pairs (default: all). */
  limit?: number;
  /** Seed of the sampling normalizers (PRM800K, Nectar). */
  seed?: number;
}

/** A loaded dataset: the normalized pairs, the drop counts, and what was read. */
export interface LoadedDataset extends NormalizeResult {
  /** The dataset's name (or the local file's path). */
  name: string;
  /** The split (`"local"` for `loadLocalDataset`). */
  split: string;
  /** The files read. */
  files: string[];
}

function specOf(name: string): DatasetSpec {
  const spec = Object.hasOwn(DATASETS, name) ? DATASETS[name] : undefined;
  if (spec === undefined) {
    throw new TypeError(`name must be one of ${Object.keys(DATASETS).join(", ")}, got ${describe(name)}`);
  }
  return spec;
}

/**
 * Checks a loader's `options.limit`: an integer, or Infinity (all), or undefined (all).
 *
 * @param limit The limit.
 * @throws {RangeError} If it is not an integer, Infinity or undefined.
 * @example
 * ```ts
 * import { checkDatasetLimit } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * checkDatasetLimit(100);
 * assert.throws(() => checkDatasetLimit(2.5), /options.limit/);
 * ```
 */
export function checkDatasetLimit(limit: number | undefined): void {
  if (limit !== undefined && limit !== Infinity) assertInteger(limit, "options.limit");
}

/**
 * The hub files of a dataset's split.
 *
 * @param name A {@link DATASETS} name.
 * @param options `split` and `subset`.
 * @returns The file paths inside the repository.
 * @throws {TypeError} On an unknown name.
 * @throws {RangeError} On an unknown split, or a subset with `..` or empty parts.
 *
 * @example
 * ```ts
 * import { datasetFiles } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * assert.deepEqual(datasetFiles("hh-rlhf-harmless", { split: "test" }), ["harmless-base/test.jsonl.gz"]);
 * assert.deepEqual(datasetFiles("shp-2", { subset: "stackexchange/stack_codereview" }),
 *   ["stackexchange/stack_codereview/train.json"]);
 * ```
 */
export function datasetFiles(name: string, options: { split?: string; subset?: string } = {}): string[] {
  const spec = specOf(name);
  const split = options.split ?? spec.defaultSplit;
  const files = Object.hasOwn(spec.splits, split) ? spec.splits[split] : undefined;
  if (files === undefined) {
    throw new RangeError(
      `options.split must be one of ${Object.keys(spec.splits).join(", ")} for "${name}", got ${
        describe(split)
      }`,
    );
  }
  const subset = options.subset ?? spec.defaultSubset ?? "";
  if (files.some((f) => f.includes("{subset}")) && !isSafeRelativePath(subset)) {
    throw new RangeError(`options.subset must be a folder like "reddit/askscience", got ${describe(subset)}`);
  }
  return files.map((f) => f.replaceAll("{subset}", subset));
}

/**
 * Downloads (once, into the hub cache) and normalizes a dataset's split.
 *
 * @param name A {@link DATASETS} name.
 * @param options The split (and subset), `limit`, `seed`, and where and how to download (`cacheDir`,
 * `revision`, `endpoint`, `token`, `fetch`; defaults as for models, with dataset files under
 * `{cacheDir}/datasets/{repo}`).
 * @returns The pairs, the drop counts, and the files read.
 * @throws {TypeError} On an unknown name.
 * @throws {RangeError} On an unknown split, a bad limit, or a revision or subset that is not a safe relative
 * path (`..`, absolute, backslash, empty segment): nothing is written outside the cache folder.
 * @throws {Error} If the files cannot be downloaded (the message names the dataset and suggests
 * `loadLocalDataset`), and as the dataset's normalizer on a malformed row (naming the file and row).
 *
 * @example
 * ```ts ignore
 * import { loadDataset } from "@dpo-kernels/dpo-kernels/data";
 * const { pairs, dropped } = await loadDataset("hh-rlhf-harmless", { split: "test", limit: 1000 });
 * console.log(pairs.length, dropped);
 * ```
 */
export async function loadDataset(name: string, options: LoadDatasetOptions = {}): Promise<LoadedDataset> {
  const spec = specOf(name);
  checkDatasetLimit(options.limit);
  if (options.revision !== undefined) assertSafeRelativePath(options.revision, "options.revision");
  const split = options.split ?? spec.defaultSplit;
  const files = datasetFiles(name, { split, subset: options.subset });
  const usesSubset = (spec.splits[split] ?? []).some((f) => f.includes("{subset}"));
  const subset = usesSubset ? options.subset ?? spec.defaultSubset : undefined;
  let folder: string;
  try {
    folder = await downloadDatasetFiles(spec.repo, files, options);
  } catch (e) {
    const cache = join(datasetHubOptions(options).cacheDir as string, spec.repo);
    const local = spec.localFile === undefined
      ? `loadLocalDataset("path/to/${name}.jsonl")`
      : `loadLocalDataset("${spec.localFile}") with ${DATA_DIR_ENV} set to the folder holding it, or ` +
        `loadLocalDataset("path/to/${spec.localFile}")`;
    throw new Error(
      `dataset "${name}" (${spec.repo}: ${files.join(", ")}) could not be downloaded: ${
        (e as Error).message
      }. ` +
        `Offline, load an already-normalized JSONL copy instead: ${local}; or copy the files into ${cache}`,
      { cause: e },
    );
  }
  const source = [spec.source, subset, split].filter((s) => s !== undefined).join("/");
  const results: NormalizeResult[] = [];
  let remaining = options.limit ?? Infinity;
  const paths: string[] = [];
  for (const file of files) {
    if (remaining <= 0) break;
    const path = join(folder, file);
    paths.push(path);
    const rows = await readRows(path, spec.format);
    const result = spec.normalize(rows, {
      file: path,
      source,
      category: spec.category,
      limit: remaining,
      seed: options.seed,
    });
    results.push(result);
    remaining -= result.pairs.length;
  }
  return { name, split, files: paths, ...mergeResults(results, options.limit) };
}
