import * as tf from "@tensorflow/tfjs";
import { assert } from "./_assert.ts";

import {
  loadSafetensors,
  readSafetensors,
  saveSafetensors,
  writeSafetensors,
} from "../lib/io/safetensors_file.ts";
import { useBackend } from "../lib/model/backend.ts";

await useBackend("cpu");

Deno.test("safetensors: file helpers round-trip tf tensors and name the path on errors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const before = tf.memory().numTensors;
    const w = tf.tensor([[1.5, -2], [3, 4]]);
    const ids = tf.tensor([1, 2, 3], [3], "int32");
    const mask = tf.tensor([true, false], [2], "bool");
    const path = `${dir}/t.safetensors`;
    await saveSafetensors(path, { w, ids, mask }, { metadata: { format: "pt" } });
    const { tensors, metadata } = await loadSafetensors(path);
    assert.deepEqual(metadata, { format: "pt" });
    assert.deepEqual(await tensors.get("w")!.array(), [[1.5, -2], [3, 4]]);
    assert.equal(tensors.get("ids")!.dtype, "int32");
    assert.deepEqual(await tensors.get("ids")!.array(), [1, 2, 3]);
    assert.deepEqual(await tensors.get("mask")!.array(), [1, 0]);
    for (const t of [w, ids, mask, ...tensors.values()]) t.dispose();
    assert.equal(tf.memory().numTensors, before);

    await writeSafetensors(`${dir}/raw.safetensors`, { a: { data: [1, 2], shape: [2] } });
    assert.deepEqual([...(await readSafetensors(`${dir}/raw.safetensors`)).tensors.get("a")!.data], [1, 2]);

    await assert.rejects(
      readSafetensors(`${dir}/missing.safetensors`),
      /missing\.safetensors: cannot read the safetensors file/,
    );
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(`${dir}/cut.safetensors`, bytes.subarray(0, bytes.length - 4));
    await assert.rejects(
      readSafetensors(`${dir}/cut.safetensors`),
      /cut\.safetensors: tensor "mask": data_offsets/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
