import * as tf from "@tensorflow/tfjs";
import { BACKENDS, useBackend } from "../lib/model/backend.ts";
import { assert } from "./_assert.ts";

Deno.test("backends: each named one initializes or fails loudly; never a silent fall-back", async () => {
  assert.equal(await useBackend("cpu"), "cpu");
  assert.equal(await useBackend("wasm"), "wasm");
  await assert.rejects(
    () => useBackend("cuda"),
    /backend must be one of wasm, cpu, webgpu, tensorflow, wasm-blas, got "cuda"/,
  );
  // tfjs-node is not installed here: the error names what to install, and tfjs stays where it was.
  await assert.rejects(() => useBackend("tensorflow"), /@tensorflow\/tfjs-node/);
  assert.equal(tf.getBackend(), "wasm");
  assert.deepEqual(Object.keys(BACKENDS), ["wasm", "cpu", "webgpu", "tensorflow", "wasm-blas"]);
  await useBackend("cpu");
});
