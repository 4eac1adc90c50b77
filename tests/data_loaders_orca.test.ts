// Each dataset's normalizer on a few in-memory rows in that dataset's own format.
import { assert } from "./_assert.ts";
import { normalizeOrca } from "../lib/data/mod.ts";

const texts = (r: { pairs: { prompt: string; chosen: string; rejected: string }[] }) =>
  r.pairs.map((p) => [p.prompt, p.chosen, p.rejected]);

Deno.test("Orca: system and question joined", () => {
  const r = normalizeOrca([
    { system: "", question: "Q", chosen: "gpt4", rejected: "llama" },
    { system: "You are helpful.", question: "Q", chosen: "gpt4", rejected: "llama" },
  ]);
  assert.deepEqual(texts(r), [["Q", "gpt4", "llama"], ["You are helpful.\n\nQ", "gpt4", "llama"]]);
});
