// Property-based tests (fast-check, helpers in _property.ts) for a parser of outside input: safetensors files (decodeSafetensors, encodeSafetensors).
// For thousands of generated inputs — valid, near-valid and garbage, sizes capped — every failure must be a
// documented error (RangeError, TypeError) naming what is wrong, never an engine error; a success must be well-formed.
import fc from "fast-check";
import { assert } from "./_assert.ts";
import { assertDocumented, awkwardKey, jsonish, RUNS, SEED } from "./_property.ts";

import { decodeSafetensors, encodeSafetensors } from "../lib/io/safetensors.ts";
import { SAFETENSORS_DTYPES } from "../lib/io/safetensors_dtypes.ts";

import { useBackend } from "../lib/model/backend.ts";

await useBackend("cpu");

/** A safetensors file from a header value and a data section (the header's length as given, or a wrong one). */
function fileFrom(header: string, data: Uint8Array, lengthDelta: number): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  const declared = BigInt(Math.max(0, json.length + lengthDelta));
  new DataView(out.buffer).setBigUint64(0, declared, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const DTYPES = [...Object.keys(SAFETENSORS_DTYPES), "F8_E4M3", "U64", "toString", "constructor", "__proto__"];

Deno.test("property: decodeSafetensors decodes well-formed tensors or throws RangeError/TypeError", () => {
  const index = fc.oneof(
    fc.nat(64),
    fc.integer({ min: -4, max: 4 }),
    fc.constantFrom(2 ** 53, 1e300, 0.5, -0),
  );
  const entry = fc.oneof(
    fc.record(
      {
        dtype: fc.oneof(fc.constantFrom(...DTYPES), jsonish),
        shape: fc.oneof(fc.array(index, { maxLength: 4 }), jsonish),
        data_offsets: fc.oneof(fc.tuple(index, index), fc.array(index, { maxLength: 3 }), jsonish),
      },
      { requiredKeys: [] },
    ),
    jsonish,
  );
  const header = fc.oneof(
    fc.dictionary(
      fc.oneof(awkwardKey, fc.constant("__metadata__")),
      fc.oneof(
        entry,
        fc.dictionary(awkwardKey, fc.oneof(fc.string({ maxLength: 6 }), jsonish), { maxKeys: 3 }),
      ),
      { maxKeys: 4 },
    ).map((h) => JSON.stringify(h)),
    jsonish.map((v) => JSON.stringify(v) ?? ""),
    fc.string({ maxLength: 40 }),
  );
  const file = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.tuple(header, fc.uint8Array({ maxLength: 128 }), fc.constantFrom(0, 0, 0, -1, 1, -8, 1e6))
        .map(([h, d, delta]) => fileFrom(h, d, delta)),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  );
  fc.assert(
    fc.property(file, (bytes) => {
      try {
        const { tensors, metadata } = decodeSafetensors(bytes, { source: "prop.safetensors" });
        for (const [name, t] of tensors) {
          const count = t.shape.reduce((a, b) => a * b, 1);
          assert.equal(t.data.length, count, name);
          assert.ok(t.data instanceof Float32Array || t.data instanceof Int32Array, name);
        }
        for (const v of Object.values(metadata)) assert.equal(typeof v, "string");
      } catch (e) {
        if (e instanceof assert.AssertionError) throw e;
        assertDocumented(e, [RangeError, TypeError], [...bytes.subarray(0, 200)]);
        assert.ok((e as Error).message.startsWith("prop.safetensors"), (e as Error).message);
      }
    }),
    { numRuns: RUNS, seed: SEED },
  );
});

Deno.test("property: safetensors round-trips, and any corruption of a valid file is a documented error", () => {
  const name = fc.oneof(
    fc.string({ minLength: 1, maxLength: 8 }).filter((n) => n !== "__metadata__"),
    fc.constantFrom("__proto__", "constructor", "a.b", "é"),
  );
  const tensor = fc.oneof(
    fc.array(fc.nat(3), { maxLength: 3 }).chain((shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      return fc.array(fc.float({ noNaN: true }), { minLength: n, maxLength: n }).map((data) => ({
        data: Float32Array.from(data),
        shape,
      }));
    }),
    fc.array(fc.nat(3), { maxLength: 3 }).chain((shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      return fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: n, maxLength: n }).map((
        data,
      ) => ({ data: Int32Array.from(data), shape }));
    }),
  );
  const tensors = fc.uniqueArray(fc.tuple(name, tensor), { selector: ([n]) => n, maxLength: 4 });
  const metadata = fc.dictionary(
    fc.oneof(fc.string({ maxLength: 6 }), fc.constant("__proto__")),
    fc.string({ maxLength: 6 }),
    { maxKeys: 3 },
  );
  const corruption = fc.oneof(
    fc.constant({ kind: "none" as const }),
    fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }),
  );
  fc.assert(
    fc.property(tensors, metadata, corruption, (list, meta, c) => {
      const bytes = encodeSafetensors(new Map(list), meta);
      if (c.kind === "none") {
        const file = decodeSafetensors(bytes);
        assert.deepEqual([...file.tensors.keys()].sort(), list.map(([n]) => n).sort());
        for (const [n, t] of list) {
          const got = file.tensors.get(n)!;
          assert.deepEqual(got.shape, t.shape);
          assert.deepEqual([...got.data], [...t.data]);
        }
        assert.deepEqual(Object.entries(file.metadata).sort(), Object.entries(meta).sort());
        return;
      }
      const bad = bytes.slice();
      const target = c.kind === "truncate" ? bad.subarray(0, c.at % (bad.length + 1)) : bad;
      if (c.kind === "flip" && bad.length > 0) bad[c.at % bad.length]! ^= c.bits;
      try {
        decodeSafetensors(target, { source: "corrupt.safetensors" });
      } catch (e) {
        assertDocumented(e, [RangeError, TypeError], [...target.subarray(0, 200)]);
      }
    }),
    { numRuns: RUNS, seed: SEED },
  );
});
