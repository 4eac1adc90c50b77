// Each dataset's normalizer on a few in-memory rows in that dataset's own format.
import { assert } from "./_assert.ts";
import { normalizeAlpacaFarm } from "../lib/data/mod.ts";

const texts = (r: { pairs: { prompt: string; chosen: string; rejected: string }[] }) =>
  r.pairs.map((p) => [p.prompt, p.chosen, p.rejected]);

Deno.test("AlpacaFarm: preference 1/2 picks output, others dropped as ties", () => {
  const r = normalizeAlpacaFarm([
    { instruction: "Add.", input: "2 and 2", output_1: "4", output_2: "5", preference: 1 },
    { instruction: "Greet.", input: "", output_1: "hey", output_2: "Hello!", preference: 2 },
    { instruction: "Greet.", input: "", output_1: "a", output_2: "b", preference: null },
  ]);
  assert.deepEqual(texts(r), [["Add.\n\n2 and 2", "4", "5"], ["Greet.", "Hello!", "hey"]]);
  assert.deepEqual(r.dropped, { tie: 1 });
});
