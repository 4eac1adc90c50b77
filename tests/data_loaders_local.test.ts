// The already-normalized local copies: by path, by name inside a data folder, and their line errors.
import { assert } from "./_assert.ts";
import { join } from "node:path";

import { DATA_DIR_ENV, loadLocalDataset } from "../lib/data/mod.ts";

async function withTempDir(f: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "data_loaders_" });
  try {
    await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const sharedDir = (() => {
  try {
    return Deno.env.get(DATA_DIR_ENV);
  } catch {
    return undefined;
  }
})();

Deno.test("loadLocalDataset: by path and by name in a data folder; bad lines name file and line", async () => {
  await withTempDir(async (dir) => {
    const line = (o: unknown) => JSON.stringify(o);
    const path = join(dir, "hh_rlhf_harmless.jsonl");
    await Deno.writeTextFile(
      path,
      [
        line({
          prompt: "Q",
          chosen: "A ",
          rejected: "B",
          source: "hh-rlhf/harmless-base/test",
          category: "safety",
        }),
        "",
        line({
          prompt: "Q",
          chosen: "A",
          rejected: "B",
          source: "hh-rlhf/harmless-base/test",
          category: "safety",
        }),
        line({ prompt: "Q2", chosen: "C", rejected: "D", category: null }),
      ].join("\n") + "\n",
    );
    const byPath = await loadLocalDataset(path);
    assert.deepEqual(byPath.pairs.map((p) => [p.prompt, p.chosen, p.source, p.category]), [
      ["Q", "A", "hh-rlhf/harmless-base/test", "safety"],
      ["Q2", "C", "hh_rlhf_harmless", null],
    ]);
    assert.deepEqual(byPath.dropped, { duplicate: 1 });
    const byName = await loadLocalDataset("hh-rlhf-harmless", { dataDir: dir, limit: 1 });
    assert.equal(byName.files[0], path);
    assert.equal(byName.pairs.length, 1);
    const bad = join(dir, "bad.jsonl");
    await Deno.writeTextFile(
      bad,
      line({ prompt: "Q", chosen: "A", rejected: "B" }) + "\n\n" +
        line({ prompt: "Q", chosen: "A", rejected: "C", category: "chat" }) + "\n",
    );
    await assert.rejects(loadLocalDataset(bad), {
      name: "DataLineError",
      message: `${bad}:3: field "category" must be null or one of factuality, reasoning, truthfulness, ` +
        `safety, instruction_following, got "chat"`,
    });
    await assert.rejects(
      loadLocalDataset("missing-name", { dataDir: dir }),
      /no normalized dataset file found/,
    );
  });
});

Deno.test({
  name: "loadLocalDataset: the shared hh_rlhf_harmless.jsonl (only with DPO_KERNELS_DATA_DIR)",
  ignore: sharedDir === undefined || sharedDir === "",
  fn: async () => {
    const d = await loadLocalDataset("hh-rlhf-harmless");
    assert.equal(d.pairs.length, 2303);
    assert.deepEqual(d.dropped, {});
    assert.ok(d.pairs.every((p) => p.category === "safety" && p.source === "hh-rlhf/harmless-base/test"));
    assert.ok(d.pairs.every((p) => p.prompt.startsWith("Human:")));
  },
});
