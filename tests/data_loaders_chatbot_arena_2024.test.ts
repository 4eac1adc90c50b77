// Each dataset's normalizer on a few in-memory rows in that dataset's own format.
import { assert } from "./_assert.ts";
import { normalizeChatbotArena2024 } from "../lib/data/mod.ts";

const texts = (r: { pairs: { prompt: string; chosen: string; rejected: string }[] }) =>
  r.pairs.map((p) => [p.prompt, p.chosen, p.rejected]);

Deno.test("Chatbot Arena 2024: JSON turn lists and 0/1 winner columns", () => {
  const r = normalizeChatbotArena2024([
    {
      prompt: '["Hi", "More?"]',
      response_a: '["Hello", "Sure"]',
      response_b: '["Hello", "No"]',
      winner_model_a: "1",
      winner_model_b: "0",
      winner_tie: "0",
    },
    {
      prompt: '["Q"]',
      response_a: '["a"]',
      response_b: "[null]",
      winner_model_a: 0,
      winner_model_b: 0,
      winner_tie: 1,
    },
    {
      prompt: '["Q"]',
      response_a: '["a"]',
      response_b: "[null]",
      winner_model_a: 1,
      winner_model_b: 0,
      winner_tie: 0,
    },
  ]);
  assert.deepEqual(texts(r), [["Human: Hi\n\nAssistant: Hello\n\nHuman: More?", "Sure", "No"]]);
  assert.deepEqual(r.dropped, { tie: 1, empty: 1 });
  assert.throws(
    () =>
      normalizeChatbotArena2024([{
        prompt: "not json",
        response_a: "[]",
        response_b: "[]",
        winner_model_a: 1,
        winner_model_b: 0,
        winner_tie: 0,
      }], { file: "train.csv" }),
    /train\.csv:1: field "prompt" is not a JSON list/,
  );
});
