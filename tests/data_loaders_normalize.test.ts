// Each dataset's normalizer on a few in-memory rows in that dataset's own format.
import { assert } from "./_assert.ts";
import { cleanPairs, mergeResults, PairCleaner } from "../lib/data/mod.ts";

const texts = (r: { pairs: { prompt: string; chosen: string; rejected: string }[] }) =>
  r.pairs.map((p) => [p.prompt, p.chosen, p.rejected]);

Deno.test("shared rules: strip, drop empty/identical/duplicate, limit", () => {
  const r = cleanPairs([
    { prompt: "  Q ", chosen: "\tA\n", rejected: " B" },
    { prompt: "Q", chosen: "A", rejected: "B" },
    { prompt: "Q", chosen: "X", rejected: "X " },
    { prompt: "   ", chosen: "A", rejected: "B" },
    { prompt: "Q2", chosen: "A", rejected: "B" },
    { prompt: "Q3", chosen: "A", rejected: "B" },
  ], { source: "s", limit: 2 });
  assert.deepEqual(texts(r), [["Q", "A", "B"], ["Q2", "A", "B"]]);
  assert.deepEqual(r.dropped, { duplicate: 1, identical: 1, empty: 1 });
  assert.equal(r.pairs[0]?.source, "s");
  assert.equal(r.pairs[0]?.category, null);
  assert.throws(() => new PairCleaner({ source: "s", category: "chat" as never }), TypeError);
  assert.throws(() => cleanPairs([], { source: "s", limit: -1 }), /options\.limit/);
  const m = mergeResults([r, cleanPairs([{ prompt: "Q", chosen: "A", rejected: "B" }], { source: "s" })]);
  assert.equal(m.pairs.length, 2);
  assert.equal(m.dropped.duplicate, 2);
});
