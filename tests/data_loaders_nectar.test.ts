// Each dataset's normalizer on a few in-memory rows in that dataset's own format.
import { assert } from "./_assert.ts";
import { normalizeNectar } from "../lib/data/mod.ts";

Deno.test("Nectar: ranks 1-3 against a lower rank, seeded", () => {
  const answers = ["a1", "a2", "a3", "a4", "a5", "a6", "a7"].map((answer, i) => ({
    answer,
    model: "m",
    rank: 7 - i, // stored worst-first: "a7" is rank 1
  }));
  const row = {
    prompt: "\n\nHuman: Q\n\nAssistant:",
    answers,
    turns: 1,
    num_responses: 7,
    good_natured: true,
  };
  const r = normalizeNectar([row]);
  assert.deepEqual(r.pairs.map((p) => p.chosen), ["a7", "a6", "a5"]);
  const rank = (t: string) => 8 - Number(t.slice(1));
  for (const p of r.pairs) {
    assert.equal(p.prompt, "Human: Q\n\nAssistant:");
    assert.ok(rank(p.rejected) > rank(p.chosen));
  }
  assert.deepEqual(normalizeNectar([row]).pairs, r.pairs);
  assert.deepEqual(normalizeNectar([{ prompt: "p", answers: [{ answer: "x", rank: 1 }] }]).dropped, {
    no_lower_rank: 1,
  });
});
