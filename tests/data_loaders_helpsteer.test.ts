// Each dataset's normalizer on a few in-memory rows in that dataset's own format.
import { assert } from "./_assert.ts";
import { normalizeHelpSteer } from "../lib/data/mod.ts";

const texts = (r: { pairs: { prompt: string; chosen: string; rejected: string }[] }) =>
  r.pairs.map((p) => [p.prompt, p.chosen, p.rejected]);

Deno.test("HelpSteer: pairs of responses to one prompt by helpfulness; ties dropped", () => {
  const r = normalizeHelpSteer([
    {
      prompt: "P1",
      response: "r1",
      helpfulness: 2n,
      correctness: 2,
      coherence: 3,
      complexity: 1,
      verbosity: 1,
    },
    {
      prompt: "P1",
      response: "r2",
      helpfulness: 4,
      correctness: 4,
      coherence: 4,
      complexity: 1,
      verbosity: 1,
    },
    {
      prompt: "P1",
      response: "r3",
      helpfulness: 2,
      correctness: 1,
      coherence: 3,
      complexity: 1,
      verbosity: 1,
    },
    { prompt: "P2", response: "only", helpfulness: 3 },
  ]);
  assert.deepEqual(texts(r), [["P1", "r2", "r1"], ["P1", "r2", "r3"]]);
  assert.deepEqual(r.dropped, { tie: 1, single_response: 1 });
  assert.throws(() => normalizeHelpSteer([{ prompt: "P", response: "r" }], { file: "train.jsonl.gz" }), {
    message: 'train.jsonl.gz:1: field "helpfulness" must be a finite number, got undefined',
  });
});
