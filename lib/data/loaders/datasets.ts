/**
 * The preference datasets by name: where each is published on the Hugging Face hub, which files make each
 * split, their format, the normalizer from the dataset's own rows, its category and license, and the name of
 * its already-normalized copy (`{prompt, chosen, rejected, source, category}` per line, such as the files
 * described in `$DPO_KERNELS_DATA_DIR/SOURCES.md`).
 *
 * @module
 */
import type { Normalizer } from "./normalize.ts";
import type { PreferenceCategory } from "../categories.ts";
import type { DataFormat } from "./formats.ts";
import { normalizeHhRlhf } from "./hh_rlhf.ts";
import { normalizeHelpSteer } from "./helpsteer.ts";
import { normalizeChatbotArena2023 } from "./chatbot_arena_2023.ts";
import { normalizeChatbotArena2024 } from "./chatbot_arena_2024.ts";
import { normalizeAlpacaFarm } from "./alpaca_farm.ts";
import { normalizePrm800k } from "./prm800k.ts";
import { normalizeShp } from "./shp.ts";
import { normalizeUltraFeedback } from "./ultrafeedback.ts";
import { normalizeNectar } from "./nectar.ts";
import { normalizeOrca } from "./orca.ts";
import { normalizeCapybara } from "./capybara.ts";

/** The environment variable naming the folder of already-normalized JSONL copies. */
export const DATA_DIR_ENV = "DPO_KERNELS_DATA_DIR";

/** How one dataset is published and normalized. */
export interface DatasetSpec {
  /** The hub dataset id (`https://huggingface.co/datasets/{repo}`). */
  repo: string;
  /** The files of each split, relative to the repository root; `{subset}` is replaced by the subset. */
  splits: Readonly<Record<string, readonly string[]>>;
  /** The split loaded by default. */
  defaultSplit: string;
  /** The subset substituted for `{subset}` by default (datasets published per subset only). */
  defaultSubset?: string;
  /** The files' format. */
  format: DataFormat;
  /** The normalizer from the dataset's rows. */
  normalize: Normalizer;
  /** The `source` prefix of its pairs (`{source}/{split}`, or `{source}/{subset}/{split}`). */
  source: string;
  /** The paper category when the whole dataset belongs to one, else null. */
  category: PreferenceCategory | null;
  /** The license as the upstream project states it, with caveats. */
  license: string;
  /** The already-normalized copy's file name inside `$DPO_KERNELS_DATA_DIR`, where one exists. */
  localFile?: string;
  /** Anything a user should know (gated access, proxies, unverified paths). */
  note?: string;
}

/** The datasets `loadDataset` knows, by name. */
export const DATASETS: Readonly<Record<string, DatasetSpec>> = Object.freeze(
  {
    "hh-rlhf-harmless": {
      repo: "Anthropic/hh-rlhf",
      splits: { train: ["harmless-base/train.jsonl.gz"], test: ["harmless-base/test.jsonl.gz"] },
      defaultSplit: "train",
      format: "jsonl.gz",
      normalize: normalizeHhRlhf,
      source: "hh-rlhf/harmless-base",
      category: "safety",
      license: "MIT (Anthropic). The data contains offensive content.",
      localFile: "hh_rlhf_harmless.jsonl",
    },
    "hh-rlhf-helpful": {
      repo: "Anthropic/hh-rlhf",
      splits: { train: ["helpful-base/train.jsonl.gz"], test: ["helpful-base/test.jsonl.gz"] },
      defaultSplit: "train",
      format: "jsonl.gz",
      normalize: normalizeHhRlhf,
      source: "hh-rlhf/helpful-base",
      category: null,
      license: "MIT (Anthropic).",
      localFile: "hh_rlhf_helpful.jsonl",
    },
    "helpsteer": {
      repo: "nvidia/HelpSteer",
      splits: { train: ["train.jsonl.gz"], validation: ["validation.jsonl.gz"] },
      defaultSplit: "train",
      format: "jsonl.gz",
      normalize: normalizeHelpSteer,
      source: "helpsteer",
      category: null,
      license: "CC BY 4.0 (NVIDIA).",
    },
    "chatbot-arena-2023": {
      repo: "lmsys/chatbot_arena_conversations",
      splits: { train: ["data/train-00000-of-00001-cced8514c7ed782a.parquet"] },
      defaultSplit: "train",
      format: "parquet",
      normalize: normalizeChatbotArena2023,
      source: "chatbot_arena_conversations",
      category: null,
      license: "User prompts CC BY 4.0, model outputs CC BY-NC 4.0 (per the dataset card; non-commercial).",
      note: "Gated: accept the terms on the hub and set HF_TOKEN.",
    },
    "chatbot-arena-2024": {
      repo: "lmarena-ai/arena-human-preference-55k",
      splits: { train: ["train.csv"] },
      defaultSplit: "train",
      format: "csv",
      normalize: normalizeChatbotArena2024,
      source: "arena-human-preference-55k",
      category: null,
      license: "Apache-2.0 (per the dataset card).",
    },
    "alpacafarm-human": {
      repo: "tatsu-lab/alpaca_farm",
      splits: { preference: ["alpaca_human_preference.json"] },
      defaultSplit: "preference",
      format: "json",
      normalize: normalizeAlpacaFarm,
      source: "alpaca_farm/alpaca_human_preference",
      category: null,
      license: "CC BY-NC 4.0 (AlpacaFarm data; research use only).",
    },
    "alpacafarm-gpt4": {
      repo: "tatsu-lab/alpaca_farm",
      splits: { preference: ["alpaca_gpt4_preference.json"] },
      defaultSplit: "preference",
      format: "json",
      normalize: normalizeAlpacaFarm,
      source: "alpaca_farm/alpaca_gpt4_preference",
      category: null,
      license: "CC BY-NC 4.0 (AlpacaFarm data; research use only).",
      localFile: "alpacaeval_gpt4.jsonl",
      note: "The local copy alpacaeval_gpt4.jsonl is a proxy (AlpacaEval GPT-4 annotations), not this file.",
    },
    "prm800k": {
      repo: "Birchlabs/openai-prm800k-stepwise-critic",
      splits: {
        train: ["data/phase1_train.stepwise-critic.parquet"],
        test: ["data/phase1_test.stepwise-critic.parquet"],
        phase2_train: ["data/phase2_train.stepwise-critic.parquet"],
        phase2_test: ["data/phase2_test.stepwise-critic.parquet"],
      },
      defaultSplit: "train",
      format: "parquet",
      normalize: normalizePrm800k,
      source: "prm800k",
      category: "reasoning",
      license: "MIT (OpenAI PRM800K; Birchlabs redistributes it in the stepwise-critic layout).",
      localFile: "prm800k.jsonl",
    },
    "shp-2": {
      repo: "stanfordnlp/SHP-2",
      splits: {
        train: ["{subset}/train.json"],
        validation: ["{subset}/validation.json"],
        test: ["{subset}/test.json"],
      },
      defaultSplit: "train",
      defaultSubset: "reddit/askscience",
      format: "json",
      normalize: normalizeShp,
      source: "shp-2",
      category: null,
      license:
        "See the dataset card: Reddit content under Reddit's API terms, StackExchange content CC BY-SA.",
      note: "One subset per call (`reddit/<subreddit>` or `stackexchange/<site>`, e.g. " +
        "`stackexchange/stack_codereview`); the reddit folder names are assumed to match SHP's (askscience, …).",
    },
    "ultrafeedback": {
      repo: "trl-lib/ultrafeedback_binarized",
      splits: { train: ["data/train-00000-of-00001.parquet"], test: ["data/test-00000-of-00001.parquet"] },
      defaultSplit: "train",
      format: "parquet",
      normalize: normalizeUltraFeedback,
      source: "ultrafeedback_binarized",
      category: null,
      license: "MIT (per the OpenBMB UltraFeedback card). Ratings are GPT-4's, not human.",
      localFile: "ultrafeedback.jsonl",
    },
    "nectar": {
      repo: "berkeley-nest/Nectar",
      splits: { train: ["data/rlaif.parquet"] },
      defaultSplit: "train",
      format: "parquet",
      normalize: normalizeNectar,
      source: "nectar",
      category: null,
      license:
        "Per the Nectar dataset card (not checked here); responses come from OpenAI and other models' terms.",
      localFile: "nectar_ablation.jsonl",
      note:
        "The local copy nectar_ablation.jsonl is a proxy (the Nectar pipeline's ablation), not the release.",
    },
    "orca-dpo-pairs": {
      repo: "Intel/orca_dpo_pairs",
      splits: { train: ["orca_rlhf.jsonl"] },
      defaultSplit: "train",
      format: "jsonl",
      normalize: normalizeOrca,
      source: "orca_dpo_pairs",
      category: null,
      license: "Apache-2.0 (per the dataset card).",
      localFile: "orca_dpo_pairs.jsonl",
    },
    "capybara": {
      repo: "argilla/distilabel-capybara-dpo-7k-binarized",
      splits: { train: ["data/train-00000-of-00001.parquet"] },
      defaultSplit: "train",
      format: "parquet",
      normalize: normalizeCapybara,
      source: "capybara-dpo-7k",
      category: null,
      license: "Apache-2.0 (per the dataset card).",
    },
  } satisfies Record<string, DatasetSpec>,
);
