// Names that become paths (hub revisions, repository ids, dataset subsets and names, names read from
// checkpoints) are checked by one validator, and each entry point refuses an escaping name before it writes or
// reads anything outside its folder.
import { assert } from "./_assert.ts";
import { join } from "node:path";

import { loadCheckpoint, saveCheckpoint } from "../lib/io/checkpoint.ts";

import { useBackend } from "../lib/model/backend.ts";
import { Gpt } from "../lib/model/gpt.ts";

await useBackend("cpu");

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
