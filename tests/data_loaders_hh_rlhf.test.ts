// Each dataset's normalizer on a few in-memory rows in that dataset's own format.
import { assert } from "./_assert.ts";
import { DataLineError, normalizeHhRlhf } from "../lib/data/mod.ts";

const texts = (r: { pairs: { prompt: string; chosen: string; rejected: string }[] }) =>
  r.pairs.map((p) => [p.prompt, p.chosen, p.rejected]);

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
