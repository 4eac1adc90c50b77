import { fileTree } from "./_fixtures.ts";
// Names that become paths (hub revisions, repository ids, dataset subsets and names, names read from
// checkpoints) are checked by one validator, and each entry point refuses an escaping name before it writes or
// reads anything outside its folder.
import { assert } from "./_assert.ts";
import { join } from "node:path";

import { downloadFromHub, hubCacheFolder } from "../lib/hub/hub.ts";

import { useBackend } from "../lib/model/backend.ts";

await useBackend("cpu");

Deno.test("safe_path: downloadFromHub with an escaping revision writes nothing and throws", async () => {
  const root = await Deno.makeTempDir({ prefix: "safe_path_" });
  try {
    const cacheDir = join(root, "a", "b", "cache");
    await Deno.mkdir(cacheDir, { recursive: true });
    let fetched = 0;
    const fetch = (): Promise<Response> => {
      fetched++;
      return Promise.resolve(new Response("{}"));
    };
    for (const revision of ["v1/../../../escape", "/abs", "a\\b", "x//y"]) {
      await assert.rejects(
        downloadFromHub("gpt2", { cacheDir, revision, files: ["config.json"], fetch }),
        (e: Error) => e instanceof RangeError && e.message.includes("options.revision"),
        revision,
      );
    }
    for (const id of ["../gpt2", "/gpt2", "a/b/c"]) {
      await assert.rejects(downloadFromHub(id, { cacheDir, files: ["config.json"], fetch }), RangeError, id);
    }
    await assert.rejects(
      downloadFromHub("gpt2", { cacheDir, files: ["../../../escape.json"], fetch }),
      (e: Error) => e instanceof RangeError && e.message.includes("options.files"),
    );
    assert.equal(fetched, 0);
    assert.deepEqual(await fileTree(root), ["a", "a/b", "a/b/cache"]);
    assert.throws(() => hubCacheFolder("gpt2", { cacheDir, revision: "../../x" }), RangeError);
    // A good revision still works and lands inside the cache.
    const folder = await downloadFromHub("gpt2", {
      cacheDir,
      revision: "refs/pr/1",
      files: ["config.json"],
      fetch,
    });
    assert.equal(folder, join(cacheDir, "gpt2@refs/pr/1"));
    assert.deepEqual(await fileTree(cacheDir), [
      "gpt2@refs",
      "gpt2@refs/pr",
      "gpt2@refs/pr/1",
      "gpt2@refs/pr/1/config.json",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
