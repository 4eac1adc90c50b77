// Each dataset's normalizer on a few in-memory rows in that dataset's own format.
import { assert } from "./_assert.ts";
import { normalizeShp } from "../lib/data/mod.ts";

const texts = (r: { pairs: { prompt: string; chosen: string; rejected: string }[] }) =>
  r.pairs.map((p) => [p.prompt, p.chosen, p.rejected]);

Deno.test("SHP-2: labels 1 prefers A, 0 prefers B", () => {
  const r = normalizeShp([
    {
      post_id: "p",
      domain: "askscience_train",
      history: "Why?",
      human_ref_A: "A",
      human_ref_B: "B",
      labels: 1,
    },
    { history: "Why?", human_ref_A: "A2", human_ref_B: "B2", labels: 0n },
  ]);
  assert.deepEqual(texts(r), [["Why?", "A", "B"], ["Why?", "B2", "A2"]]);
  assert.throws(
    () =>
      normalizeShp([{ history: "h", human_ref_A: "a", human_ref_B: "b", labels: 2 }], { file: "test.json" }),
    /test\.json:1: field "labels" must be 0 or 1/,
  );
});
