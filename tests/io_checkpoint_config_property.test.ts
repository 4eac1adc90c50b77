// Property-based tests (fast-check, helpers in _property.ts) for a parser of outside input: a checkpoint's config.json (parseCheckpointConfig).
// For thousands of generated inputs — valid, near-valid and garbage, sizes capped — every failure must be a
// documented error (RangeError, TypeError) naming what is wrong, never an engine error; a success must be well-formed.
import fc from "fast-check";
import { assert } from "./_assert.ts";
import { assertDocumented, jsonish, RUNS, SEED } from "./_property.ts";

import { parseCheckpointConfig } from "../lib/io/checkpoint_config.ts";

import { useBackend } from "../lib/model/backend.ts";

await useBackend("cpu");

Deno.test("property: checkpoint config.json parses to a valid config or throws RangeError/TypeError", () => {
  const positive = fc.oneof(fc.integer({ min: 1, max: 64 }), index());
  function index() {
    return fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 2 ** 53, 1e308, "8", null, true, [8]));
  }
  const gpt = fc.oneof(
    fc.record(
      {
        vocabSize: positive,
        contextLength: positive,
        dModel: positive,
        layers: positive,
        heads: positive,
        layerNormEpsilon: fc.oneof(fc.double(), fc.constantFrom(1e-5, "1e-5", 0, null, true)),
      },
      { requiredKeys: [] },
    ),
    jsonish,
  );
  const tokenizer = fc.oneof(
    fc.record(
      {
        name: fc.oneof(
          fc.constantFrom("byte", "gpt2", "owner/name", "../x", "/abs", "a\\b", "a//b", "", "tok/dir"),
          jsonish,
        ),
        vocabSize: positive,
        eosId: fc.oneof(positive, fc.constant(undefined)),
      },
      { requiredKeys: [] },
    ),
    jsonish,
  );
  const block = fc.oneof(
    fc.record(
      { format_version: fc.oneof(fc.constantFrom(1, 2, 0, "1", null), fc.double()), gpt, tokenizer },
      { requiredKeys: [] },
    ),
    jsonish,
  );
  const config = fc.oneof(
    { weight: 4, arbitrary: fc.record({ dpo_kernels: block, n_embd: jsonish }, { requiredKeys: [] }) },
    { weight: 1, arbitrary: jsonish },
  );
  fc.assert(
    fc.property(config, (json) => {
      // Through JSON text and back, as the loader reads it (drops undefined, turns -0 into 0).
      const parsed = JSON.parse(JSON.stringify(json) ?? "null");
      try {
        const c = parseCheckpointConfig(parsed, "prop/config.json");
        for (const k of ["vocabSize", "contextLength", "dModel", "layers", "heads"] as const) {
          assert.ok(Number.isInteger(c.config[k]) && c.config[k] >= 1, k);
        }
        assert.ok(c.config.dModel % c.config.heads === 0);
        assert.ok(typeof c.config.layerNormEpsilon === "number" && c.config.layerNormEpsilon > 0);
        assert.ok(Number.isFinite(c.config.layerNormEpsilon));
        if (c.tokenizer !== undefined) {
          assert.equal(typeof c.tokenizer.name, "string");
          assert.ok(!c.tokenizer.name.startsWith("/") && !c.tokenizer.name.split("/").includes(".."));
          assert.ok(Number.isInteger(c.tokenizer.vocabSize) && c.tokenizer.vocabSize >= 1);
        }
      } catch (e) {
        if (e instanceof assert.AssertionError) throw e;
        assertDocumented(e, [RangeError, TypeError], parsed);
        assert.ok((e as Error).message.startsWith("prop/config.json"), (e as Error).message);
      }
    }),
    { numRuns: RUNS, seed: SEED },
  );
});
