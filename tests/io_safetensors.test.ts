import { assert, assertAllClose } from "./_assert.ts";
import { decodeSafetensors, encodeSafetensors } from "../lib/io/safetensors.ts";

import { useBackend } from "../lib/model/backend.ts";

await useBackend("cpu");

/** A safetensors file from a header object and raw data bytes; `pad` spaces after the JSON. */
function handMade(header: Record<string, unknown>, data: number[], pad = 0): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header) + " ".repeat(pad));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

Deno.test("safetensors: encode → decode round trip (F32, I32, scalar, empty, metadata)", () => {
  const w = new Float32Array([0.5, -1.25, 3e-8, 1e30, -0, 7]);
  const bytes = encodeSafetensors(
    new Map([
      ["w", { data: w, shape: [2, 3] }],
      ["ids", { data: new Int32Array([-2147483648, 0, 2147483647]), shape: [3] }],
      ["step", { data: [42], shape: [], dtype: "I32" as const }],
      ["empty", { data: [], shape: [0, 4] }],
      ["plain", { data: [0.1, 0.2], shape: [2] }],
    ]),
    { format: "pt", note: "héllo" },
  );
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(headerLength % 8, 0, "data aligned to 8 bytes");
  const file = decodeSafetensors(bytes);
  assert.deepEqual(file.metadata, { format: "pt", note: "héllo" });
  assert.deepEqual([...file.tensors.keys()], ["w", "ids", "step", "empty", "plain"]);
  const tw = file.tensors.get("w")!;
  assert.equal(tw.dtype, "F32");
  assert.deepEqual(tw.shape, [2, 3]);
  assert.ok(tw.data instanceof Float32Array);
  assert.deepEqual([...tw.data], [...w]);
  assert.ok(Object.is(tw.data[4], -0));
  const ids = file.tensors.get("ids")!;
  assert.equal(ids.dtype, "I32");
  assert.ok(ids.data instanceof Int32Array);
  assert.deepEqual([...ids.data], [-2147483648, 0, 2147483647]);
  assert.deepEqual(file.tensors.get("step")!.shape, []);
  assert.deepEqual([...file.tensors.get("step")!.data], [42]);
  assert.deepEqual(file.tensors.get("empty")!.shape, [0, 4]);
  assert.equal(file.tensors.get("empty")!.data.length, 0);
  assertAllClose(file.tensors.get("plain")!.data, [0.1, 0.2], 1e-7);
  // No metadata: no __metadata__ key at all.
  const bare = decodeSafetensors(encodeSafetensors({ x: { data: [1], shape: [1] } }));
  assert.deepEqual(bare.metadata, {});
});

Deno.test("safetensors: F16, BF16, F64, I64, I16, I8, U8, BOOL decode from hand-made bytes", () => {
  // F16: 1.0 = 0x3C00, -2.0 = 0xC000, 65504 = 0x7BFF, smallest subnormal 2^-24 = 0x0001, +Inf = 0x7C00,
  // NaN = 0x7E00, 0.333251953125 = 0x3555.
  const f16 = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x7e00, 0x3555];
  // BF16: 1.0 = 0x3F80, -3.5 = 0xC060, 0x3A83 = 2^-10·(1 + 3/128) = 0.00099945068359375, -Inf = 0xFF80.
  const bf16 = [0x3f80, 0xc060, 0x3a83, 0xff80];
  const data: number[] = [];
  const u16 = (x: number) => data.push(x & 0xff, x >> 8);
  f16.forEach(u16);
  bf16.forEach(u16);
  const f64 = new Uint8Array(new Float64Array([Math.PI, -1e-300]).buffer);
  data.push(...f64);
  const i64 = new Uint8Array(new BigInt64Array([-5n, 2147483647n, -2147483648n]).buffer);
  data.push(...i64);
  const i16 = new Uint8Array(new Int16Array([-300, 300]).buffer);
  data.push(...i16);
  data.push(0xff, 0x7f); // I8: -1, 127
  data.push(0xff, 0x00); // U8: 255, 0
  data.push(1, 0, 1); // BOOL
  let at = 0;
  const span = (bytes: number) => [at, at += bytes];
  const header = {
    __metadata__: { format: "pt" },
    half: { dtype: "F16", shape: [7], data_offsets: span(14) },
    brain: { dtype: "BF16", shape: [2, 2], data_offsets: span(8) },
    double: { dtype: "F64", shape: [2], data_offsets: span(16) },
    long: { dtype: "I64", shape: [3], data_offsets: span(24) },
    short: { dtype: "I16", shape: [2], data_offsets: span(4) },
    byte: { dtype: "I8", shape: [2], data_offsets: span(2) },
    ubyte: { dtype: "U8", shape: [2], data_offsets: span(2) },
    flag: { dtype: "BOOL", shape: [3], data_offsets: span(3) },
  };
  for (const pad of [0, 1, 3]) { // data section at every alignment
    const file = decodeSafetensors(handMade(header, data, pad));
    const half = file.tensors.get("half")!;
    assert.equal(half.dtype, "F16");
    assert.ok(half.data instanceof Float32Array);
    const h = [...half.data];
    assert.deepEqual(h.slice(0, 5), [1, -2, 65504, 2 ** -24, Infinity]);
    assert.ok(Number.isNaN(h[5]));
    assert.equal(h[6], 0.333251953125);
    const brain = file.tensors.get("brain")!;
    assert.deepEqual(brain.shape, [2, 2]);
    assert.deepEqual([...brain.data], [1, -3.5, 0.00099945068359375, -Infinity]);
    assertAllClose(file.tensors.get("double")!.data, [Math.PI, 0], 1e-7);
    const long = file.tensors.get("long")!;
    assert.ok(long.data instanceof Int32Array);
    assert.deepEqual([...long.data], [-5, 2147483647, -2147483648]);
    assert.deepEqual([...file.tensors.get("short")!.data], [-300, 300]);
    assert.deepEqual([...file.tensors.get("byte")!.data], [-1, 127]);
    assert.deepEqual([...file.tensors.get("ubyte")!.data], [255, 0]);
    assert.deepEqual([...file.tensors.get("flag")!.data], [1, 0, 1]);
  }
  // The filter skips tensors (but still validates them).
  const only = decodeSafetensors(handMade(header, data), { filter: (n) => n === "half" });
  assert.deepEqual([...only.tensors.keys()], ["half"]);
});

Deno.test("safetensors: malformed files fail naming the source and the tensor", () => {
  const src = { source: "/models/x.safetensors" };
  const ok = handMade({ w: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, [
    0,
    0,
    128,
    63,
    0,
    0,
    0,
    64,
  ]);
  assert.deepEqual([...decodeSafetensors(ok).tensors.get("w")!.data], [1, 2]);

  assert.throws(() => decodeSafetensors(new Uint8Array(5), src), (e: Error) => {
    assert.ok(e instanceof RangeError);
    assert.match(e.message, /\/models\/x\.safetensors: truncated, 5 bytes/);
    return true;
  });
  const long = new Uint8Array(16);
  new DataView(long.buffer).setBigUint64(0, 1000n, true);
  assert.throws(
    () => decodeSafetensors(long, src),
    /x\.safetensors: header length 1000 runs past the end of the file \(16 bytes\)/,
  );
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 2n ** 63n, true);
  assert.throws(() => decodeSafetensors(huge, src), RangeError);
  // A truncated data section: the last tensor's offsets run past the end.
  assert.throws(
    () => decodeSafetensors(ok.subarray(0, ok.length - 3), src),
    (e: Error) =>
      e instanceof RangeError &&
      /x\.safetensors: tensor "w": data_offsets \[0, 8\] out of range.*5 bytes.*truncated/.test(e.message),
  );
  assert.throws(
    () =>
      decodeSafetensors(
        handMade({ w: { dtype: "F32", shape: [2], data_offsets: [4, 2] } }, [0, 0, 0, 0]),
        src,
      ),
    /tensor "w": data_offsets \[4, 2\] out of range/,
  );
  assert.throws(
    () =>
      decodeSafetensors(
        handMade({ w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, Array(8).fill(0)),
        src,
      ),
    /tensor "w": data_offsets \[0, 8\] hold 8 bytes, but shape \[3\] of F32 needs 12/,
  );
  const overlapping = handMade({
    a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
    b: { dtype: "F32", shape: [1], data_offsets: [4, 8] },
  }, Array(8).fill(0));
  assert.throws(
    () => decodeSafetensors(overlapping, src),
    /tensor "b": data_offsets \[4, 8\] overlap those of "a" \[0, 8\]/,
  );
  assert.throws(
    () =>
      decodeSafetensors(handMade({ q: { dtype: "F8_E4M3", shape: [1], data_offsets: [0, 1] } }, [0]), src),
    (e: Error) =>
      e instanceof TypeError && /x\.safetensors: tensor "q": unknown dtype "F8_E4M3"/.test(e.message),
  );
  assert.throws(
    () => decodeSafetensors(handMade({ w: { dtype: "F32", shape: [-1], data_offsets: [0, 0] } }, []), src),
    /tensor "w": shape must be an array of non-negative integers/,
  );
  assert.throws(
    () => decodeSafetensors(handMade({ w: { dtype: "F32", shape: [1] } }, [0, 0, 0, 0]), src),
    /tensor "w": data_offsets must be two non-negative integers/,
  );
  assert.throws(
    () => decodeSafetensors(handMade({ __metadata__: { n: 1 } }, []), src),
    /__metadata__\["n"\] must be a string/,
  );
  const notJson = new Uint8Array(13);
  new DataView(notJson.buffer).setBigUint64(0, 5n, true);
  notJson.set(new TextEncoder().encode("{oops"), 8);
  assert.throws(
    () => decodeSafetensors(notJson, src),
    (e: Error) => e instanceof TypeError && /not valid UTF-8 JSON/.test(e.message),
  );
  const big = new Uint8Array(new BigInt64Array([2n ** 40n]).buffer);
  assert.throws(
    () =>
      decodeSafetensors(handMade({ n: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, [...big]), src),
    /tensor "n": I64 element 0 does not fit in int32/,
  );
});

Deno.test("safetensors: encode rejects bad input naming the argument", () => {
  assert.throws(
    () => encodeSafetensors({ w: { data: [1, 2, 3], shape: [2, 2] } }),
    /tensors\["w"\]: shape \[2,2\] holds 4 values, got 3/,
  );
  assert.throws(() => encodeSafetensors({ "": { data: [], shape: [0] } }), TypeError);
  assert.throws(() => encodeSafetensors({ __metadata__: { data: [], shape: [0] } }), TypeError);
  assert.throws(
    () => encodeSafetensors({ n: { data: [1.5], shape: [1], dtype: "I32" } }),
    /tensors\["n"\]\.data\[0\] must be an int32 for dtype I32, got 1\.5/,
  );
  assert.throws(
    () => encodeSafetensors({ w: { data: [1], shape: [1], dtype: "F16" as "F32" } }),
    /tensors\["w"\]\.dtype must be "F32" or "I32", got "F16"/,
  );
  assert.throws(
    () => encodeSafetensors({}, { n: 3 as unknown as string }),
    /metadata\["n"\] must be a string/,
  );
});
