// Names that become paths (hub revisions, repository ids, dataset subsets and names, names read from
// checkpoints) are checked by one validator, and each entry point refuses an escaping name before it writes or
// reads anything outside its folder.
import { assert } from "./_assert.ts";
import { join } from "node:path";

import { resolveLocalDataset } from "../lib/data/loaders/mod.ts";
import { useBackend } from "../lib/model/backend.ts";

await useBackend("cpu");

Deno.test("safe_path: resolveLocalDataset looks up only safe names inside the data folder", async () => {
  const root = await Deno.makeTempDir({ prefix: "safe_path_" });
  try {
    const dataDir = join(root, "data");
    await Deno.mkdir(dataDir);
    await Deno.writeTextFile(join(root, "secret.jsonl"), "{}\n");
    await Deno.writeTextFile(join(dataDir, "mine.jsonl"), "{}\n");
    assert.equal(await resolveLocalDataset("mine", { dataDir }), join(dataDir, "mine.jsonl"));
    // "../secret" exists relative to the data folder, but a name must stay inside it.
    await assert.rejects(resolveLocalDataset("../secret", { dataDir }), /no normalized dataset file found/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
