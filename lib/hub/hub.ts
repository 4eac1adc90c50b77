/**
 * Downloads from the Hugging Face hub into a local cache: `{endpoint}/{id}/resolve/{revision}/{file}`, each file
 * streamed to `.part` and renamed when complete, files already cached skipped. Model loaders (GPT-2),
 * tokenizers and dataset loaders share it; it needs no tensors.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { assertHubId, assertSafeRelativePath } from "./safe_path.ts";
import { exists, readEnv } from "./files.ts";

/** The hub's address (override with the `endpoint` option or the `HF_ENDPOINT` variable, e.g. for a mirror). */
export const HF_HUB_ENDPOINT = "https://huggingface.co";

/** Where and how to download from the hub. */
export interface HubOptions {
  /**
   * The cache root; files of `id` go to `{cacheDir}/{id}` (`{cacheDir}/{id}@{revision}` off `main`). Default
   * `$XDG_CACHE_HOME/dpo-kernels/hub`, else `~/.cache/dpo-kernels/hub`.
   */
  cacheDir?: string;
  /** Branch, tag or commit (default `"main"`). */
  revision?: string;
  /** The hub's address (default `$HF_ENDPOINT`, else {@link HF_HUB_ENDPOINT}). */
  endpoint?: string;
  /** An access token for gated or private repositories (default `$HF_TOKEN`). */
  token?: string;
  /** The fetch to use (default `globalThis.fetch`; tests pass a fake). */
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
}

/** Options of {@link downloadFromHub}. */
export interface DownloadOptions extends HubOptions {
  /** Files that must exist in the repository. */
  files: readonly string[];
  /** Files fetched when present (a 404 is remembered with an `{file}.absent` marker and skipped after). */
  optionalFiles?: readonly string[];
}

/**
 * The folder a hub id's files are cached in.
 *
 * @param id A hub id.
 * @param options `cacheDir` and `revision`.
 * @returns `{cacheDir}/{id}`, or `{cacheDir}/{id}@{revision}` for a revision other than `main`.
 * @throws {RangeError} If id is not a hub id, or the revision is not a safe relative path (no `..`, no absolute
 * path, no backslash, no empty segment), so that the folder is always inside the cache root.
 *
 * @example
 * ```ts
 * import { hubCacheFolder } from "@dpo-kernels/dpo-kernels/hub";
 * import assert from "node:assert/strict";
 * assert.equal(hubCacheFolder("gpt2", { cacheDir: "/tmp/hub" }), "/tmp/hub/gpt2");
 * assert.equal(hubCacheFolder("a/b", { cacheDir: "/tmp/hub", revision: "v1" }), "/tmp/hub/a/b@v1");
 * ```
 */
export function hubCacheFolder(id: string, options: Pick<HubOptions, "cacheDir" | "revision"> = {}): string {
  assertHubId(id, "id");
  const xdg = readEnv("XDG_CACHE_HOME");
  const root = options.cacheDir ??
    (xdg ? join(xdg, "dpo-kernels", "hub") : join(readEnv("HOME") ?? ".", ".cache", "dpo-kernels", "hub"));
  const revision = assertSafeRelativePath(options.revision ?? "main", "options.revision");
  return join(root, revision === "main" ? id : `${id}@${revision}`);
}

/**
 * Downloads files of a hub repository into the cache (`{endpoint}/{id}/resolve/{revision}/{file}`), skipping
 * files already there. Each file is streamed to `{file}.part` and renamed when complete, so an interrupted
 * download is never mistaken for a cached file.
 *
 * @param id A hub id (`"gpt2"`, `"owner/name"`).
 * @param options The files, and where and how to download.
 * @returns The cache folder holding the files.
 * @throws {RangeError} If id is not a hub id, or the revision or a file name is not a safe relative path (no
 * `..`, no absolute path, no backslash, no empty segment): nothing is written outside the cache folder.
 * @throws {Error} If the hub is unreachable (the message says how to pass a local folder instead), if network
 * access is not permitted, or if a required file is missing (404) or refused (401/403: gated or private).
 *
 * @example
 * ```ts ignore
 * import { downloadFromHub } from "@dpo-kernels/dpo-kernels/hub";
 * const folder = await downloadFromHub("gpt2", { files: ["config.json"] });
 * console.log(await Deno.readTextFile(folder + "/config.json"));
 * ```
 */
export async function downloadFromHub(id: string, options: DownloadOptions): Promise<string> {
  const folder = hubCacheFolder(id, options);
  const endpoint = (options.endpoint ?? readEnv("HF_ENDPOINT") ?? HF_HUB_ENDPOINT).replace(/\/+$/, "");
  const revision = options.revision ?? "main";
  const token = options.token ?? readEnv("HF_TOKEN");
  const doFetch = options.fetch ?? ((input: string, init?: RequestInit) => fetch(input, init));
  const wanted: [string, boolean][] = [
    ...options.files.map((f): [string, boolean] => [f, true]),
    ...(options.optionalFiles ?? []).map((f): [string, boolean] => [f, false]),
  ];
  for (const [file, required] of wanted) {
    assertSafeRelativePath(file, required ? "options.files[]" : "options.optionalFiles[]");
    const target = join(folder, file);
    if (await exists(target)) continue;
    if (!required && await exists(`${target}.absent`)) continue;
    const url = `${endpoint}/${id}/resolve/${encodeURIComponent(revision)}/${file}`;
    let response: Response;
    try {
      response = await doFetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : undefined);
    } catch (e) {
      if (!required) continue; // offline with the required files cached: go on without this one
      if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
        throw new Error(
          `downloading ${url} needs network access: run with --allow-net=huggingface.co (and its CDN), ` +
            `or pass a local folder holding ${options.files.join(", ")} instead of the hub id "${id}"`,
          { cause: e },
        );
      }
      throw new Error(
        `the Hugging Face hub is unreachable (${url}: ${
          (e as Error).message
        }). Offline, pass a local folder ` +
          `instead of the hub id "${id}": download ${options.files.join(", ")} from ` +
          `${endpoint}/${id}/tree/${revision} on a machine with network access and pass that folder's path, ` +
          `or copy the files into the cache folder ${folder}`,
        { cause: e },
      );
    }
    if (response.status === 404 && !required) {
      await response.body?.cancel();
      await Deno.mkdir(folder, { recursive: true });
      await Deno.writeTextFile(`${target}.absent`, "");
      continue;
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      const hint = response.status === 401 || response.status === 403
        ? "; the repository may be gated or private: accept its terms on the hub and set HF_TOKEN"
        : response.status === 404
        ? `; check the id "${id}" and that the repository has ${file}`
        : "";
      throw new Error(`downloading ${url} failed: HTTP ${response.status} ${response.statusText}${hint}`);
    }
    await Deno.mkdir(dirname(target), { recursive: true });
    const part = `${target}.part`;
    const out = await Deno.open(part, { write: true, create: true, truncate: true });
    try {
      await response.body.pipeTo(out.writable); // closes the file
    } catch (e) {
      await Deno.remove(part).catch(() => {});
      throw new Error(`downloading ${url} was interrupted: ${(e as Error).message}`, { cause: e });
    }
    await Deno.rename(part, target);
  }
  return folder;
}
