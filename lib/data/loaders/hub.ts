/**
 * Downloading dataset files from the Hugging Face hub through the project's one downloader,
 * {@link downloadFromHub} (cache, `.part` then rename, `HF_ENDPOINT`/`HF_TOKEN`). Dataset repositories live
 * under `{endpoint}/datasets/{id}/resolve/{revision}/{file}`, so this wrapper appends `/datasets` to the
 * endpoint and caches them under `{cacheDir}/datasets/{id}`, apart from model repositories of the same id.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { downloadFromHub, HF_HUB_ENDPOINT, hubCacheFolder, type HubOptions } from "../../hub/hub.ts";
import { readEnv } from "../../hub/files.ts";

/**
 * The hub options that address a dataset repository with {@link downloadFromHub}: the endpoint with
 * `/datasets` appended and the cache root with `datasets` appended.
 *
 * @param options Where and how to download (`cacheDir` is the hub cache root, as for models).
 * @returns The options for the dataset repository.
 *
 * @example
 * ```ts
 * import { datasetHubOptions } from "@dpo-kernels/dpo-kernels/data";
 * import assert from "node:assert/strict";
 * const o = datasetHubOptions({ cacheDir: "/tmp/hub", endpoint: "https://mirror.example/" });
 * assert.equal(o.endpoint, "https://mirror.example/datasets");
 * assert.equal(o.cacheDir, "/tmp/hub/datasets");
 * ```
 */
export function datasetHubOptions(options: HubOptions = {}): HubOptions {
  const endpoint = (options.endpoint ?? readEnv("HF_ENDPOINT") ?? HF_HUB_ENDPOINT).replace(/\/+$/, "");
  const root = options.cacheDir ?? dirname(hubCacheFolder("x"));
  return { ...options, endpoint: `${endpoint}/datasets`, cacheDir: join(root, "datasets") };
}

/**
 * Downloads files of a hub dataset repository into the cache (skipping cached files).
 *
 * @param id The dataset id (`"Anthropic/hh-rlhf"`).
 * @param files The files, relative to the repository root.
 * @param options Where and how to download.
 * @returns The cache folder holding the files.
 * @throws {Error} As {@link downloadFromHub} (unreachable hub, no network permission, missing or gated file).
 *
 * @example
 * ```ts ignore
 * import { downloadDatasetFiles } from "@dpo-kernels/dpo-kernels/data";
 * const folder = await downloadDatasetFiles("Anthropic/hh-rlhf", ["harmless-base/test.jsonl.gz"]);
 * ```
 */
export async function downloadDatasetFiles(
  id: string,
  files: readonly string[],
  options: HubOptions = {},
): Promise<string> {
  return await downloadFromHub(id, { ...datasetHubOptions(options), files });
}
