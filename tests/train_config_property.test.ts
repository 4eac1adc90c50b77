// Property-based tests (fast-check, helpers in _property.ts) for a parser of outside input: the training configuration, `--config` JSON (resolveTrainConfig).
// For thousands of generated inputs — valid, near-valid and garbage, sizes capped — every failure must be a
// documented error (RangeError, TypeError) naming what is wrong, never an engine error; a success must be well-formed.
import fc from "fast-check";
import { assert } from "./_assert.ts";
import { assertDocumented, awkwardKey, jsonish, RUNS, SEED } from "./_property.ts";

import { resolveTrainConfig, TRAIN_CONFIG_KEYS, type TrainConfig } from "../lib/train/config.ts";
import { useBackend } from "../lib/model/backend.ts";

await useBackend("cpu");

Deno.test("property: resolveTrainConfig on --config JSON accepts or throws RangeError/TypeError", () => {
  const number = fc.oneof(
    fc.integer({ min: -2, max: 300 }),
    fc.double(),
    fc.constantFrom(0, 1, 0.5, 1e9, 1e300, -1, "1", null, true),
  );
  const value = fc.oneof(number, jsonish);
  // Every TrainConfig field (the resolver's own list), each given any value.
  const names = [...TRAIN_CONFIG_KEYS];
  const fields = Object.fromEntries(names.map((n) => [n, value]));
  const config = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record(
        {
          ...fields,
          data: fc.oneof(fc.constant("d.jsonl"), value),
          out: fc.oneof(fc.constant("out"), value),
          loss: fc.oneof(fc.constantFrom("dpo", "hybrid", "rbf", "hmk", "ipo"), value),
          divergence: fc.oneof(fc.constantFrom("kl", "js", "renyi", "wasserstein"), value),
          sft: fc.oneof(
            fc.record({ steps: number, learningRate: number, batchSize: number }, { requiredKeys: [] }),
            value,
          ),
        },
        { requiredKeys: [] },
      ),
    },
    { weight: 1, arbitrary: fc.dictionary(awkwardKey, value, { maxKeys: 4 }) },
    { weight: 1, arbitrary: jsonish },
  );
  fc.assert(
    fc.property(config, (raw) => {
      // As `--config` reads it: JSON text parsed.
      const parsed = JSON.parse(JSON.stringify(raw) ?? "null");
      try {
        const r = resolveTrainConfig(parsed as TrainConfig);
        assert.equal(typeof r.loss, "string");
        assert.ok(Number.isInteger(r.steps) && r.steps >= 0);
        assert.ok(Number.isInteger(r.batchSize) && r.batchSize >= 1);
        assert.ok(Number.isFinite(r.learningRate) && r.learningRate > 0);
      } catch (e) {
        if (e instanceof assert.AssertionError) throw e;
        assertDocumented(e, [RangeError, TypeError], parsed);
        assert.match((e as Error).message, /^config\b/);
      }
    }),
    { numRuns: RUNS, seed: SEED },
  );
});
