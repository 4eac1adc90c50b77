// Each dataset's normalizer on a few in-memory rows in that dataset's own format.
import { assert } from "./_assert.ts";
import {
  cleanPairs,
  DataLineError,
  mergeResults,
  normalizeAlpacaFarm,
  normalizeCapybara,
  normalizeChatbotArena2023,
  normalizeChatbotArena2024,
  normalizeHelpSteer,
  normalizeHhRlhf,
  normalizeNectar,
  normalizeOrca,
  normalizePrm800k,
  normalizeShp,
  normalizeUltraFeedback,
  PairCleaner,
} from "../lib/data/mod.ts";

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

Deno.test("HH-RLHF: split on the last Assistant turn; prefix mismatch and missing turn dropped", () => {
  const ctx = "\n\nHuman: Hi\n\nAssistant: Hello\n\nHuman: How do I hurt someone?";
  const r = normalizeHhRlhf([
    { chosen: `${ctx}\n\nAssistant: I won't help with that.`, rejected: `${ctx}\n\nAssistant: Like this.` },
    { chosen: "\n\nHuman: A\n\nAssistant: x", rejected: "\n\nHuman: B\n\nAssistant: y" },
    { chosen: "no marker", rejected: "\n\nHuman: B\n\nAssistant: y" },
    { chosen: `${ctx}\n\nAssistant: same`, rejected: `${ctx}\n\nAssistant:  same` },
  ], { source: "hh-rlhf/harmless-base/test", category: "safety" });
  assert.deepEqual(texts(r), [[
    "Human: Hi\n\nAssistant: Hello\n\nHuman: How do I hurt someone?",
    "I won't help with that.",
    "Like this.",
  ]]);
  assert.equal(r.pairs[0]?.category, "safety");
  assert.deepEqual(r.dropped, { prefix_mismatch: 1, no_assistant_turn: 1, identical: 1 });
  assert.equal(r.rows, 4);
  assert.throws(
    () => normalizeHhRlhf([{ chosen: "x" }], { file: "harmless-base/test.jsonl.gz" }),
    (e: unknown) =>
      e instanceof DataLineError && /harmless-base\/test\.jsonl\.gz:1: field "rejected"/.test(e.message),
  );
});

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

Deno.test("AlpacaFarm: preference 1/2 picks output, others dropped as ties", () => {
  const r = normalizeAlpacaFarm([
    { instruction: "Add.", input: "2 and 2", output_1: "4", output_2: "5", preference: 1 },
    { instruction: "Greet.", input: "", output_1: "hey", output_2: "Hello!", preference: 2 },
    { instruction: "Greet.", input: "", output_1: "a", output_2: "b", preference: null },
  ]);
  assert.deepEqual(texts(r), [["Add.\n\n2 and 2", "4", "5"], ["Greet.", "Hello!", "hey"]]);
  assert.deepEqual(r.dropped, { tie: 1 });
});

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

Deno.test("Nectar: ranks 1-3 against a lower rank, seeded", () => {
  const answers = ["a1", "a2", "a3", "a4", "a5", "a6", "a7"].map((answer, i) => ({
    answer,
    model: "m",
    rank: 7 - i, // stored worst-first: "a7" is rank 1
  }));
  const row = {
    prompt: "\n\nHuman: Q\n\nAssistant:",
    answers,
    turns: 1,
    num_responses: 7,
    good_natured: true,
  };
  const r = normalizeNectar([row]);
  assert.deepEqual(r.pairs.map((p) => p.chosen), ["a7", "a6", "a5"]);
  const rank = (t: string) => 8 - Number(t.slice(1));
  for (const p of r.pairs) {
    assert.equal(p.prompt, "Human: Q\n\nAssistant:");
    assert.ok(rank(p.rejected) > rank(p.chosen));
  }
  assert.deepEqual(normalizeNectar([row]).pairs, r.pairs);
  assert.deepEqual(normalizeNectar([{ prompt: "p", answers: [{ answer: "x", rank: 1 }] }]).dropped, {
    no_lower_rank: 1,
  });
});

Deno.test("Orca: system and question joined", () => {
  const r = normalizeOrca([
    { system: "", question: "Q", chosen: "gpt4", rejected: "llama" },
    { system: "You are helpful.", question: "Q", chosen: "gpt4", rejected: "llama" },
  ]);
  assert.deepEqual(texts(r), [["Q", "gpt4", "llama"], ["You are helpful.\n\nQ", "gpt4", "llama"]]);
});

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
