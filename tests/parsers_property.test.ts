// Property-based tests (fast-check) for the parsers that read what users and other programs write: JSONL
// preference lines, safetensors files, checkpoint config.json and trainer_state.json, and the training
// configuration (`--config` JSON). For thousands of generated inputs each — valid, near-valid and garbage, with
// sizes capped — every failure must be one of the documented errors (RangeError, TypeError, DataLineError)
// with a message that names what is wrong, never an engine error such as "Cannot read properties of
// undefined"; a success must be well-formed. A fixed seed keeps runs reproducible (set FC_SEED to explore).
import fc from "fast-check";
import { assert } from "./_assert.ts";
import { join } from "node:path";
import { DataLineError, parsePreferenceLine } from "../lib/data/preference.ts";
import { decodeSafetensors, encodeSafetensors } from "../lib/io/safetensors.ts";
import { SAFETENSORS_DTYPES } from "../lib/io/safetensors_dtypes.ts";
import { loadCheckpoint, saveCheckpoint } from "../lib/io/checkpoint.ts";
import { CHECKPOINT_FILES, parseCheckpointConfig } from "../lib/io/checkpoint_config.ts";
import { resolveTrainConfig, TRAIN_CONFIG_KEYS, type TrainConfig } from "../lib/train/config.ts";
import { useBackend } from "../lib/model/backend.ts";
import { Gpt } from "../lib/model/gpt.ts";

await useBackend("cpu");

const SEED = Number(Deno.env.get("FC_SEED") ?? 20261205);
const RUNS = 3000;

/** Messages of engine errors: a parser that lets one through has a missing check. */
const ENGINE_ERROR =
  /Cannot read propert|is not a function|is not iterable|(undefined|null) is not an object|Invalid array length|Maximum call stack|is not defined|Cannot convert/;

/** Asserts that `e` is one of the documented error classes with a message naming the problem. */
function assertDocumented(
  e: unknown,
  classes: readonly (new (...args: never[]) => Error)[],
  input: unknown,
): void {
  const ok = classes.some((c) => e instanceof c);
  const message = e instanceof Error ? e.message : String(e);
  if (!ok || ENGINE_ERROR.test(message) || message.length === 0) {
    throw new Error(
      `undocumented error ${(e as Error)?.constructor?.name}: ${message}\ninput: ${
        JSON.stringify(input, (_, v) => (typeof v === "bigint" ? `${v}n` : v))?.slice(0, 500)
      }`,
      { cause: e },
    );
  }
}

/** JSON-ish values with awkward keys, capped in depth and size. */
const awkwardKey = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom("__proto__", "constructor", "toString", "prompt", "chosen", "rejected", "category", ""),
);
const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", maxDepth: 3 },
    fc.constantFrom(null, true, false, 0, -1, 1e308, -0, 0.5, "", "x", "\u0000", "\ud800"),
    fc.double(),
    fc.integer(),
    fc.string({ maxLength: 12 }),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(awkwardKey, tie("value"), { maxKeys: 4 }),
  ),
})).value;

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

Deno.test("property: loadCheckpoint on corrupted config.json and trainer_state.json text", async () => {
  const root = await Deno.makeTempDir({ prefix: "parsers_property_" });
  const model = new Gpt({ vocabSize: 8, contextLength: 4, dModel: 4, layers: 1, heads: 1 }, { seed: 1 });
  try {
    const dir = join(root, "ck");
    await saveCheckpoint(dir, { model, tokenizer: { name: "byte", vocabSize: 8 }, state: { step: 3 } });
    const configPath = join(dir, CHECKPOINT_FILES.config);
    const statePath = join(dir, CHECKPOINT_FILES.state);
    const goodConfig = await Deno.readTextFile(configPath);
    const goodState = await Deno.readTextFile(statePath);
    const edit = fc.record({
      file: fc.constantFrom(configPath, statePath),
      cut: fc.nat(),
      insert: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("{", "]", '"', "\\", "null", "\u0000")),
    });
    await fc.assert(
      fc.asyncProperty(edit, async ({ file, cut, insert }) => {
        const good = file === configPath ? goodConfig : goodState;
        const at = cut % (good.length + 1);
        await Deno.writeTextFile(file, good.slice(0, at) + insert + good.slice(at + 1));
        try {
          const ckpt = await loadCheckpoint(dir);
          for (const w of ckpt.weights.values()) w.dispose();
          for (const w of ckpt.optimizer?.values() ?? []) w.dispose();
        } catch (e) {
          assertDocumented(e, [RangeError, TypeError], { file, at, insert });
          assert.ok((e as Error).message.includes(dir), (e as Error).message);
        } finally {
          await Deno.writeTextFile(file, good);
        }
      }),
      { numRuns: 300, seed: SEED },
    );
  } finally {
    model.dispose();
    await Deno.remove(root, { recursive: true });
  }
});

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
