/**
 * The preference datasets by name: where each is published on the Hugging Face hub, which files make each
 * split, their format, the normalizer from the dataset's own rows, its category and license. {@link loadDataset}
 * downloads (once, into the hub cache) and normalizes; {@link loadLocalDataset} reads an already-normalized
 * JSONL copy (`{prompt, chosen, rejected, source, category}` per line, such as the files described in
 * `$DPO_KERNELS_DATA_DIR/SOURCES.md`), by path or by name inside `$DPO_KERNELS_DATA_DIR`.
 *
 * @module
 */
import { basename, join } from "node:path";
import type { HubOptions } from "../../hub/hub.ts";
import { assertInteger, describe } from "../../math/validation.ts";
import {
  isPreferenceCategory,
  mergeResults,
  type Normalizer,
  type NormalizeResult,
  PairCleaner,
  PREFERENCE_CATEGORIES,
  type PreferenceCategory,
} from "./normalize.ts";
import { type DataFormat, readRows } from "./formats.ts";
import { datasetHubOptions, downloadDatasetFiles } from "./hub.ts";
import { assertSafeRelativePath, isSafeRelativePath } from "../../hub/safe_path.ts";
import { requireString } from "./rows.ts";
import { DataLineError, parseJsonObjectLine } from "../preference.ts";
import { normalizeHhRlhf } from "./hh_rlhf.ts";
import { normalizeHelpSteer } from "./helpsteer.ts";
import { normalizeChatbotArena2023 } from "./chatbot_arena_2023.ts";
import { normalizeChatbotArena2024 } from "./chatbot_arena_2024.ts";
import { normalizeAlpacaFarm } from "./alpaca_farm.ts";
import { normalizePrm800k } from "./prm800k.ts";
import { normalizeShp } from "./shp.ts";
import { normalizeUltraFeedback } from "./ultrafeedback.ts";
import { normalizeNectar } from "./nectar.ts";
import { normalizeOrca } from "./orca.ts";
import { normalizeCapybara } from "./capybara.ts";

/** The environment variable naming the folder of already-normalized JSONL copies. */
export const DATA_DIR_ENV = "DPO_KERNELS_DATA_DIR";

/** How one dataset is published and normalized. */
export interface DatasetSpec {
  /** The hub dataset id (`https://huggingface.co/datasets/{repo}`). */
  repo: string;
  /** The files of each split, relative to the repository root; `{subset}` is replaced by the subset. */
  splits: Readonly<Record<string, readonly string[]>>;
  /** The split loaded by default. */
  defaultSplit: string;
  /** The subset substituted for `{subset}` by default (datasets published per subset only). */
  defaultSubset?: string;
  /** The files' format. */
  format: DataFormat;
  /** The normalizer from the dataset's rows. */
  normalize: Normalizer;
  /** The `source` prefix of its pairs (`{source}/{split}`, or `{source}/{subset}/{split}`). */
  source: string;
  /** The paper category when the whole dataset belongs to one, else null. */
  category: PreferenceCategory | null;
  /** The license as the upstream project states it, with caveats. */
  license: string;
  /** The already-normalized copy's file name inside `$DPO_KERNELS_DATA_DIR`, where one exists. */
  localFile?: string;
  /** Anything a user should know (gated access, proxies, unverified paths). */
  note?: string;
}

/** The datasets {@link loadDataset} knows, by name. */
export const DATASETS: Readonly<Record<string, DatasetSpec>> = Object.freeze(
  {
    "hh-rlhf-harmless": {
      repo: "Anthropic/hh-rlhf",
      splits: { train: ["harmless-base/train.jsonl.gz"], test: ["harmless-base/test.jsonl.gz"] },
      defaultSplit: "train",
      format: "jsonl.gz",
      normalize: normalizeHhRlhf,
      source: "hh-rlhf/harmless-base",
      category: "safety",
      license: "MIT (Anthropic). The data contains offensive content.",
      localFile: "hh_rlhf_harmless.jsonl",
    },
    "hh-rlhf-helpful": {
      repo: "Anthropic/hh-rlhf",
      splits: { train: ["helpful-base/train.jsonl.gz"], test: ["helpful-base/test.jsonl.gz"] },
      defaultSplit: "train",
      format: "jsonl.gz",
      normalize: normalizeHhRlhf,
      source: "hh-rlhf/helpful-base",
      category: null,
      license: "MIT (Anthropic).",
      localFile: "hh_rlhf_helpful.jsonl",
    },
    "helpsteer": {
      repo: "nvidia/HelpSteer",
      splits: { train: ["train.jsonl.gz"], validation: ["validation.jsonl.gz"] },
      defaultSplit: "train",
      format: "jsonl.gz",
      normalize: normalizeHelpSteer,
      source: "helpsteer",
      category: null,
      license: "CC BY 4.0 (NVIDIA).",
    },
    "chatbot-arena-2023": {
      repo: "lmsys/chatbot_arena_conversations",
      splits: { train: ["data/train-00000-of-00001-cced8514c7ed782a.parquet"] },
      defaultSplit: "train",
      format: "parquet",
      normalize: normalizeChatbotArena2023,
      source: "chatbot_arena_conversations",
      category: null,
      license: "User prompts CC BY 4.0, model outputs CC BY-NC 4.0 (per the dataset card; non-commercial).",
      note: "Gated: accept the terms on the hub and set HF_TOKEN.",
    },
    "chatbot-arena-2024": {
      repo: "lmarena-ai/arena-human-preference-55k",
      splits: { train: ["train.csv"] },
      defaultSplit: "train",
      format: "csv",
      normalize: normalizeChatbotArena2024,
      source: "arena-human-preference-55k",
      category: null,
      license: "Apache-2.0 (per the dataset card).",
    },
    "alpacafarm-human": {
      repo: "tatsu-lab/alpaca_farm",
      splits: { preference: ["alpaca_human_preference.json"] },
      defaultSplit: "preference",
      format: "json",
      normalize: normalizeAlpacaFarm,
      source: "alpaca_farm/alpaca_human_preference",
      category: null,
      license: "CC BY-NC 4.0 (AlpacaFarm data; research use only).",
    },
    "alpacafarm-gpt4": {
      repo: "tatsu-lab/alpaca_farm",
      splits: { preference: ["alpaca_gpt4_preference.json"] },
      defaultSplit: "preference",
      format: "json",
      normalize: normalizeAlpacaFarm,
      source: "alpaca_farm/alpaca_gpt4_preference",
      category: null,
      license: "CC BY-NC 4.0 (AlpacaFarm data; research use only).",
      localFile: "alpacaeval_gpt4.jsonl",
      note: "The local copy alpacaeval_gpt4.jsonl is a proxy (AlpacaEval GPT-4 annotations), not this file.",
    },
    "prm800k": {
      repo: "Birchlabs/openai-prm800k-stepwise-critic",
      splits: {
        train: ["data/phase1_train.stepwise-critic.parquet"],
        test: ["data/phase1_test.stepwise-critic.parquet"],
        phase2_train: ["data/phase2_train.stepwise-critic.parquet"],
        phase2_test: ["data/phase2_test.stepwise-critic.parquet"],
      },
      defaultSplit: "train",
      format: "parquet",
      normalize: normalizePrm800k,
      source: "prm800k",
      category: "reasoning",
      license: "MIT (OpenAI PRM800K; Birchlabs redistributes it in the stepwise-critic layout).",
      localFile: "prm800k.jsonl",
    },
    "shp-2": {
      repo: "stanfordnlp/SHP-2",
      splits: {
        train: ["{subset}/train.json"],
        validation: ["{subset}/validation.json"],
        test: ["{subset}/test.json"],
      },
      defaultSplit: "train",
      defaultSubset: "reddit/askscience",
      format: "json",
      normalize: normalizeShp,
      source: "shp-2",
      category: null,
      license:
        "See the dataset card: Reddit content under Reddit's API terms, StackExchange content CC BY-SA.",
      note: "One subset per call (`reddit/<subreddit>` or `stackexchange/<site>`, e.g. " +
        "`stackexchange/stack_codereview`); the reddit folder names are assumed to match SHP's (askscience, …).",
    },
    "ultrafeedback": {
      repo: "trl-lib/ultrafeedback_binarized",
      splits: { train: ["data/train-00000-of-00001.parquet"], test: ["data/test-00000-of-00001.parquet"] },
      defaultSplit: "train",
      format: "parquet",
      normalize: normalizeUltraFeedback,
      source: "ultrafeedback_binarized",
      category: null,
      license: "MIT (per the OpenBMB UltraFeedback card). Ratings are GPT-4's, not human.",
      localFile: "ultrafeedback.jsonl",
    },
    "nectar": {
      repo: "berkeley-nest/Nectar",
      splits: { train: ["data/rlaif.parquet"] },
      defaultSplit: "train",
      format: "parquet",
      normalize: normalizeNectar,
      source: "nectar",
      category: null,
      license:
        "Per the Nectar dataset card (not checked here); responses come from OpenAI and other models' terms.",
      localFile: "nectar_ablation.jsonl",
      note:
        "The local copy nectar_ablation.jsonl is a proxy (the Nectar pipeline's ablation), not the release.",
    },
    "orca-dpo-pairs": {
      repo: "Intel/orca_dpo_pairs",
      splits: { train: ["orca_rlhf.jsonl"] },
      defaultSplit: "train",
      format: "jsonl",
      normalize: normalizeOrca,
      source: "orca_dpo_pairs",
      category: null,
      license: "Apache-2.0 (per the dataset card).",
      localFile: "orca_dpo_pairs.jsonl",
    },
    "capybara": {
      repo: "argilla/distilabel-capybara-dpo-7k-binarized",
      splits: { train: ["data/train-00000-of-00001.parquet"] },
      defaultSplit: "train",
      format: "parquet",
      normalize: normalizeCapybara,
      source: "capybara-dpo-7k",
      category: null,
      license: "Apache-2.0 (per the dataset card).",
    },
  } satisfies Record<string, DatasetSpec>,
);

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
  /** The split (`"local"` for {@link loadLocalDataset}). */
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

function checkLimit(limit: number | undefined): void {
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
 * {@link loadLocalDataset}), and as the dataset's normalizer on a malformed row (naming the file and row).
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
  checkLimit(options.limit);
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

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

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
  const dir = options.dataDir ?? env(DATA_DIR_ENV);
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
  checkLimit(options.limit);
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
