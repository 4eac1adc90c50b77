/**
 * Preference dataset loaders: one normalizer per dataset from its own row format into
 * `{prompt, chosen, rejected, source, category}` pairs under the shared cleaning rules, the {@link DATASETS}
 * registry with {@link loadDataset} (download, cache, normalize) and {@link loadLocalDataset} (already-normalized
 * JSONL copies).
 *
 * @example
 * ```ts ignore
 * import { loadDataset, loadLocalDataset } from "@dpo-kernels/dpo-kernels/data";
 * const online = await loadDataset("ultrafeedback", { split: "test", limit: 500 });
 * const offline = await loadLocalDataset("hh-rlhf-harmless"); // $DPO_KERNELS_DATA_DIR/hh_rlhf_harmless.jsonl
 * ```
 *
 * @module
 */
export * from "./normalize.ts";
export * from "./rows.ts";
export * from "./conversation.ts";
export * from "./message_pairs.ts";
export * from "./formats.ts";
export * from "./hub.ts";
export * from "./hh_rlhf.ts";
export * from "./helpsteer.ts";
export * from "./chatbot_arena_2023.ts";
export * from "./chatbot_arena_2024.ts";
export * from "./alpaca_farm.ts";
export * from "./prm800k.ts";
export * from "./shp.ts";
export * from "./ultrafeedback.ts";
export * from "./nectar.ts";
export * from "./orca.ts";
export * from "./capybara.ts";
export * from "./datasets.ts";
export * from "./registry.ts";
export * from "./local.ts";
