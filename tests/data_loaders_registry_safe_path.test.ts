import { fileTree } from "./_fixtures.ts";
// Names that become paths (hub revisions, repository ids, dataset subsets and names, names read from
// checkpoints) are checked by one validator, and each entry point refuses an escaping name before it writes or
// reads anything outside its folder.
import { assert } from "./_assert.ts";
import { join } from "node:path";

import { loadDataset } from "../lib/data/loaders/mod.ts";
import { useBackend } from "../lib/model/backend.ts";

await useBackend("cpu");

Deno.test("safe_path: loadDataset refuses an escaping revision or subset before downloading", async () => {
  const root = await Deno.makeTempDir({ prefix: "safe_path_" });
  try {
    const cacheDir = join(root, "x", "cache");
    await Deno.mkdir(cacheDir, { recursive: true });
    let fetched = 0;
    const fetch = (): Promise<Response> => {
      fetched++;
      return Promise.resolve(new Response(""));
    };
    await assert.rejects(
      loadDataset("hh-rlhf-harmless", { split: "test", cacheDir, revision: "v1/../../../escape", fetch }),
      (e: Error) => e instanceof RangeError && e.message.includes("options.revision"),
    );
    await assert.rejects(
      loadDataset("shp-2", { subset: "../../../escape", cacheDir, fetch }),
      (e: Error) => e instanceof RangeError && e.message.includes("options.subset"),
    );
    assert.equal(fetched, 0);
    assert.deepEqual(await fileTree(root), ["x", "x/cache"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
