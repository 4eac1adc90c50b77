// Each dataset's normalizer on a few in-memory rows in that dataset's own format.
import { assert } from "./_assert.ts";
import { normalizePrm800k } from "../lib/data/mod.ts";

Deno.test("PRM800K: +1 step vs at most 2 sampled -1 steps per prefix, deterministic", () => {
  const base = { instruction: "Solve x+1=3.", responses: ["Subtract 1."] };
  const rows = [
    { ...base, next_response: "x = 2.", rating: 1n, is_preferred_response: false },
    { ...base, next_response: "So x = 2, done.", rating: 1, is_preferred_response: true },
    { ...base, next_response: "x = 4.", rating: -1 },
    { ...base, next_response: "x = 3.", rating: -1 },
    { ...base, next_response: "x = 1.", rating: -1 },
    { ...base, next_response: "human step", rating: -1, is_human_response: true },
    { ...base, next_response: "meh", rating: 0 },
    { ...base, next_response: "?", rating: null },
    { instruction: "Other", responses: [], next_response: "ok", rating: 1 },
  ];
  const r = normalizePrm800k(rows);
  assert.equal(r.pairs.length, 2);
  for (const p of r.pairs) {
    assert.equal(p.prompt, "Solve x+1=3.\n\nSubtract 1.");
    assert.equal(p.chosen, "So x = 2, done.");
    assert.ok(["x = 4.", "x = 3.", "x = 1."].includes(p.rejected));
    assert.equal(p.category, "reasoning");
  }
  assert.deepEqual(r.dropped, { unused_step: 3, sampled_out: 1, no_contrast: 1 });
  assert.deepEqual(normalizePrm800k(rows).pairs, r.pairs);
  assert.throws(
    () => normalizePrm800k([{ instruction: "x", responses: "y", next_response: "z" }], { file: "p" }),
    {
      message: 'p:1: field "responses" must be an array, got "y"',
    },
  );
});
