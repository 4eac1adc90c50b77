// Each dataset's normalizer on a few in-memory rows in that dataset's own format.
import { assert } from "./_assert.ts";
import { normalizeUltraFeedback } from "../lib/data/mod.ts";

const texts = (r: { pairs: { prompt: string; chosen: string; rejected: string }[] }) =>
  r.pairs.map((p) => [p.prompt, p.chosen, p.rejected]);

Deno.test("UltraFeedback: message lists, ties by score dropped, prompt field preferred", () => {
  const u = { content: "Q?", role: "user" };
  const r = normalizeUltraFeedback([
    {
      prompt: "Q?",
      chosen: [u, { content: "good", role: "assistant" }],
      rejected: [u, { content: "bad", role: "assistant" }],
      score_chosen: 8.5,
      score_rejected: 3,
    },
    {
      chosen: [u, { content: "x", role: "assistant" }],
      rejected: [u, { content: "y", role: "assistant" }],
      score_chosen: 5,
      score_rejected: 5,
    },
  ]);
  assert.deepEqual(texts(r), [["Q?", "good", "bad"]]);
  assert.deepEqual(r.dropped, { tie: 1 });
  assert.throws(
    () => normalizeUltraFeedback([{ chosen: "text", rejected: [] }], { file: "train.parquet" }),
    /train\.parquet:1: field "chosen" must be a list of messages/,
  );
});
