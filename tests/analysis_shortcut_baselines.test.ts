import { assert } from "./_assert.ts";
import { baselinesTable, responseTokens, SHORTCUT_BASELINES, shortcutBaselines } from "../mod.ts";
import { readPreferenceJsonl } from "../lib/data/preference.ts";

const data = (name: string): string => new URL(`../data/${name}`, import.meta.url).pathname;

Deno.test("shortcut baselines: the committed suite keeps every prompt-blind rule at most 0.55 per category", async () => {
  const train = (await readPreferenceJsonl(data("synthetic_train.jsonl"))).examples;
  const test = (await readPreferenceJsonl(data("synthetic_test.jsonl"))).examples;
  const rows = shortcutBaselines(train, test, { resamples: 200 });
  assert.equal(rows.length, 3 * 6);
  for (const r of rows) {
    assert.ok(r.accuracy <= 0.55, `${r.baseline} on ${r.category}: ${r.accuracy}`);
  }
});

Deno.test("shortcut baselines: each rule finds the shortcut it is built for", () => {
  const pair = (chosen: string, rejected: string, category = "c") => ({ chosen, rejected, category });
  // Frequency: a string that is always rejected in training (v1's compliant openers).
  const frequency = shortcutBaselines(
    [pair("No.\n", "Sure:\n"), pair("Yes.\n", "No.\n"), pair("No.\n", "Yes.\n"), pair("Ok.\n", "Sure:\n")],
    [pair("Yes.\n", "Sure:\n"), pair("Ok.\n", "Sure:\n")],
    { resamples: 50 },
  );
  const get = (rows: ReturnType<typeof shortcutBaselines>, name: string) =>
    rows.find((r) => r.baseline === name && r.category === "c")!.accuracy;
  assert.equal(get(frequency, "frequency"), 1);
  // The rate, not the count: "A" is chosen 3 times but rejected 9 times, "B" chosen once and never rejected.
  const many = [
    ...Array.from({ length: 3 }, () => pair("A\n", "C\n")),
    ...Array.from({ length: 9 }, () => pair("C\n", "A\n")),
    pair("B\n", "D\n"),
  ];
  assert.equal(get(shortcutBaselines(many, [pair("B\n", "A\n")], { resamples: 10 }), "frequency"), 1);
  // Length: the chosen response is always the longer one.
  const length = shortcutBaselines(
    [pair("It is blue.\n", "Red.\n"), pair("It is a cat.\n", "Owl.\n")],
    [pair("Tomra city.\n", "Velk.\n"), pair("Teal green.\n", "An owl.\n")],
    { resamples: 50 },
  );
  assert.equal(get(length, "length"), 1);
  assert.equal(get(length, "frequency"), 0.5, "unseen strings tie");
  // Bag of words: a word that marks the chosen response, in new strings.
  const words = shortcutBaselines(
    [pair("good a\n", "b\n"), pair("good c\n", "d\n"), pair("good e\n", "f\n")],
    [pair("good x\n", "y\n"), pair("good w\n", "z\n")],
    { resamples: 50 },
  );
  assert.equal(get(words, "bag_of_words"), 1);
  assert.equal(get(words, "frequency"), 0.5, "unseen strings tie");
  const rule = SHORTCUT_BASELINES.bag_of_words([pair("good a\n", "b\n"), pair("good c\n", "d\n")]);
  assert.ok(rule("good q\n", "r\n") > 0 && rule("r\n", "good q\n") < 0);
  assert.throws(() => shortcutBaselines([], []), /test must hold at least one pair/);
  assert.throws(
    () => shortcutBaselines([{ chosen: 1 } as never], [pair("a", "b")]),
    /train\[0\] must have string/,
  );
});

Deno.test("shortcut baselines: tokens and the table", () => {
  assert.deepEqual(responseTokens('{"x":"BLUE"} 12!\n'), [
    "{",
    '"',
    "x",
    '"',
    ":",
    '"',
    "BLUE",
    '"',
    "}",
    "12",
    "!",
  ]);
  const table = baselinesTable([
    { baseline: "length", category: "a", accuracy: 0.5, lower: 0.4, upper: 0.6, count: 9 },
    { baseline: "frequency", category: "a", accuracy: 0.25, lower: 0.1, upper: 0.45, count: 9 },
  ]);
  assert.equal(
    table,
    "| category | pairs | length | frequency |\n| --- | --- | --- | --- |\n| a | 9 | 0.500 [0.40, 0.60] | 0.250 [0.10, 0.45] |",
  );
});
