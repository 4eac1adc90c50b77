// Property-based tests (fast-check, helpers in _property.ts) for a parser of outside input: JSONL preference lines (parsePreferenceLine).
// For thousands of generated inputs — valid, near-valid and garbage, sizes capped — every failure must be a
// documented error (RangeError, TypeError, DataLineError) naming what is wrong, never an engine error; a success must be well-formed.
import fc from "fast-check";
import { assert } from "./_assert.ts";
import { assertDocumented, awkwardKey, jsonish, RUNS, SEED } from "./_property.ts";

import { DataLineError, parsePreferenceLine } from "../lib/data/preference.ts";

import { useBackend } from "../lib/model/backend.ts";

await useBackend("cpu");

Deno.test("property: parsePreferenceLine returns a well-formed pair or throws DataLineError", () => {
  const field = fc.oneof(fc.string({ maxLength: 20 }), fc.constant(""), fc.constant(" "), jsonish);
  const pairObject = fc.record(
    { prompt: field, chosen: field, rejected: field, category: fc.oneof(field, fc.constant(null)) },
    { requiredKeys: [] },
  ).chain((o) => fc.dictionary(awkwardKey, jsonish, { maxKeys: 3 }).map((extra) => ({ ...extra, ...o })));
  const line = fc.oneof(
    pairObject.map((o) => JSON.stringify(o)),
    pairObject.chain((o) =>
      fc.nat().map((cut) => {
        const s = JSON.stringify(o);
        return s.slice(0, cut % (s.length + 1)); // truncated line
      })
    ),
    jsonish.map((v) => JSON.stringify(v) ?? "undefined"),
    fc.string({ maxLength: 60 }),
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.constantFrom(
      "",
      " ",
      "[]",
      "[{}]",
      "null",
      '{"__proto__":{"prompt":"p","chosen":"c","rejected":"r"}}',
    ),
  );
  fc.assert(
    fc.property(line, (text) => {
      try {
        const pair = parsePreferenceLine(text, "prop.jsonl", 7);
        for (const k of ["prompt", "chosen", "rejected"] as const) assert.equal(typeof pair[k], "string");
        assert.ok(pair.chosen.length > 0 && pair.rejected.length > 0);
        assert.ok(pair.category === null || typeof pair.category === "string");
      } catch (e) {
        if (e instanceof assert.AssertionError) throw e;
        assertDocumented(e, [DataLineError], text);
        assert.ok((e as Error).message.startsWith("prop.jsonl:7: "), (e as Error).message);
      }
    }),
    { numRuns: RUNS, seed: SEED },
  );
});
