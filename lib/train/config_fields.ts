/**
 * The trainer's configuration declared once: one entry per field of {@link TrainConfig} with its default, its
 * check, its help line and its command-line flag. The validation (`resolveTrainConfig`), the known-key check
 * (`TRAIN_CONFIG_KEYS`), the CLI's flags, its `--help` text and its setter are all derived from this table, so
 * adding a field is one entry here (plus its line in the interface, which `deno check` asks for). An entry
 * reads like a line of `--help`:
 *
 * ```text
 * warmupSteps: field("warmup-steps N", "integer", 10, steps, "linear warmup steps"),
 * //                   flag and arg   parser     default check  help line
 * ```
 *
 * A field that names a table's entry takes `oneOf(TABLE)` as its check (an own-property lookup; `--help`
 * lists the names). Extras go in a last object: `loss: "field"` hands the value to the loss untouched (inside
 * `lossOptions`), `fields` declares an object's sub-fields, `defaultHelp` words a default for `--help`.
 *
 * @module
 */
import { LOSSES, type LossSpec } from "../losses/preference_loss.ts";
import { DEFAULT_BETA, DEFAULT_DIVERGENCE } from "../losses/loss_options.ts";
import { DEFAULT_LOSS } from "../losses/loss_table.ts";
import { BACKENDS } from "../model/backend.ts";
import { DEFAULT_RENYI_ALPHA } from "../divergences/renyi.ts";
import { DIVERGENCE_NAMES, type DivergenceName } from "../divergences/table.ts";
import { DEFAULT_IMPLICIT_F_GENERATOR } from "../losses/implicit_scores.ts";
import { lookup } from "../math/lookup.ts";
import { DEFAULT_HYBRID_EMBEDDER, isHybridEmbedder } from "./frozen_embedder.ts";
import type { TrainConfig } from "./config.ts";
import { type CollapseWarningOptions, validateCollapseWarning } from "./diagnostics.ts";
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

/** The divergences a run can regularize with: every entry of the divergence table. */
export const TRAIN_DIVERGENCES: readonly DivergenceName[] = DIVERGENCE_NAMES;

/** The name of a divergence a run can regularize with. */
export type TrainDivergence = DivergenceName;

/** The table's type: one entry for every field of {@link TrainConfig}, typed by it. */
export type TrainConfigFields = {
  readonly [K in keyof TrainConfig]-?: ConfigField<NonNullable<TrainConfig[K]>>;
};

const steps = must(isInteger(0, MAX_TRAIN_STEPS), `an integer in [0, ${MAX_TRAIN_STEPS}]`);
const batch = must(isInteger(1, MAX_BATCH_SIZE), `an integer in [1, ${MAX_BATCH_SIZE}]`);
const positive = must(isFinite((x) => x > 0), "a finite number > 0");
const nonNegative = must(isFinite((x) => x >= 0), "a finite number >= 0");
const fraction = must(isFinite((x) => x >= 0 && x < 1), "in [0, 1)");
const unit = must(isFinite((x) => x >= 0 && x <= 1), "in [0, 1]");
const belowHalf = must(isFinite((x) => x >= 0 && x < 0.5), "in [0, 0.5)");
const integer = must(Number.isSafeInteger, "an integer");
const object = must(isObject, "an object");
const clip = must((v) => typeof v === "number" && v > 0, "> 0 (Infinity disables clipping)");
const pairs = must(
  (v) => typeof v === "string" ? v.length > 0 : Array.isArray(v),
  "a JSONL path or an array of pairs",
);
const model = must((v) => typeof v === "string" ? v.length > 0 : isObject(v), "a path, hub id or GPT shape");
const embedder = must(
  isHybridEmbedder,
  '"reference", "policy", a local model folder or { model: path or hub id }',
);
const collapse = must((v) => {
  if (v !== false && !isObject(v)) return false;
  try {
    validateCollapseWarning(v as CollapseWarningOptions | false);
    return true;
  } catch {
    return false;
  }
}, "false or { threshold > 0, patience: an integer >= 1 }");
const KERNEL_SCALES = oneOf(names(["fixed", "data"]));
const dir = path("a directory path");
const name = path("a name");
const maybeName = optional(name);
const maybeFolder = optional(path("a checkpoint folder"));
const maybePairs = optional(pairs);
const maybeCount = optional(everyN(1));
const maybePositive = optional(positive);
const DIVERGENCES = oneOf(names(TRAIN_DIVERGENCES));
const REGULARIZERS = oneOf(names(["implicit", "explicit"]));
const BACKEND = oneOf(BACKENDS);
const LOSS = oneOf(LOSSES);
/** A default the loss's table entry holds (γ, η), read from the loss resolved before it. */
const fromLoss = (key: "gamma" | "entropyWeight") => (r: Readonly<Record<string, unknown>>): number =>
  lookup(LOSSES as Readonly<Record<string, LossSpec>>, r.loss, "config.loss")[key];
const LOSS_FIELD = { loss: "field" } as const;

/** The configuration's fields, in the order they are resolved and listed by `--help`. */
export const TRAIN_CONFIG_FIELDS: TrainConfigFields = {
  data: field("data FILE", "string", undefined, pairs, "training pairs (JSONL), required"),
  out: field("out DIR", "string", undefined, dir, "output: metrics, checkpoints, summary; required"),
  evalData: field("eval-data FILE", "string", undefined, maybePairs, "held-out pairs (else: part of --data)"),
  evalFraction: field("eval-fraction X", "number", 0.1, fraction, "held-out part of --data (no --eval-data)"),
  skipBadLines: field("skip-bad-lines", "boolean", false, boolean, "skip malformed data lines, listing them"),
  model: field("model DIR|ID", "string", {}, model, "a GPT-2-family Hugging Face checkpoint or one of ours", {
    defaultHelp: "a fresh small GPT; a shape via --config",
  }),
  tokenizer: field("tokenizer SPEC", "string", undefined, maybeName, "byte | tokenizer folder | hub id"),
  backend: field("backend NAME", "string", "wasm", BACKEND, "TensorFlow.js backend", {
    defaultHelp: "wasm-blas if a BLAS loads, else wasm",
  }),
  seed: field("seed N", "integer", 0, integer, "seed of initialization and data order"),
  sft: field("sft JSON", "json", {}, object, "supervised fine-tuning on chosen responses first", {
    fields: {
      steps: field("sft-steps N", "integer", 100, steps, "SFT steps on chosen responses first (0 skips)"),
      learningRate: field("sft-lr X", "number", 1e-3, positive, "SFT peak learning rate"),
      batchSize: field("sft-batch-size N", "integer", 16, batch, "SFT sequences per step"),
    },
  }),
  steps: field("steps N", "integer", 200, steps, "preference steps"),
  batchSize: field("batch-size N", "integer", 8, batch, "pairs per step"),
  learningRate: field("lr X", "number", 5e-4, positive, "peak learning rate"),
  warmupSteps: field("warmup-steps N", "integer", 10, steps, "linear warmup steps"),
  minLearningRateRatio: field("min-lr-ratio X", "number", 0.1, unit, "cosine floor, a fraction of the peak"),
  weightDecay: field("weight-decay X", "number", 0, nonNegative, "decoupled weight decay (AdamW when > 0)"),
  gradClip: field("grad-clip X", "clip", 1, clip, "global gradient-norm clip (Infinity disables)"),
  loss: field("loss NAME", "string", DEFAULT_LOSS, LOSS, "the loss", LOSS_FIELD),
  beta: field("beta X", "number", DEFAULT_BETA, positive, "β", LOSS_FIELD),
  gamma: field("gamma X", "number", fromLoss("gamma"), nonNegative, "weight of the embedding term", {
    ...LOSS_FIELD,
    defaultHelp: "0.5 for hybrid, else 0",
  }),
  divergence: field(
    "divergence NAME",
    "string",
    DEFAULT_DIVERGENCE,
    DIVERGENCES,
    "the divergence regularizer",
    LOSS_FIELD,
  ),
  // implicit: the f-DPO reward; explicit: α·D between the next-token distributions of policy and reference.
  regularizer: field("regularizer KIND", "string", "implicit", REGULARIZERS, "f-DPO reward or explicit α·D"),
  regularizerWeight: field("regularizer-weight X", "number", 0.1, nonNegative, "explicit regularizer weight"),
  alpha: field("alpha X", "number", DEFAULT_RENYI_ALPHA, positive, "Rényi order / Amari α", LOSS_FIELD),
  f: field("f NAME", "string", DEFAULT_IMPLICIT_F_GENERATOR, name, "f of --divergence f", LOSS_FIELD),
  wasserstein: field("wasserstein JSON", "json", {}, object, "Wasserstein (explicit) options", {
    fields: {
      topK: field("wasserstein-top-k N", "integer", undefined, maybeCount, "Wasserstein: top-k support"),
      epsilon: field("wasserstein-epsilon X", "number", undefined, maybePositive, "Wasserstein: entropic ε"),
      iterations: field("wasserstein-iterations N", "integer", undefined, maybeCount, "max Sinkhorn steps"),
      tolerance: field("wasserstein-tolerance X", "number", undefined, maybePositive, "L1 marginal error"),
    },
  }),
  kernels: field("kernels JSON", "json", {}, object, 'margin shapes\' kernel options ({"rbf":{"sigma":2}})', {
    loss: "spread",
  }),
  entropyWeight: field(
    "entropy-weight X",
    "number",
    fromLoss("entropyWeight"),
    nonNegative,
    "entropy bonus on mixture weights",
    {
      ...LOSS_FIELD,
      defaultHelp: "0.05 for hmk, else 0",
    },
  ),
  mixtureLearningRate: field("mixture-lr X", "number", 0.02, positive, "learning rate of mixture logits"),
  labelSmoothing: field("label-smoothing X", "number", 0, belowHalf, "ε of cDPO and robust", LOSS_FIELD),
  sftWeight: field("sft-weight X", "number", 0, nonNegative, "NLL weight on chosen responses", LOSS_FIELD),
  embedder: field(
    "embedder MODEL",
    "embedder",
    DEFAULT_HYBRID_EMBEDDER,
    embedder,
    "hybrid embedder: reference (frozen SFT reference), policy (trainable) or a model folder",
  ),
  evalEvery: field("eval-every N", "integer", 50, everyN(0), "evaluate every N steps (0: at the end only)"),
  checkpointEvery: field("checkpoint-every N", "integer", 100, everyN(0), "save every N steps (0: final)"),
  resume: field("resume DIR", "string", undefined, maybeFolder, "continue from a checkpoint folder"),
  resumeWeightsOnly: field("resume-weights-only", "boolean", false, boolean, "resume with a fresh optimizer"),
  overwrite: field("overwrite", "boolean", false, boolean, "replace the run already in --out"),
  allowSoftwareGpu: field("allow-software-gpu", "boolean", false, boolean, "webgpu: allow software adapters"),
  finiteCheckEvery: field("finite-check-every N", "integer", 10, everyN(1), "verify weights every N steps"),
  collapseWarning: field(
    "collapse-warning JSON",
    "json",
    {},
    collapse,
    'warn when both log-probs fall: {"threshold":2,"patience":5} (nats/token, steps) or false',
  ),
  kernelScale: field(
    "kernel-scale NAME",
    "string",
    "fixed",
    KERNEL_SCALES,
    "fixed (kernels as given) or data",
  ),
};
