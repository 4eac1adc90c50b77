// Each dataset's normalizer on a few in-memory rows in that dataset's own format.
import { assert } from "./_assert.ts";
import { normalizeChatbotArena2023 } from "../lib/data/mod.ts";

const texts = (r: { pairs: { prompt: string; chosen: string; rejected: string }[] }) =>
  r.pairs.map((p) => [p.prompt, p.chosen, p.rejected]);

Deno.test("Chatbot Arena 2023: winner picks the side, ties and differing histories dropped", () => {
  const q = { role: "user", content: "Hi" };
  const conv = (t: string) => [q, { role: "assistant", content: t }];
  const r = normalizeChatbotArena2023([
    {
      model_a: "a",
      model_b: "b",
      winner: "model_a",
      conversation_a: conv("Hello!"),
      conversation_b: conv("Yo"),
    },
    { winner: "model_b", conversation_a: conv("x"), conversation_b: conv("y") },
    { winner: "tie", conversation_a: conv("x"), conversation_b: conv("z") },
    { winner: "tie (bothbad)", conversation_a: conv("x"), conversation_b: conv("z") },
    {
      winner: "model_a",
      conversation_a: [...conv("first A"), q, { role: "assistant", content: "second A" }],
      conversation_b: [...conv("first B"), q, { role: "assistant", content: "second B" }],
    },
  ]);
  assert.deepEqual(texts(r), [["Hi", "Hello!", "Yo"], ["Hi", "y", "x"]]);
  assert.deepEqual(r.dropped, { tie: 2, prefix_mismatch: 1 });
  assert.throws(
    () =>
      normalizeChatbotArena2023([{ winner: "model_c", conversation_a: [], conversation_b: [] }], {
        file: "t",
      }),
    /t:1: field "winner" must be one of/,
  );
});
