/**
 * A minimal protobuf writer for ONNX models, enough to build tiny graphs in tests (so the transformers.js
 * loading path runs without a download). It covers only the fields the tests use: ModelProto (ir_version,
 * producer_name, graph, opset_import), GraphProto (node, name, initializer, input, output), NodeProto (input,
 * output, name, op_type, attribute), AttributeProto (int and ints), TensorProto (dims, data_type, name,
 * raw_data) and ValueInfoProto with a tensor type whose dims are named or fixed.
 *
 * Field numbers follow onnx/onnx.proto3.
 *
 * @module
 */

/** ONNX TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT64: 7 } as const;

/** A protobuf message under construction: a list of encoded chunks. */
class Writer {
  readonly #chunks: Uint8Array[] = [];

  #varint(value: bigint | number): void {
    // Negative int64 values are encoded as their 64-bit two's complement (ten bytes).
    let v = BigInt.asUintN(64, BigInt(value));
    const bytes: number[] = [];
    while (v >= 0x80n) {
      bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    bytes.push(Number(v));
    this.#chunks.push(Uint8Array.from(bytes));
  }

  #tag(field: number, wireType: number): void {
    this.#varint((field << 3) | wireType);
  }

  /** A varint field (int32, int64, enum). */
  int(field: number, value: bigint | number): this {
    this.#tag(field, 0);
    this.#varint(value);
    return this;
  }

  /** A length-delimited field holding raw bytes. */
  bytes(field: number, value: Uint8Array): this {
    this.#tag(field, 2);
    this.#varint(value.length);
    this.#chunks.push(value);
    return this;
  }

  /** A string field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** An embedded message field. */
  message(field: number, value: Writer): this {
    return this.bytes(field, value.finish());
  }

  /** The encoded message. */
  finish(): Uint8Array {
    const total = this.#chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let offset = 0;
    for (const c of this.#chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }
}

/** A tensor initializer: float32 or int64 values, stored little-endian in raw_data. */
export interface TensorSpec {
  /** The initializer's name (how nodes refer to it). */
  name: string;
  /** The element type. */
  dataType: (typeof DataType)[keyof typeof DataType];
  /** The shape. */
  dims: readonly number[];
  /** The values, row-major. */
  values: readonly number[];
}

/** A graph input or output: a tensor type with named (symbolic) or fixed dims. */
export interface ValueInfoSpec {
  /** The value's name. */
  name: string;
  /** The element type. */
  elemType: (typeof DataType)[keyof typeof DataType];
  /** Each dim: a number (fixed) or a string (symbolic, e.g. "batch"). */
  shape: readonly (number | string)[];
}

/** A node; attributes are ints or int lists. */
export interface NodeSpec {
  /** The operator, e.g. "Gather". */
  opType: string;
  /** Input value names. */
  inputs: readonly string[];
  /** Output value names. */
  outputs: readonly string[];
  /** Integer attributes (a number is INT, an array is INTS). */
  attributes?: Record<string, number | readonly number[]>;
}

/** A whole model: one graph in the default domain. */
export interface ModelSpec {
  /** The nodes in topological order. */
  nodes: readonly NodeSpec[];
  /** Constant tensors. */
  initializers: readonly TensorSpec[];
  /** Graph inputs. */
  inputs: readonly ValueInfoSpec[];
  /** Graph outputs. */
  outputs: readonly ValueInfoSpec[];
  /** The default-domain opset (default 13). */
  opset?: number;
  /** The IR version (default 8). */
  irVersion?: number;
}

function tensorProto(t: TensorSpec): Writer {
  const w = new Writer();
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.dataType);
  w.string(8, t.name);
  const size = t.dims.reduce((a, b) => a * b, 1);
  if (size !== t.values.length) {
    throw new RangeError(`tensor ${t.name}: dims ${t.dims} hold ${size} values, got ${t.values.length}`);
  }
  const width = t.dataType === DataType.FLOAT ? 4 : 8;
  const raw = new DataView(new ArrayBuffer(size * width));
  t.values.forEach((v, i) => {
    if (t.dataType === DataType.FLOAT) raw.setFloat32(i * 4, v, true);
    else raw.setBigInt64(i * 8, BigInt(v), true);
  });
  w.bytes(9, new Uint8Array(raw.buffer)); // raw_data, little-endian as ONNX requires
  return w;
}

function valueInfoProto(v: ValueInfoSpec): Writer {
  const shape = new Writer();
  for (const d of v.shape) {
    const dim = new Writer();
    if (typeof d === "number") dim.int(1, d); // dim_value
    else dim.string(2, d); // dim_param
    shape.message(1, dim);
  }
  const tensorType = new Writer().int(1, v.elemType).message(2, shape);
  const type = new Writer().message(1, tensorType); // TypeProto.tensor_type
  return new Writer().string(1, v.name).message(2, type);
}

function nodeProto(n: NodeSpec, index: number): Writer {
  const w = new Writer();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, `${n.opType.toLowerCase()}_${index}`);
  w.string(4, n.opType);
  for (const [name, value] of Object.entries(n.attributes ?? {})) {
    const a = new Writer().string(1, name);
    if (typeof value === "number") {
      a.int(3, value).int(20, 2); // i, type = INT
    } else {
      for (const v of value as readonly number[]) a.int(8, v); // ints (unpacked is valid)
      a.int(20, 7); // type = INTS
    }
    w.message(5, a);
  }
  return w;
}

/** Encodes a model as ONNX protobuf bytes. */
export function encodeOnnxModel(spec: ModelSpec): Uint8Array {
  const graph = new Writer();
  spec.nodes.forEach((n, i) => graph.message(1, nodeProto(n, i)));
  graph.string(2, "test_graph");
  for (const t of spec.initializers) graph.message(5, tensorProto(t));
  for (const v of spec.inputs) graph.message(11, valueInfoProto(v));
  for (const v of spec.outputs) graph.message(12, valueInfoProto(v));
  const opset = new Writer().string(1, "").int(2, spec.opset ?? 13);
  return new Writer()
    .int(1, spec.irVersion ?? 8)
    .string(2, "dpo-kernels tests")
    .message(7, graph)
    .message(8, opset)
    .finish();
}
