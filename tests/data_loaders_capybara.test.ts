// Each dataset's normalizer on a few in-memory rows in that dataset's own format.
import { assert } from "./_assert.ts";
import { normalizeCapybara } from "../lib/data/mod.ts";

const texts = (r: { pairs: { prompt: string; chosen: string; rejected: string }[] }) =>
  r.pairs.map((p) => [p.prompt, p.chosen, p.rejected]);

Deno.test("Capybara: multi-turn shared context as transcript; rating ties dropped", () => {
  const ctx = [
    { role: "user", content: "Hi" },
    { role: "assistant", content: "Hello" },
    { role: "user", content: "Joke?" },
  ];
  const r = normalizeCapybara([
    {
      chosen: [...ctx, { role: "assistant", content: "Funny" }],
      rejected: [...ctx, { role: "assistant", content: "Dull" }],
      rating_chosen: 5,
      rating_rejected: 2,
    },
    {
      chosen: [...ctx, { role: "assistant", content: "A" }],
      rejected: [...ctx, { role: "assistant", content: "B" }],
      rating_chosen: 3,
      rating_rejected: 3,
    },
    { chosen: ctx, rejected: ctx, rating_chosen: 5, rating_rejected: 1 },
  ]);
  assert.deepEqual(texts(r), [["Human: Hi\n\nAssistant: Hello\n\nHuman: Joke?", "Funny", "Dull"]]);
  assert.deepEqual(r.dropped, { tie: 1, no_assistant_turn: 1 });
});
