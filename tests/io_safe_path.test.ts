// Names that become paths (hub revisions, repository ids, dataset subsets and names, names read from
// checkpoints) are checked by one validator, and each entry point refuses an escaping name before it writes or
// reads anything outside its folder.
import { assert } from "./_assert.ts";
import { join } from "node:path";
import { assertRecordedName, assertSafeRelativePath, isSafeRelativePath } from "../lib/hub/safe_path.ts";
import { downloadFromHub, hubCacheFolder } from "../lib/hub/hub.ts";
import { loadCheckpoint, saveCheckpoint } from "../lib/io/checkpoint.ts";
import { loadDataset, resolveLocalDataset } from "../lib/data/loaders/mod.ts";
import { useBackend } from "../lib/model/backend.ts";
import { Gpt } from "../lib/model/gpt.ts";

await useBackend("cpu");

const ESCAPES = [
  "v1/../../../escape",
  "..",
  "../x",
  "a/..",
  "/abs",
  "/",
  "C:/windows",
  "a\\..\\b",
  "a//b",
  "a/",
  "./a",
  "",
  "a\u0000b",
  "a b",
];

/** Every file and folder under `dir`, relative. */
async function tree(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(join(dir, prefix))) {
    const rel = prefix === "" ? e.name : `${prefix}/${e.name}`;
    out.push(rel);
    if (e.isDirectory) out.push(...await tree(dir, rel));
  }
  return out.sort();
}

Deno.test("safe_path: the rules, and messages naming the argument and the value", () => {
  for (const ok of ["main", "v1.0", "refs/pr/1", "harmless-base/test.jsonl.gz", "a@b", "x~y+z=w", "gpt2"]) {
    assert.ok(isSafeRelativePath(ok), ok);
    assert.equal(assertSafeRelativePath(ok, "arg"), ok);
  }
  for (const bad of ESCAPES) {
    assert.ok(!isSafeRelativePath(bad), JSON.stringify(bad));
    assert.throws(
      () => assertSafeRelativePath(bad, "options.revision"),
      (e: Error) =>
        e instanceof RangeError && e.message.startsWith("options.revision ") &&
        e.message.includes(JSON.stringify(bad)),
      JSON.stringify(bad),
    );
    assert.throws(() => assertRecordedName(bad, "tokenizer.name"), RangeError, JSON.stringify(bad));
  }
  assert.throws(() => assertSafeRelativePath(3, "x"), TypeError);
  assert.throws(() => assertRecordedName(null, "x"), TypeError);
});

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
    assert.deepEqual(await tree(root), ["a", "a/b", "a/b/cache"]);
    assert.throws(() => hubCacheFolder("gpt2", { cacheDir, revision: "../../x" }), RangeError);
    // A good revision still works and lands inside the cache.
    const folder = await downloadFromHub("gpt2", {
      cacheDir,
      revision: "refs/pr/1",
      files: ["config.json"],
      fetch,
    });
    assert.equal(folder, join(cacheDir, "gpt2@refs/pr/1"));
    assert.deepEqual(await tree(cacheDir), [
      "gpt2@refs",
      "gpt2@refs/pr",
      "gpt2@refs/pr/1",
      "gpt2@refs/pr/1/config.json",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

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
    assert.deepEqual(await tree(root), ["x", "x/cache"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

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

Deno.test("safe_path: a checkpoint's tokenizer name is checked on load and on save", async () => {
  const root = await Deno.makeTempDir({ prefix: "safe_path_" });
  const model = new Gpt({ vocabSize: 16, contextLength: 4, dModel: 8, layers: 1, heads: 2 }, { seed: 1 });
  try {
    const dir = join(root, "ckpt");
    await saveCheckpoint(dir, { model, tokenizer: { name: "gpt2", vocabSize: 16 } });
    const configPath = join(dir, "config.json");
    const original = JSON.parse(await Deno.readTextFile(configPath));
    for (const name of ["../../../etc", "/etc/passwd", "a\\b", "x//y"]) {
      const config = structuredClone(original);
      config.dpo_kernels.tokenizer.name = name;
      await Deno.writeTextFile(configPath, JSON.stringify(config));
      await assert.rejects(
        loadCheckpoint(dir),
        (e: Error) =>
          e instanceof RangeError && e.message.includes("dpo_kernels.tokenizer.name") &&
          e.message.includes(JSON.stringify(name)),
        name,
      );
    }
    const config = structuredClone(original);
    config.dpo_kernels.tokenizer.name = 7;
    await Deno.writeTextFile(configPath, JSON.stringify(config));
    await assert.rejects(loadCheckpoint(dir), TypeError);
    config.dpo_kernels.tokenizer = { name: "byte", vocabSize: -1 };
    await Deno.writeTextFile(configPath, JSON.stringify(config));
    await assert.rejects(loadCheckpoint(dir), /vocabSize/);
    await assert.rejects(
      saveCheckpoint(join(root, "other"), { model, tokenizer: { name: "../x", vocabSize: 16 } }),
      RangeError,
    );
    assert.deepEqual(await tree(root), ["ckpt", "ckpt/config.json", "ckpt/model.safetensors"]);
    // The original record still loads.
    await Deno.writeTextFile(configPath, JSON.stringify(original));
    const ckpt = await loadCheckpoint(dir);
    assert.deepEqual(ckpt.tokenizer, { name: "gpt2", vocabSize: 16 });
    for (const w of ckpt.weights.values()) w.dispose();
  } finally {
    model.dispose();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("safe_path: a tokenizer folder given by absolute path is copied into the checkpoint, not named", async () => {
  const root = await Deno.makeTempDir({ prefix: "safe_path_" });
  const model = new Gpt({ vocabSize: 16, contextLength: 4, dModel: 8, layers: 1, heads: 2 }, { seed: 1 });
  try {
    const tokFolder = join(root, "machine", "specific", "tok");
    await Deno.mkdir(tokFolder, { recursive: true });
    await Deno.writeTextFile(join(tokFolder, "tokenizer.json"), '{"model": {"type": "WordLevel"}}');
    await Deno.writeTextFile(join(tokFolder, "tokenizer_config.json"), "{}");
    const dir = join(root, "ckpt");
    await saveCheckpoint(dir, { model, tokenizer: { name: tokFolder, vocabSize: 16, eosId: 3 } });
    const raw = await Deno.readTextFile(join(dir, "config.json"));
    assert.ok(!raw.includes(root), "config.json names no path of this machine");
    assert.deepEqual(JSON.parse(raw).dpo_kernels.tokenizer, { name: ".", vocabSize: 16, eosId: 3 });
    for (const f of ["tokenizer.json", "tokenizer_config.json"]) {
      assert.equal(await Deno.readTextFile(join(dir, f)), await Deno.readTextFile(join(tokFolder, f)), f);
    }
    // Loaded, the name is the checkpoint's own folder, wherever it now lives.
    const moved = join(root, "elsewhere");
    await Deno.rename(dir, moved);
    const ckpt = await loadCheckpoint(moved);
    assert.deepEqual(ckpt.tokenizer, { name: moved, vocabSize: 16, eosId: 3 });
    // Saving again from that record copies the files again (the folder is absolute now).
    await saveCheckpoint(join(root, "again"), { model, tokenizer: ckpt.tokenizer! });
    assert.equal(
      await Deno.readTextFile(join(root, "again", "tokenizer.json")),
      '{"model": {"type": "WordLevel"}}',
    );
    for (const w of ckpt.weights.values()) w.dispose();
    // An absolute path that holds no tokenizer.json is refused before anything is written.
    await assert.rejects(
      saveCheckpoint(join(root, "bad"), { model, tokenizer: { name: join(root, "nothing"), vocabSize: 16 } }),
      (e: Error) => e instanceof RangeError && e.message.includes("options.tokenizer.name"),
    );
    assert.ok(!(await Deno.stat(join(root, "bad")).then(() => true, () => false)));
  } finally {
    model.dispose();
    await Deno.remove(root, { recursive: true });
  }
});
