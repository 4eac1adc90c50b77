import { assert } from "./_assert.ts";
import { join } from "node:path";
import { exists, isFile, readEnv, readJsonFile } from "../lib/hub/files.ts";

Deno.test("exists and isFile: files, folders and missing paths", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "config.json");
    await Deno.writeTextFile(file, "{}");
    assert.equal(await exists(dir), true);
    assert.equal(await exists(file), true);
    assert.equal(await exists(join(dir, "missing")), false);
    assert.equal(await isFile(file), true);
    assert.equal(await isFile(dir), false);
    assert.equal(await isFile(join(dir, "missing")), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readJsonFile: the value, or an error naming the path and what is wrong", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "config.json");
    await Deno.writeTextFile(file, '{"n_layer": 2, "names": ["a"]}');
    assert.deepEqual(await readJsonFile(file), { n_layer: 2, names: ["a"] });
    await Deno.writeTextFile(file, '{"n_layer": ');
    await assert.rejects(readJsonFile(file), (e: unknown) => {
      return e instanceof TypeError && e.message.startsWith(`${file}: not valid JSON (`);
    });
    await assert.rejects(readJsonFile(join(dir, "nope.json")), {
      name: "Error",
      message: `${join(dir, "nope.json")}: no such file`,
    });
    // A folder cannot be read as text: the other read errors say so, naming the path.
    await assert.rejects(readJsonFile(dir), (e: unknown) => {
      return e instanceof Error && !(e instanceof TypeError) && e.message.startsWith(`${dir}: cannot read (`);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readEnv: a set variable's value, undefined when unset", () => {
  Deno.env.set("DPO_KERNELS_TEST_READ_ENV", "x");
  try {
    assert.equal(readEnv("DPO_KERNELS_TEST_READ_ENV"), "x");
  } finally {
    Deno.env.delete("DPO_KERNELS_TEST_READ_ENV");
  }
  assert.equal(readEnv("DPO_KERNELS_TEST_READ_ENV"), undefined);
});
