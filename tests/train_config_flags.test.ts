// The configuration is declared once (lib/train/config_fields.ts); the CLI's flags, its --help and the setter
// are derived from it. These tests hold the derivation to its promise: every field has a flag that --help
// lists and that lands on that field, and the resolved defaults are the table's.
import { helpText } from "../lib/cli/train.ts";
import { configFlags, configHelpLines, setConfigFlags } from "../lib/train/config_flags.ts";
import type { FlagKind } from "../lib/train/config_field.ts";
import {
  resolveTrainConfig,
  TRAIN_CONFIG_FIELDS,
  TRAIN_CONFIG_KEYS,
  type TrainConfig,
} from "../lib/train/config.ts";
import { assert } from "./_assert.ts";

/** A flag's text and the value it must become, per kind. */
const SAMPLES: Readonly<Record<FlagKind, readonly [string | boolean, unknown]>> = {
  string: ["some-name", "some-name"],
  number: ["0.25", 0.25],
  integer: ["7", 7],
  boolean: [true, true],
  clip: ["Infinity", Infinity],
  json: ['{"a":1}', { a: 1 }],
  embedder: ["my/model", { model: "my/model" }],
};

Deno.test("every config field, sub-fields included, has one flag of its own, and --help lists it", () => {
  const flags = configFlags();
  const paths = flags.map((f) => f.path.join("."));
  for (const key of TRAIN_CONFIG_KEYS) assert.ok(paths.includes(key), `config.${key} has no flag`);
  for (const [key, field] of Object.entries(TRAIN_CONFIG_FIELDS)) {
    for (const sub of Object.keys(field.fields ?? {})) {
      assert.ok(paths.includes(`${key}.${sub}`), `config.${key}.${sub} has no flag`);
    }
  }
  const names = flags.map((f) => f.field.flag);
  assert.equal(new Set(names).size, names.length, `a flag is used twice: ${names.join(" ")}`);
  const help = helpText();
  for (const { field } of flags) {
    assert.match(
      help,
      new RegExp(`^ {2}--${field.flag}${field.arg ? ` ${field.arg.replace("|", "\\|")}` : ""} `, "m"),
    );
  }
  assert.equal(configHelpLines().length, flags.length);
  // The flags README and the notebooks use keep their names.
  for (
    const flag of ["data", "out", "eval-data", "loss", "sft-steps", "batch-size", "lr", "resume-weights-only"]
  ) {
    assert.ok(names.includes(flag), `--${flag} is gone`);
  }
});

Deno.test("each flag sets its own field (a sub-field's merges into its object) and nothing else", () => {
  for (const { path, field } of configFlags()) {
    const [text, value] = SAMPLES[field.kind];
    const config = setConfigFlags({ sft: { batchSize: 4 } }, { [field.flag]: text }) as Record<
      string,
      unknown
    >;
    const expected: Record<string, unknown> = { sft: { batchSize: 4 } };
    const [key, sub] = path;
    if (sub === undefined) expected[key] = value;
    else expected[key] = { ...(expected[key] as object | undefined), [sub]: value };
    assert.deepEqual(config, expected, `--${field.flag}`);
  }
});

Deno.test("numeric flags reject what is not a finite number, naming the flag; --grad-clip alone takes Infinity", () => {
  for (const { field } of configFlags()) {
    if (field.kind === "number" || field.kind === "integer") {
      assert.throws(
        () => setConfigFlags({}, { [field.flag]: "Infinity" }),
        new RegExp(`--${field.flag} must be`),
      );
      assert.throws(() => setConfigFlags({}, { [field.flag]: "" }), new RegExp(`--${field.flag} must be`));
    }
    if (field.kind === "integer") {
      assert.throws(
        () => setConfigFlags({}, { [field.flag]: "1.5" }),
        new RegExp(`--${field.flag} must be an integer`),
      );
    }
  }
  assert.throws(() => setConfigFlags({}, { kernels: "{" }), /--kernels must be JSON/);
});

Deno.test("resolved defaults are the table's, and --help shows each plain default", () => {
  const r = resolveTrainConfig({ data: "d.jsonl", out: "o" }) as unknown as Record<string, unknown>;
  const help = helpText();
  for (const { path, field } of configFlags()) {
    const d = field.default;
    if (d === undefined || typeof d === "function" || field.fields !== undefined) continue;
    const [key, sub] = path;
    const value = sub === undefined ? r[key] : (r[key] as Record<string, unknown>)[sub];
    assert.deepEqual(value, d, `config.${path.join(".")}`);
    if (typeof d === "number" || typeof d === "string") {
      if (field.defaultHelp === undefined) {
        assert.match(help, new RegExp(`--${field.flag} .*\\(default ${d}\\)`));
      }
    }
  }
  // Defaults that depend on the loss come from its table entry.
  assert.equal(resolveTrainConfig({ data: "d", out: "o", loss: "hybrid" }).gamma, 0.5);
  assert.equal(resolveTrainConfig({ data: "d", out: "o", loss: "hmk" }).entropyWeight, 0.05);
  assert.equal(resolveTrainConfig({ data: "d", out: "o" }).gamma, 0);
});

Deno.test("the loss settings are one sub-object, collected from the fields the table marks", () => {
  const config: TrainConfig = {
    data: "d",
    out: "o",
    loss: "rbf",
    beta: 0.3,
    labelSmoothing: 0.1,
    kernels: { rbf: { sigma: 2 } },
    divergence: "js",
  };
  assert.deepEqual(resolveTrainConfig(config).lossOptions, {
    loss: "rbf",
    beta: 0.3,
    gamma: 0,
    divergence: "js",
    alpha: 0.75,
    f: "reverse-kl",
    rbf: { sigma: 2 },
    entropyWeight: 0,
    labelSmoothing: 0.1,
    sftWeight: 0,
  });
  // With the explicit regularizer the loss keeps DPO's own reward (the regularizer adds the divergence).
  const explicit = resolveTrainConfig({ ...config, regularizer: "explicit" });
  assert.equal(explicit.lossOptions.divergence, "kl");
  assert.equal(explicit.divergence, "js");
  // Sub-objects are checked by the table too: unknown keys name the nearest, values name the field.
  assert.throws(
    () =>
      resolveTrainConfig({ ...config, wasserstein: { topk: 3 } as unknown as TrainConfig["wasserstein"] }),
    /config.wasserstein.topk.*topK/,
  );
  assert.throws(
    () => resolveTrainConfig({ ...config, wasserstein: { epsilon: 0 } }),
    /config.wasserstein.epsilon/,
  );
  assert.throws(
    () => resolveTrainConfig({ ...config, sft: { learningRate: -1 } }),
    /config.sft.learningRate/,
  );
});
