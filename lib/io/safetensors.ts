/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
 * (`{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, …, "__metadata__": {…}}`), then
 * the raw little-endian data, offsets counted from the end of the header.
 *
 * Reading turns every floating dtype (F64, F32, F16, BF16) into a `Float32Array` and every integer dtype (I64,
 * I32, I16, I8, U8, BOOL) into an `Int32Array` (I64 only where every value fits in 32 bits). Writing supports F32
 * and I32, the dtypes TensorFlow.js holds.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { describe } from "../math/validation.ts";

/** Values of one decoded tensor: floats as `Float32Array`, integers as `Int32Array`. */
export type SafetensorsData = Float32Array | Int32Array;

/** One tensor of a safetensors file, decoded. */
export interface SafetensorsTensor {
  /** The dtype as stored in the file (`"F16"`, `"BF16"`, `"I64"`, …). */
  dtype: string;
  /** The shape, `[]` for a scalar. */
  shape: number[];
  /** The values in row-major order. */
  data: SafetensorsData;
}

/** A decoded safetensors file. */
export interface SafetensorsFile {
  /** The tensors, by name, in the order of their data in the file. */
  tensors: Map<string, SafetensorsTensor>;
  /** The `__metadata__` string map (empty when absent). */
  metadata: Record<string, string>;
}

/** A tensor to encode: values and shape; the dtype defaults to I32 for an `Int32Array`, F32 otherwise. */
export interface SafetensorsInput {
  /** The values in row-major order. */
  data: Float32Array | Int32Array | readonly number[];
  /** The shape; its product must equal the number of values. */
  shape: readonly number[];
  /** `"F32"` or `"I32"`. */
  dtype?: "F32" | "I32";
}

/** How one dtype is read: its width in bytes and a decoder of little-endian bytes. */
export interface SafetensorsDtype {
  /** Bytes per element. */
  bytes: number;
  /** What the values become. */
  output: "float32" | "int32";
  /**
   * Decodes `count` elements starting at byte `offset` of `view`.
   *
   * @returns The values, or the index of the first element that does not fit (I64 beyond int32).
   */
  decode(view: DataView, offset: number, count: number): SafetensorsData | { unrepresentable: number };
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** IEEE half → float: sign, 5-bit exponent (bias 15), 10-bit mantissa; subnormals, ±Infinity and NaN. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

let halfValues: Float32Array | undefined;

/** All 65536 halves as floats, built on first use. */
function halfTable(): Float32Array {
  if (halfValues === undefined) {
    halfValues = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfValues[h] = halfToFloat(h);
  }
  return halfValues;
}

function floats(count: number, read: (i: number) => number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = read(i);
  return out;
}

function ints(count: number, read: (i: number) => number): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = read(i);
  return out;
}

/**
 * The dtypes this reader understands, by their safetensors name. Unknown names (F8_*, U16, U32, U64, C64 …) are
 * an error naming the tensor.
 */
export const SAFETENSORS_DTYPES: Readonly<Record<string, SafetensorsDtype>> = Object.freeze({
  F64: {
    bytes: 8,
    output: "float32",
    decode: (v, o, n) => floats(n, (i) => v.getFloat64(o + 8 * i, true)),
  },
  F32: {
    bytes: 4,
    output: "float32",
    decode: (v, o, n) => {
      if (LITTLE_ENDIAN_HOST) {
        // One copy into an aligned buffer: the data section need not start on a 4-byte boundary.
        return new Float32Array(new Uint8Array(v.buffer, v.byteOffset + o, 4 * n).slice().buffer);
      }
      return floats(n, (i) => v.getFloat32(o + 4 * i, true));
    },
  },
  F16: {
    bytes: 2,
    output: "float32",
    decode: (v, o, n) => {
      const table = halfTable();
      return floats(n, (i) => table[v.getUint16(o + 2 * i, true)] as number);
    },
  },
  BF16: {
    bytes: 2,
    output: "float32",
    decode: (v, o, n) => {
      // bfloat16 is the top half of a float32.
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = v.getUint16(o + 2 * i, true) << 16;
      return new Float32Array(bits.buffer);
    },
  },
  I64: {
    bytes: 8,
    output: "int32",
    decode: (v, o, n) => {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const x = v.getBigInt64(o + 8 * i, true);
        if (x > 2147483647n || x < -2147483648n) return { unrepresentable: i };
        out[i] = Number(x);
      }
      return out;
    },
  },
  I32: {
    bytes: 4,
    output: "int32",
    decode: (v, o, n) => ints(n, (i) => v.getInt32(o + 4 * i, true)),
  },
  I16: {
    bytes: 2,
    output: "int32",
    decode: (v, o, n) => ints(n, (i) => v.getInt16(o + 2 * i, true)),
  },
  I8: { bytes: 1, output: "int32", decode: (v, o, n) => ints(n, (i) => v.getInt8(o + i)) },
  U8: { bytes: 1, output: "int32", decode: (v, o, n) => ints(n, (i) => v.getUint8(o + i)) },
  BOOL: { bytes: 1, output: "int32", decode: (v, o, n) => ints(n, (i) => (v.getUint8(o + i) ? 1 : 0)) },
});

/** Options of {@link decodeSafetensors}. */
export interface DecodeSafetensorsOptions {
  /** Where the bytes came from, for error messages (default `"safetensors bytes"`). */
  source?: string;
  /** Decode only the tensors this returns true for (default all); the others are still validated. */
  filter?: (name: string) => boolean;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function isIndex(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}

/**
 * Decodes a safetensors file held in memory.
 *
 * @param bytes The whole file.
 * @param options A source name for messages, and a filter on tensor names.
 * @returns The tensors by name (floats as `Float32Array`, integers as `Int32Array`) and the metadata.
 * @throws {RangeError} On a truncated file, a header length beyond the file, data offsets out of range, overlapping
 * or not matching the shape, or I64 values beyond int32; every message names the source and, where there is one, the
 * tensor.
 * @throws {TypeError} On a header that is not JSON of the expected form, or an unknown dtype.
 *
 * @example
 * ```ts
 * import { decodeSafetensors, encodeSafetensors } from "@dpo-kernels/dpo-kernels/train";
 * import assert from "node:assert/strict";
 * const bytes = encodeSafetensors({ w: { data: [1, 2, 3, 4], shape: [2, 2] } }, { step: "3" });
 * const file = decodeSafetensors(bytes);
 * assert.deepEqual([...file.tensors.get("w")!.data], [1, 2, 3, 4]);
 * assert.deepEqual(file.metadata, { step: "3" });
 * ```
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  options: DecodeSafetensorsOptions = {},
): SafetensorsFile {
  const source = options.source ?? "safetensors bytes";
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`bytes must be a Uint8Array, got ${describe(bytes)}`);
  }
  if (bytes.length < 8) {
    throw new RangeError(
      `${source}: truncated, ${bytes.length} bytes is shorter than the 8-byte header length`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) {
    throw new RangeError(
      `${source}: header length ${headerLength} runs past the end of the file (${bytes.length} bytes); ` +
        "the file is truncated or not safetensors",
    );
  }
  const dataStart = 8 + Number(headerLength);
  const dataLength = bytes.length - dataStart;
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (e) {
    throw new TypeError(`${source}: the header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (!isRecord(header)) {
    throw new TypeError(`${source}: the header must be a JSON object, got ${describe(header)}`);
  }

  const metadata: Record<string, string> = {};
  const rawMeta = header["__metadata__"];
  if (rawMeta !== undefined) {
    if (!isRecord(rawMeta)) throw new TypeError(`${source}: __metadata__ must be an object of strings`);
    for (const [k, v] of Object.entries(rawMeta)) {
      if (typeof v !== "string") {
        throw new TypeError(`${source}: __metadata__["${k}"] must be a string, got ${describe(v)}`);
      }
      // defineProperty: a "__proto__" key is kept as data, not taken for the prototype.
      Object.defineProperty(metadata, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
  }

  const entries: { name: string; dtype: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const where = `${source}: tensor "${name}"`;
    if (!isRecord(info)) throw new TypeError(`${where}: entry must be an object, got ${describe(info)}`);
    const { dtype, shape, data_offsets: offsets } = info;
    if (typeof dtype !== "string") {
      throw new TypeError(`${where}: dtype must be a string, got ${describe(dtype)}`);
    }
    const spec = Object.hasOwn(SAFETENSORS_DTYPES, dtype) ? SAFETENSORS_DTYPES[dtype] : undefined;
    if (spec === undefined) {
      throw new TypeError(
        `${where}: unknown dtype ${describe(dtype)} (supported: ${
          Object.keys(SAFETENSORS_DTYPES).join(", ")
        })`,
      );
    }
    if (!Array.isArray(shape) || !shape.every(isIndex)) {
      throw new TypeError(
        `${where}: shape must be an array of non-negative integers, got ${describe(shape)}`,
      );
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
      throw new TypeError(
        `${where}: data_offsets must be two non-negative integers, got ${describe(offsets)}`,
      );
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataLength) {
      throw new RangeError(
        `${where}: data_offsets [${begin}, ${end}] out of range of the data section (${dataLength} bytes)` +
          (end > dataLength ? "; the file is truncated" : ""),
      );
    }
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end - begin !== count * spec.bytes) {
      throw new RangeError(
        `${where}: data_offsets [${begin}, ${end}] hold ${
          end - begin
        } bytes, but shape [${shape}] of ${dtype} ` +
          `needs ${count * spec.bytes}`,
      );
    }
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }

  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < entries.length; i++) {
    const prev = entries[i - 1]!;
    const cur = entries[i]!;
    if (cur.begin < prev.end) {
      throw new RangeError(
        `${source}: tensor "${cur.name}": data_offsets [${cur.begin}, ${cur.end}] overlap those of "${prev.name}" ` +
          `[${prev.begin}, ${prev.end}]`,
      );
    }
  }
  const tensors = new Map<string, SafetensorsTensor>();
  for (const { name, dtype, shape, begin, end } of entries) {
    if (options.filter !== undefined && !options.filter(name)) continue;
    const spec = SAFETENSORS_DTYPES[dtype] as SafetensorsDtype;
    const data = spec.decode(view, dataStart + begin, (end - begin) / spec.bytes);
    if (!(data instanceof Float32Array || data instanceof Int32Array)) {
      throw new RangeError(
        `${source}: tensor "${name}": ${dtype} element ${data.unrepresentable} does not fit in int32`,
      );
    }
    tensors.set(name, { dtype, shape, data });
  }
  return { tensors, metadata };
}

/**
 * Encodes tensors as a safetensors file: the header (JSON, padded with spaces to a multiple of 8 bytes so that
 * the data is aligned), then each tensor's little-endian bytes in the given order.
 *
 * @param tensors Values, shapes and dtypes (F32 or I32) by name; a `Map` or a plain object.
 * @param metadata The `__metadata__` strings (optional).
 * @returns The file's bytes.
 * @throws {TypeError} On an empty or reserved name, a dtype other than F32/I32, non-integer I32 values, or a
 * non-string metadata value.
 * @throws {RangeError} If a shape's product differs from the number of values.
 *
 * @example
 * ```ts
 * import { encodeSafetensors } from "@dpo-kernels/dpo-kernels/train";
 * import assert from "node:assert/strict";
 * const bytes = encodeSafetensors({ ids: { data: new Int32Array([7, 8]), shape: [2] } });
 * const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
 * assert.equal(headerLength % 8, 0);
 * assert.equal(bytes.length, 8 + headerLength + 8);
 * ```
 */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, SafetensorsInput> | Readonly<Record<string, SafetensorsInput>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const list: [string, SafetensorsInput][] = tensors instanceof Map
    ? [...tensors.entries()]
    : Object.entries(tensors as Record<string, SafetensorsInput>);
  // No prototype: a tensor named "__proto__" is a key like any other, not a prototype to set.
  const header: Record<string, unknown> = Object.create(null);
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") throw new TypeError(`metadata["${k}"] must be a string, got ${describe(v)}`);
    }
    if (Object.keys(metadata).length > 0) header["__metadata__"] = { ...metadata };
  }
  const blocks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of list) {
    if (name === "" || name === "__metadata__") {
      throw new TypeError(`tensors: name must be non-empty and not "__metadata__", got ${describe(name)}`);
    }
    const dtype = t.dtype ?? (t.data instanceof Int32Array ? "I32" : "F32");
    if (dtype !== "F32" && dtype !== "I32") {
      throw new TypeError(`tensors["${name}"].dtype must be "F32" or "I32", got ${describe(dtype)}`);
    }
    if (!Array.isArray(t.shape) || !t.shape.every(isIndex)) {
      throw new RangeError(
        `tensors["${name}"].shape must be non-negative integers, got ${describe(t.shape)}`,
      );
    }
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new RangeError(
        `tensors["${name}"]: shape [${t.shape}] holds ${count} values, got ${t.data.length}`,
      );
    }
    let typed: Float32Array | Int32Array;
    if (dtype === "F32") {
      typed = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
    } else {
      for (let i = 0; i < t.data.length; i++) {
        const x = t.data[i] as number;
        if (!Number.isInteger(x) || x > 2147483647 || x < -2147483648) {
          throw new TypeError(`tensors["${name}"].data[${i}] must be an int32 for dtype I32, got ${x}`);
        }
      }
      typed = t.data instanceof Int32Array ? t.data : Int32Array.from(t.data);
    }
    const block = new Uint8Array(4 * count);
    const view = new DataView(block.buffer);
    if (LITTLE_ENDIAN_HOST) {
      block.set(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength));
    } else {
      for (let i = 0; i < count; i++) {
        if (dtype === "F32") view.setFloat32(4 * i, typed[i] as number, true);
        else view.setInt32(4 * i, typed[i] as number, true);
      }
    }
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + block.length] };
    blocks.push(block);
    offset += block.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

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
 * import { readSafetensors, writeSafetensors } from "@dpo-kernels/dpo-kernels/train";
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
 * import { readSafetensors, writeSafetensors } from "@dpo-kernels/dpo-kernels/train";
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
 * import { decodeSafetensors, encodeSafetensors, tensorsFromSafetensors } from "@dpo-kernels/dpo-kernels/train";
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
 * import { safetensorsFromTensors } from "@dpo-kernels/dpo-kernels/train";
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
 * import { loadSafetensors, saveSafetensors } from "@dpo-kernels/dpo-kernels/train";
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
 * import { readSafetensors, saveSafetensors } from "@dpo-kernels/dpo-kernels/train";
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
