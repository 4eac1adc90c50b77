// Property-based tests (fast-check, helpers in _property.ts) for a parser of outside input: a checkpoint folder's config.json and trainer_state.json text (loadCheckpoint).
// For thousands of generated inputs — valid, near-valid and garbage, sizes capped — every failure must be a
// documented error (RangeError, TypeError) naming what is wrong, never an engine error; a success must be well-formed.
import fc from "fast-check";
import { assert } from "./_assert.ts";
import { assertDocumented, SEED } from "./_property.ts";
import { join } from "node:path";

import { loadCheckpoint, saveCheckpoint } from "../lib/io/checkpoint.ts";
import { CHECKPOINT_FILES } from "../lib/io/checkpoint_config.ts";

import { useBackend } from "../lib/model/backend.ts";
import { Gpt } from "../lib/model/gpt.ts";

await useBackend("cpu");

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
