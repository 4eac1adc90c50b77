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
import { describe } from "../math/validation.ts";
import { LITTLE_ENDIAN_HOST, SAFETENSORS_DTYPES, type SafetensorsDtype } from "./safetensors_dtypes.ts";

import type { SafetensorsData } from "./safetensors_dtypes.ts";

export type { SafetensorsData };

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
 * import { decodeSafetensors, encodeSafetensors } from "@dpo-kernels/dpo-kernels/io";
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
 * import { encodeSafetensors } from "@dpo-kernels/dpo-kernels/io";
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
