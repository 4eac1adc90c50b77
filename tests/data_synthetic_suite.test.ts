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
import { DataLineError, readPreferenceJsonl } from "../lib/train/data.ts";
import { renderReadme, SUITE_FILES } from "../data/generate.ts";

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
    assert.ok(e.prompt.length <= 40, `prompt ${JSON.stringify(e.prompt)}`);
    assert.ok(e.chosen.length <= 24 && e.rejected.length <= 24, `responses of ${JSON.stringify(e.prompt)}`);
    assert.ok(e.prompt.length + Math.max(e.chosen.length, e.rejected.length) <= 64);
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
  assert.deepEqual([...field("truthfulness", "kind")].sort(), ["false_premise", "known", "stranger"]);
  assert.deepEqual(
    [...field("instruction_following", "constraint")].sort(),
    ["end", "json", "lower", "start", "upper", "words"],
  );
  assert.deepEqual([...field("safety", "unsafe")].sort(), [false, true]);
});

Deno.test("suite: most test facts are asked in train with another template", () => {
  const key = (e: SyntheticExample): string => {
    const c = e.check as Record<string, unknown>;
    return `${c.subject}/${c.relation}`;
  };
  const trainFacts = new Set(defaults.train.filter((e) => e.category === "factuality").map(key));
  const test = defaults.test.filter((e) => e.category === "factuality");
  const covered = test.filter((e) => trainFacts.has(key(e))).length;
  assert.ok(covered >= 0.8 * test.length, `${covered} of ${test.length}`);
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
