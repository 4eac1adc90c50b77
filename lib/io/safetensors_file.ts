/**
 * Safetensors files on disk and TensorFlow.js tensors: read and write files, convert decoded tensors to and from
 * `tf.Tensor`s (the byte format itself is in `safetensors.ts`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  decodeSafetensors,
  type DecodeSafetensorsOptions,
  encodeSafetensors,
  type SafetensorsFile,
  type SafetensorsInput,
  type SafetensorsTensor,
} from "./safetensors.ts";

/**
 * Reads and decodes a safetensors file.
 *
 * @param path The file.
 * @param options A filter on tensor names (the source in messages is the path).
 * @returns The tensors and the metadata, as {@link decodeSafetensors} gives them.
 * @throws {Error} If the file cannot be read (the message names the path), and as {@link decodeSafetensors}.
 *
 * @example
 * ```ts
 * import { readSafetensors, writeSafetensors } from "@dpo-kernels/dpo-kernels/io";
 * import assert from "node:assert/strict";
 * const path = (await Deno.makeTempDir()) + "/t.safetensors";
 * await writeSafetensors(path, { w: { data: [0.5, -1], shape: [2] } });
 * assert.deepEqual([...(await readSafetensors(path)).tensors.get("w")!.data], [0.5, -1]);
 * await Deno.remove(path);
 * ```
 */
export async function readSafetensors(
  path: string,
  options: Omit<DecodeSafetensorsOptions, "source"> = {},
): Promise<SafetensorsFile> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new Error(`${path}: cannot read the safetensors file (${(e as Error).message})`, { cause: e });
  }
  return decodeSafetensors(bytes, { ...options, source: path });
}

/**
 * Encodes tensors and writes them to a file (the whole file at once; wrap it in a temp-dir-and-rename, as the
 * checkpoint code does, where an interrupted write must not clobber a good file).
 *
 * @param path The file to write.
 * @param tensors As for {@link encodeSafetensors}.
 * @param options `metadata`: the `__metadata__` strings.
 * @returns Once written.
 * @throws As {@link encodeSafetensors}, or if the file cannot be written.
 *
 * @example
 * ```ts
 * import { readSafetensors, writeSafetensors } from "@dpo-kernels/dpo-kernels/io";
 * import assert from "node:assert/strict";
 * const path = (await Deno.makeTempDir()) + "/t.safetensors";
 * await writeSafetensors(path, { n: { data: [3], shape: [] , dtype: "I32" } }, { metadata: { format: "pt" } });
 * const file = await readSafetensors(path);
 * assert.equal(file.tensors.get("n")!.dtype, "I32");
 * assert.equal(file.metadata.format, "pt");
 * await Deno.remove(path);
 * ```
 */
export async function writeSafetensors(
  path: string,
  tensors: ReadonlyMap<string, SafetensorsInput> | Readonly<Record<string, SafetensorsInput>>,
  options: { metadata?: Readonly<Record<string, string>> } = {},
): Promise<void> {
  await Deno.writeFile(path, encodeSafetensors(tensors, options.metadata));
}

/**
 * Makes TensorFlow.js tensors of decoded safetensors (float32 or int32). The caller owns (and disposes) them.
 *
 * @param file A decoded file, or its tensor map.
 * @returns The tensors by name, in the same order.
 *
 * @example
 * ```ts
 * import { decodeSafetensors, encodeSafetensors, tensorsFromSafetensors } from "@dpo-kernels/dpo-kernels/io";
 * import assert from "node:assert/strict";
 * const file = decodeSafetensors(encodeSafetensors({ w: { data: [1, 2, 3, 4, 5, 6], shape: [2, 3] } }));
 * const tensors = tensorsFromSafetensors(file);
 * assert.deepEqual(tensors.get("w")!.shape, [2, 3]);
 * for (const t of tensors.values()) t.dispose();
 * ```
 */
export function tensorsFromSafetensors(
  file: SafetensorsFile | ReadonlyMap<string, SafetensorsTensor>,
): Map<string, tf.Tensor> {
  const map = file instanceof Map ? file : (file as SafetensorsFile).tensors;
  const out = new Map<string, tf.Tensor>();
  for (const [name, t] of map) {
    out.set(name, tf.tensor(t.data, t.shape, t.data instanceof Int32Array ? "int32" : "float32"));
  }
  return out;
}

/**
 * Reads the values of TensorFlow.js tensors for encoding (with `await t.data()`, which every backend supports).
 *
 * @param tensors float32 or int32 (bool becomes I32) tensors by name; a `Map` or a plain object.
 * @returns Values, shapes and dtypes by name, ready for {@link encodeSafetensors}.
 * @throws {TypeError} On a tensor of another dtype (complex64, string).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { safetensorsFromTensors } from "@dpo-kernels/dpo-kernels/io";
 * import assert from "node:assert/strict";
 * const t = tf.tensor([1, 2], [2], "int32");
 * const inputs = await safetensorsFromTensors({ t });
 * assert.equal(inputs.get("t")!.dtype, "I32");
 * t.dispose();
 * ```
 */
export async function safetensorsFromTensors(
  tensors: ReadonlyMap<string, tf.Tensor> | Readonly<Record<string, tf.Tensor>>,
): Promise<Map<string, SafetensorsInput>> {
  const list = tensors instanceof Map
    ? [...tensors.entries()]
    : Object.entries(tensors as Record<string, tf.Tensor>);
  const out = new Map<string, SafetensorsInput>();
  for (const [name, t] of list) {
    if (t.dtype === "float32") {
      out.set(name, { data: (await t.data()) as Float32Array, shape: t.shape, dtype: "F32" });
    } else if (t.dtype === "int32" || t.dtype === "bool") {
      out.set(name, {
        data: Int32Array.from(await t.data() as ArrayLike<number>),
        shape: t.shape,
        dtype: "I32",
      });
    } else {
      throw new TypeError(`tensors["${name}"] must be float32, int32 or bool, got dtype ${t.dtype}`);
    }
  }
  return out;
}

/**
 * Reads a safetensors file into TensorFlow.js tensors.
 *
 * @param path The file.
 * @param options A filter on tensor names.
 * @returns The tensors by name (the caller disposes them) and the metadata.
 * @throws As {@link readSafetensors}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { loadSafetensors, saveSafetensors } from "@dpo-kernels/dpo-kernels/io";
 * import assert from "node:assert/strict";
 * const path = (await Deno.makeTempDir()) + "/t.safetensors";
 * const w = tf.tensor([[1, 2], [3, 4]]);
 * await saveSafetensors(path, { w });
 * const { tensors } = await loadSafetensors(path);
 * assert.deepEqual(await tensors.get("w")!.array(), [[1, 2], [3, 4]]);
 * w.dispose();
 * for (const t of tensors.values()) t.dispose();
 * await Deno.remove(path);
 * ```
 */
export async function loadSafetensors(
  path: string,
  options: Omit<DecodeSafetensorsOptions, "source"> = {},
): Promise<{ tensors: Map<string, tf.Tensor>; metadata: Record<string, string> }> {
  const file = await readSafetensors(path, options);
  return { tensors: tensorsFromSafetensors(file), metadata: file.metadata };
}

/**
 * Writes TensorFlow.js tensors to a safetensors file (F32, or I32 for int32 and bool tensors).
 *
 * @param path The file to write.
 * @param tensors The tensors by name (not disposed).
 * @param options `metadata`: the `__metadata__` strings.
 * @returns Once written.
 * @throws As {@link safetensorsFromTensors} and {@link writeSafetensors}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { readSafetensors, saveSafetensors } from "@dpo-kernels/dpo-kernels/io";
 * import assert from "node:assert/strict";
 * const path = (await Deno.makeTempDir()) + "/t.safetensors";
 * const b = tf.zeros([3]);
 * await saveSafetensors(path, new Map([["b", b]]));
 * assert.deepEqual((await readSafetensors(path)).tensors.get("b")!.shape, [3]);
 * b.dispose();
 * await Deno.remove(path);
 * ```
 */
export async function saveSafetensors(
  path: string,
  tensors: ReadonlyMap<string, tf.Tensor> | Readonly<Record<string, tf.Tensor>>,
  options: { metadata?: Readonly<Record<string, string>> } = {},
): Promise<void> {
  await writeSafetensors(path, await safetensorsFromTensors(tensors), options);
}
