/**
 * The trainer's configuration declared once: one entry per field of {@link TrainConfig} with its default, its
 * check, its help line and its command-line flag. The validation (`resolveTrainConfig`), the known-key check
 * (`TRAIN_CONFIG_KEYS`), the CLI's flags, its `--help` text and its setter are all derived from this table, so
 * adding a field is one entry here (plus its line in the interface, which `deno check` asks for).
 *
 * @module
 */
import { LOSSES, type LossSpec } from "../losses/preference_loss.ts";
import { BACKENDS } from "../model/backend.ts";
import { DEFAULT_RENYI_ALPHA } from "../divergences/renyi.ts";
import { DEFAULT_IMPLICIT_F_GENERATOR } from "../losses/implicit_scores.ts";
import { lookup } from "../math/lookup.ts";
import type { TrainConfig } from "./config.ts";
import {
  boolean,
  type ConfigField,
  everyN,
  field,
  isFinite,
  isInteger,
  isObject,
  must,
  names,
  oneOf,
  optional,
  path,
} from "./config_field.ts";

/** The largest step count a run accepts (a larger one is a typo, not a plan). */
export const MAX_TRAIN_STEPS = 100_000_000;
/** The largest batch a run accepts (pairs per step). */
export const MAX_BATCH_SIZE = 65_536;

/** The divergences a run can regularize with. */
export const TRAIN_DIVERGENCES = [
  "kl",
  "js",
  "hellinger",
  "renyi",
  "bhattacharyya",
  "wasserstein",
  "f",
] as const;

/** The name of a divergence a run can regularize with. */
export type TrainDivergence = typeof TRAIN_DIVERGENCES[number];

/** The table's type: one entry for every field of {@link TrainConfig}, typed by it. */
export type TrainConfigFields = {
  readonly [K in keyof TrainConfig]-?: ConfigField<NonNullable<TrainConfig[K]>>;
};

const steps = must(isInteger(0, MAX_TRAIN_STEPS), `an integer in [0, ${MAX_TRAIN_STEPS}]`);
const batch = must(isInteger(1, MAX_BATCH_SIZE), `an integer in [1, ${MAX_BATCH_SIZE}]`);
const positive = must(isFinite((x) => x > 0), "a finite number > 0");
const nonNegative = must(isFinite((x) => x >= 0), "a finite number >= 0");
const DIVERGENCES = oneOf(names(TRAIN_DIVERGENCES));
const REGULARIZERS = oneOf(names(["implicit", "explicit"]));
const lossSpec = (r: Readonly<Record<string, unknown>>): LossSpec =>
  lookup(LOSSES as Readonly<Record<string, LossSpec>>, r.loss, "config.loss");
const pathsOrPairs = (v: unknown) => typeof v === "string" ? v.length > 0 : Array.isArray(v);

/** The configuration's fields, in the order they are resolved and listed by `--help`. */
export const TRAIN_CONFIG_FIELDS: TrainConfigFields = {
  data: field(
    "data FILE",
    "string",
    undefined,
    must(pathsOrPairs, "a JSONL path or an array of pairs"),
    "training pairs (JSONL), required",
  ),
  out: field(
    "out DIR",
    "string",
    undefined,
    path("a directory path"),
    "output: metrics.jsonl, checkpoints, summary.json; required",
  ),
  evalData: field(
    "eval-data FILE",
    "string",
    undefined,
    optional(must(pathsOrPairs, "a JSONL path or an array of pairs")),
    "held-out pairs (default: the last --eval-fraction of --data)",
  ),
  evalFraction: field(
    "eval-fraction X",
    "number",
    0.1,
    must(isFinite((x) => x >= 0 && x < 1), "in [0, 1)"),
    "fraction of --data held out without --eval-data (0: none)",
  ),
  skipBadLines: field(
    "skip-bad-lines",
    "boolean",
    false,
    boolean,
    "skip malformed lines of --data and --eval-data (reporting them) instead of failing",
  ),
  model: field(
    "model DIR|ID",
    "string",
    {},
    must((v) => typeof v === "string" ? v.length > 0 : isObject(v), "a path, hub id or shape"),
    "a GPT-2-family Hugging Face checkpoint (folder, hf:ID) or a dpo-kernels checkpoint",
    { defaultHelp: "a fresh small GPT; a shape via --config" },
  ),
  tokenizer: field(
    "tokenizer SPEC",
    "string",
    undefined,
    optional(path("a tokenizer name, folder or hub id")),
    "byte | tokenizer folder | hub id (default: the model's own, else byte)",
  ),
  backend: field("backend NAME", "string", "wasm", oneOf(BACKENDS).check, "TensorFlow.js backend", {
    ...oneOf(BACKENDS),
    defaultHelp: "wasm-blas if a BLAS loads, else wasm",
  }),
  seed: field(
    "seed N",
    "integer",
    0,
    must(Number.isSafeInteger, "an integer"),
    "seed of initialization and data order",
  ),
  sft: field(
    "sft JSON",
    "json",
    {},
    must(isObject, "an object"),
    "supervised fine-tuning on chosen responses first",
    {
      fields: {
        steps: field(
          "sft-steps N",
          "integer",
          100,
          steps,
          "supervised steps on chosen responses first (0 skips SFT)",
        ),
        learningRate: field("sft-lr X", "number", 1e-3, positive, "SFT peak learning rate"),
        batchSize: field("sft-batch-size N", "integer", 16, batch, "SFT sequences per step"),
      },
    },
  ),
  steps: field("steps N", "integer", 200, steps, "preference steps"),
  batchSize: field("batch-size N", "integer", 8, batch, "pairs per step"),
  learningRate: field("lr X", "number", 5e-4, positive, "peak learning rate"),
  warmupSteps: field("warmup-steps N", "integer", 10, steps, "linear warmup steps"),
  minLearningRateRatio: field(
    "min-lr-ratio X",
    "number",
    0.1,
    must(isFinite((x) => x >= 0 && x <= 1), "in [0, 1]"),
    "cosine floor as a fraction of the peak",
  ),
  weightDecay: field("weight-decay X", "number", 0, nonNegative, "decoupled weight decay (AdamW when > 0)"),
  gradClip: field(
    "grad-clip X",
    "clip",
    1,
    must((v) => typeof v === "number" && v > 0, "> 0 (Infinity disables clipping)"),
    "global gradient-norm clip (Infinity disables)",
  ),
  loss: field("loss NAME", "string", "dpo", oneOf(LOSSES).check, "the loss", {
    ...oneOf(LOSSES),
    loss: "field",
  }),
  beta: field("beta X", "number", 0.1, positive, "β", { loss: "field" }),
  gamma: field("gamma X", "number", (r) => lossSpec(r).gamma, nonNegative, "weight of the embedding term", {
    loss: "field",
    defaultHelp: "0.5 for hybrid, else 0",
  }),
  divergence: field("divergence NAME", "string", "kl", DIVERGENCES.check, "the divergence regularizer", {
    ...DIVERGENCES,
    loss: "field",
  }),
  regularizer: field(
    "regularizer KIND",
    "string",
    "implicit",
    REGULARIZERS.check,
    "the regularizer's form (implicit: f-DPO reward; explicit: α·D over next-token distributions)",
    REGULARIZERS,
  ),
  regularizerWeight: field(
    "regularizer-weight X",
    "number",
    0.1,
    nonNegative,
    "weight of the explicit regularizer",
  ),
  alpha: field("alpha X", "number", DEFAULT_RENYI_ALPHA, positive, "Rényi order / Amari α of f:alpha", {
    loss: "field",
  }),
  f: field(
    "f NAME",
    "string",
    DEFAULT_IMPLICIT_F_GENERATOR,
    path("a generator name"),
    "f generator of --divergence f",
    { loss: "field" },
  ),
  wasserstein: field(
    "wasserstein JSON",
    "json",
    {},
    must(isObject, "an object"),
    "Wasserstein (explicit) options",
    {
      fields: {
        topK: field(
          "wasserstein-top-k N",
          "integer",
          undefined,
          optional(everyN(1)),
          "Wasserstein: top-k support",
        ),
        epsilon: field(
          "wasserstein-epsilon X",
          "number",
          undefined,
          optional(positive),
          "Wasserstein: entropic ε",
        ),
        iterations: field(
          "wasserstein-iterations N",
          "integer",
          undefined,
          optional(everyN(1)),
          "Wasserstein: Sinkhorn iteration cap",
        ),
        tolerance: field(
          "wasserstein-tolerance X",
          "number",
          undefined,
          optional(positive),
          "Wasserstein: L1 marginal tolerance",
        ),
      },
    },
  ),
  kernels: field(
    "kernels JSON",
    "json",
    {},
    must(isObject, "an object"),
    'kernel options of the margin shapes ({"rbf":{"sigma":2}})',
    { loss: "spread" },
  ),
  entropyWeight: field(
    "entropy-weight X",
    "number",
    (r) => lossSpec(r).entropyWeight,
    nonNegative,
    "entropy bonus on mixture weights",
    { loss: "field", defaultHelp: "0.05 for hmk, else 0" },
  ),
  mixtureLearningRate: field(
    "mixture-lr X",
    "number",
    0.02,
    positive,
    "learning rate of the kernel-mixture logits",
  ),
  labelSmoothing: field(
    "label-smoothing X",
    "number",
    0,
    must(isFinite((x) => x >= 0 && x < 0.5), "in [0, 0.5)"),
    "label smoothing ε of dpo (cDPO) and robust",
    { loss: "field" },
  ),
  sftWeight: field("sft-weight X", "number", 0, nonNegative, "weight of an NLL term on chosen responses", {
    loss: "field",
  }),
  embedder: field(
    "embedder MODEL",
    "embedder",
    "policy",
    must(
      (v) => v === "policy" || (isObject(v) && typeof (v as { model?: unknown }).model === "string"),
      '"policy" or { model: path or hub id }',
    ),
    "hybrid term's embedder: policy | a transformers.js model folder or hub id",
  ),
  evalEvery: field("eval-every N", "integer", 50, everyN(0), "evaluate every N steps (0: only at the end)"),
  checkpointEvery: field(
    "checkpoint-every N",
    "integer",
    100,
    everyN(0),
    "save a checkpoint every N steps (0: only the final one)",
  ),
  resume: field(
    "resume DIR",
    "string",
    undefined,
    optional(path("a checkpoint folder")),
    "continue from a checkpoint folder (checkpoint-N or checkpoint-sft-N)",
  ),
  resumeWeightsOnly: field(
    "resume-weights-only",
    "boolean",
    false,
    boolean,
    "resume without optimizer.safetensors (the optimizer starts fresh)",
  ),
  overwrite: field(
    "overwrite",
    "boolean",
    false,
    boolean,
    "replace the run already in --out (its metrics, summary and checkpoints)",
  ),
  allowSoftwareGpu: field(
    "allow-software-gpu",
    "boolean",
    false,
    boolean,
    "with --backend webgpu: accept a software adapter (llvmpipe, lavapipe, SwiftShader)",
  ),
  finiteCheckEvery: field(
    "finite-check-every N",
    "integer",
    10,
    everyN(1),
    "check every weight is finite every N preference steps",
  ),
};
