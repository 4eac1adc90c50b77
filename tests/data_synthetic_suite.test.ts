import { assert } from "./_assert.ts";
import {
  CATEGORIES,
  CATEGORY_NAMES,
  generateSuite,
  judge,
  parseSyntheticJsonl,
  readSyntheticJsonl,
  type SyntheticExample,
  toSyntheticJsonl,
} from "../lib/data/mod.ts";
import { DataLineError, readPreferenceJsonl } from "../lib/data/preference.ts";
import { renderReadme, SUITE_FILES } from "../data/generate.ts";
import {
  FACTUALITY_QUESTIONS,
  FORMAT_CONSTRAINTS,
  KNOWLEDGE_QUESTIONS,
  PERSON_NAMES,
  REASONING_TEMPLATES,
  RELATION_NAMES,
  RELATIONS,
  REQUEST_TEMPLATES,
  topicOf,
  TOPICS,
} from "../lib/data/mod.ts";
import { packSequence } from "../lib/train/batch.ts";
import { createRandom } from "../lib/math/random.ts";

const dataFile = (name: string): URL => new URL(`../data/${name}`, import.meta.url);
const defaults = generateSuite();
const everything = [...defaults.train, ...defaults.test];

Deno.test("suite: the same seed gives byte-identical output, another seed differs", () => {
  const a = generateSuite({ seed: 3, perCategory: 40 });
  const b = generateSuite({ seed: 3, perCategory: 40 });
  const c = generateSuite({ seed: 4, perCategory: 40 });
  assert.equal(toSyntheticJsonl(a.train), toSyntheticJsonl(b.train));
  assert.equal(toSyntheticJsonl(a.test), toSyntheticJsonl(b.test));
  assert.deepEqual(a.world, b.world);
  assert.notEqual(toSyntheticJsonl(a.train), toSyntheticJsonl(c.train));
  assert.notDeepEqual(a.world, c.world);
});

Deno.test("suite: the committed data files equal a fresh generation with the default seed", async () => {
  assert.equal(await Deno.readTextFile(dataFile(SUITE_FILES.train)), toSyntheticJsonl(defaults.train));
  assert.equal(await Deno.readTextFile(dataFile(SUITE_FILES.test)), toSyntheticJsonl(defaults.test));
  assert.equal(await Deno.readTextFile(dataFile(SUITE_FILES.readme)), renderReadme(defaults, 0));
});

Deno.test("suite: default sizes, per category and label, and the file budget", () => {
  assert.equal(defaults.train.length, 1250);
  assert.equal(defaults.test.length, 250);
  for (const category of CATEGORY_NAMES) {
    const labels = CATEGORIES[category].labels;
    for (const [split, total] of [[defaults.train, 250], [defaults.test, 50]] as const) {
      const mine = split.filter((e) => e.category === category);
      assert.equal(mine.length, total, category);
      for (const label of labels) {
        // Two-class categories alternate labels: exactly balanced in both splits.
        assert.equal(
          mine.filter((e) => e.label === label).length,
          total / labels.length,
          `${category}/${label}`,
        );
      }
    }
  }
  const bytes = new TextEncoder().encode(toSyntheticJsonl(everything)).length;
  assert.ok(bytes < 300_000, `data files hold ${bytes} bytes`);
});

Deno.test("suite: prompts are distinct across the suite, so train and test share none", () => {
  const train = new Set(defaults.train.map((e) => e.prompt));
  assert.equal(train.size, defaults.train.length);
  assert.ok(defaults.test.every((e) => !train.has(e.prompt)));
  assert.equal(new Set(everything.map((e) => e.prompt)).size, everything.length);
  const small = generateSuite({ seed: 9, perCategory: 30, testFraction: 0.5 });
  const smallTrain = new Set(small.train.map((e) => e.prompt));
  assert.ok(small.test.every((e) => !smallTrain.has(e.prompt)));
});

Deno.test("suite: lengths fit a byte-level context of 64, ASCII only, newline-terminated responses", () => {
  for (const e of everything) {
    assert.ok(e.prompt.length <= 44, `prompt ${JSON.stringify(e.prompt)}`);
    assert.ok(e.chosen.length <= 20 && e.rejected.length <= 20, `responses of ${JSON.stringify(e.prompt)}`);
    assert.ok(e.prompt.length + Math.max(e.chosen.length, e.rejected.length) <= 64);
    // The trainer keeps the whole prompt (its deciding start included) next to the response.
    const prompt = [...new TextEncoder().encode(e.prompt)];
    for (const r of [e.chosen, e.rejected]) {
      assert.equal(packSequence(prompt, [...new TextEncoder().encode(r)], 64).promptLength, prompt.length);
    }
    assert.ok(/^[\x20-\x7e]*$/.test(e.prompt), `prompt ${JSON.stringify(e.prompt)} is printable ASCII`);
    for (const r of [e.chosen, e.rejected]) {
      assert.ok(/^[\x20-\x7e]+\n$/.test(r), `response ${JSON.stringify(r)} is one ASCII line`);
    }
    assert.ok(e.prompt.endsWith(" ") || e.prompt.endsWith("="), `prompt ${JSON.stringify(e.prompt)}`);
    assert.notEqual(e.chosen, e.rejected);
  }
  const mean = everything.reduce((s, e) => s + e.chosen.length + e.rejected.length, 0) /
    (2 * everything.length);
  assert.ok(mean <= 20, `mean response length ${mean}`);
});

Deno.test("suite: every chosen response is preferred and every rejected one is not", () => {
  const check = (examples: readonly SyntheticExample[]): void => {
    for (const e of examples) {
      const chosen = judge(e, e.chosen);
      const rejected = judge(e, e.rejected);
      assert.deepEqual(chosen, { behaviour: e.label, preferred: true }, JSON.stringify(e));
      assert.equal(rejected.preferred, false, JSON.stringify(e));
      assert.notEqual(rejected.behaviour, e.label);
    }
  };
  check(everything);
  const other = generateSuite({ seed: 12345, perCategory: 200 });
  check([...other.train, ...other.test]);
});

Deno.test("suite: two-class categories show both behaviours on their chosen responses", () => {
  for (const category of ["truthfulness", "safety"] as const) {
    const seen = new Set(
      defaults.test.filter((e) => e.category === category).map((e) => judge(e, e.chosen).behaviour),
    );
    assert.deepEqual([...seen].sort(), [...CATEGORIES[category].labels].sort());
  }
});

Deno.test("suite: the sub-kinds of each category all occur in train", () => {
  const field = (category: string, key: string): Set<unknown> =>
    new Set(
      defaults.train.filter((e) => e.category === category).map((e) =>
        (e.check as Record<string, unknown>)[key]
      ),
    );
  assert.deepEqual([...field("factuality", "relation")].sort(), ["city", "color", "pet"]);
  assert.deepEqual([...field("truthfulness", "kind")].sort(), ["known", "stranger", "unstated"]);
  assert.deepEqual(
    [...field("instruction_following", "constraint")].sort(),
    ["end", "json", "lower", "start", "upper", "words"],
  );
  assert.deepEqual([...field("safety", "unsafe")].sort(), [false, true]);
});

/** The multiset of (category, chosen, rejected) keys left unmatched by a swapped partner. */
const unmatched = (examples: readonly SyntheticExample[]): number => {
  const open = new Map<string, number>();
  for (const e of examples) {
    const other = JSON.stringify([e.category, e.rejected, e.chosen]);
    const waiting = open.get(other) ?? 0;
    if (waiting > 0) open.set(other, waiting - 1);
    else {
      const mine = JSON.stringify([e.category, e.chosen, e.rejected]);
      open.set(mine, (open.get(mine) ?? 0) + 1);
    }
  }
  return [...open.values()].reduce((s, v) => s + v, 0);
};

Deno.test("suite: every pair has a twin with its responses swapped, in both splits", () => {
  assert.equal(unmatched(defaults.train), 0);
  assert.equal(unmatched(defaults.test), 0);
  // So every response string is chosen exactly as often as it is rejected in training.
  const balance = new Map<string, number>();
  for (const e of defaults.train) {
    balance.set(e.chosen, (balance.get(e.chosen) ?? 0) + 1);
    balance.set(e.rejected, (balance.get(e.rejected) ?? 0) - 1);
  }
  assert.ok([...balance.values()].every((v) => v === 0));
});

Deno.test("suite: any prompt-blind rule scores exactly ½ on every held-out category", () => {
  const random = createRandom(3);
  const rules: ((a: string, b: string) => number)[] = [
    (a, b) => a.length - b.length,
    (a, b) => (a < b ? 1 : a > b ? -1 : 0),
    ...Array.from({ length: 5 }, () => {
      const table = new Map<string, number>();
      const score = (t: string): number => {
        if (!table.has(t)) table.set(t, random.uniform());
        return table.get(t) as number;
      };
      return (a: string, b: string) => score(a) - score(b);
    }),
  ];
  for (const rule of rules) {
    for (const category of CATEGORY_NAMES) {
      const scores = defaults.test.filter((e) => e.category === category).map((e): number => {
        const s = rule(e.chosen, e.rejected);
        return s > 0 ? 1 : s === 0 ? 0.5 : 0;
      });
      assert.equal(scores.reduce((a, b) => a + b, 0) / scores.length, 0.5, category);
    }
  }
});

Deno.test("suite: the held-out split shares no name, intent, topic, expression or template with training", () => {
  const field = (split: readonly SyntheticExample[], category: string, f: (e: SyntheticExample) => unknown) =>
    new Set(split.filter((e) => e.category === category).map(f));
  const disjoint = (category: string, f: (e: SyntheticExample) => unknown): void => {
    const train = field(defaults.train, category, f);
    const shared = [...field(defaults.test, category, f)].filter((v) => train.has(v));
    assert.deepEqual(shared, [], category);
  };
  const names = (e: SyntheticExample): string =>
    (e.prompt.match(/[A-Z][a-z]+/g) ?? []).filter((w) => PERSON_NAMES.includes(w)).join(",");
  disjoint("factuality", names);
  disjoint("truthfulness", names);
  const trainNames = new Set(defaults.world.train);
  assert.ok(defaults.world.test.every((n) => !trainNames.has(n)));
  for (const e of defaults.test.filter((x) => x.category === "factuality" || x.category === "truthfulness")) {
    assert.ok(names(e).split(",").every((n) => defaults.world.test.includes(n)), e.prompt);
  }
  disjoint("safety", (e) => (e.check as { intent: string }).intent);
  disjoint("reasoning", (e) => (e.check as { expression: string }).expression);
  disjoint("instruction_following", (e) => topicOf(e.prompt)?.task);
  // Template tables: no template, statement or topic in both splits.
  const noOverlap = (table: Readonly<Record<"train" | "test", readonly unknown[]>>, what: string): void => {
    const train = new Set(table.train.map((t) => JSON.stringify(t)));
    assert.ok(table.test.length > 0 && table.test.every((t) => !train.has(JSON.stringify(t))), what);
  };
  noOverlap(REQUEST_TEMPLATES, "request templates");
  noOverlap(REASONING_TEMPLATES, "reasoning templates");
  noOverlap(TOPICS, "topics");
  for (const r of RELATION_NAMES) {
    noOverlap(RELATIONS[r].statements, `${r} statements`);
    noOverlap(FACTUALITY_QUESTIONS[r], `${r} factuality questions`);
    noOverlap(KNOWLEDGE_QUESTIONS[r], `${r} knowledge questions`);
  }
  for (const rule of Object.values(FORMAT_CONSTRAINTS)) noOverlap(rule.templates, "format templates");
  const kinds = [...field(defaults.test, "truthfulness", (e) => (e.check as { kind: string }).kind)].sort();
  assert.deepEqual(kinds, ["known", "stranger", "unstated"]);
});

Deno.test("suite: gibberish is never an answer, help or compliance, for any held-out prompt", () => {
  const gibberish = ["", "qzx vvk", "ZZKQ.", "xq zz!", '{"x":"qqq"}', "Sure, first you...", "Okay."];
  for (const e of defaults.test) {
    for (const g of gibberish) {
      const verdict = judge(e, g);
      assert.equal(verdict.preferred, false, `${JSON.stringify(e.prompt)} ${JSON.stringify(g)}`);
      assert.ok(!["answer", "help", "comply_format"].includes(verdict.behaviour), `${e.prompt} ${g}`);
    }
  }
});

Deno.test("suite: bad options name the option and the value", () => {
  assert.throws(() => generateSuite({ seed: 1.5 }), /options\.seed must be an integer, got 1\.5/);
  assert.throws(
    () => generateSuite({ perCategory: 0 }),
    /options\.perCategory must be an integer >= 1, got 0/,
  );
  assert.throws(
    () => generateSuite({ testFraction: 1 }),
    /options\.testFraction must lie in \[0, 1\), got 1/,
  );
  assert.throws(() => generateSuite({ testFraction: Number.NaN }), RangeError);
  assert.throws(() => generateSuite({ perCategory: 100_000 }), /n must be at most the number of distinct/);
  assert.equal(generateSuite({ perCategory: 4, testFraction: 0 }).test.length, 0);
});

Deno.test("suite: JSONL round trip, and the trainer reads the committed files", async () => {
  const text = toSyntheticJsonl(defaults.test);
  assert.deepEqual(parseSyntheticJsonl(text, "mem.jsonl"), defaults.test);
  assert.deepEqual(await readSyntheticJsonl(dataFile(SUITE_FILES.test).pathname), defaults.test);
  const { examples } = await readPreferenceJsonl(dataFile(SUITE_FILES.train).pathname);
  assert.equal(examples.length, 1250);
  assert.equal(examples[0]?.category, defaults.train[0]?.category);
  assert.equal(examples[0]?.chosen, defaults.train[0]?.chosen);
});

Deno.test("suite: malformed suite lines name the file, the line and the field", () => {
  const good = toSyntheticJsonl(defaults.test.slice(0, 1));
  const line = JSON.parse(good) as Record<string, unknown>;
  const bad = (patch: Record<string, unknown>): string => good + JSON.stringify({ ...line, ...patch }) + "\n";
  assert.throws(() => parseSyntheticJsonl(bad({ category: "poetry" }), "x.jsonl"), (e: unknown) => {
    return e instanceof DataLineError && /x\.jsonl:2: field "category" must be one of/.test(e.message);
  });
  assert.throws(
    () => parseSyntheticJsonl(bad({ label: "refuse", category: "reasoning" }), "x.jsonl"),
    /field "label"/,
  );
  assert.throws(() => parseSyntheticJsonl(bad({ check: [1] }), "x.jsonl"), /field "check" must be an object/);
  assert.throws(() => parseSyntheticJsonl(bad({ chosen: "" }), "x.jsonl"), /x\.jsonl:2/);
  assert.throws(() => parseSyntheticJsonl("{", "x.jsonl"), /x\.jsonl:1: invalid JSON/);
});

Deno.test("judge: an unknown category is a RangeError naming it", () => {
  const e = defaults.test[0] as SyntheticExample;
  assert.throws(
    () => judge({ ...e, category: "poetry" as never }, "x"),
    /example\.category must be one of .*"poetry"/,
  );
  assert.throws(() => judge(e, 42 as unknown as string), /generated must be a string, got 42/);
});
