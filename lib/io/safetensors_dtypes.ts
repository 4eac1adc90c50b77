/**
 * The dtypes a safetensors file may hold and how each is read: widths, and decoders of little-endian bytes
 * into `Float32Array` (F64, F32, F16, BF16) or `Int32Array` (I64 where it fits, I32, I16, I8, U8, BOOL).
 *
 * @module
 */

/** Values of one decoded tensor: floats as `Float32Array`, integers as `Int32Array`. */
export type SafetensorsData = Float32Array | Int32Array;

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

/** Whether this machine stores numbers little-endian (the file's order), so blocks copy without swapping. */
export const LITTLE_ENDIAN_HOST: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

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
