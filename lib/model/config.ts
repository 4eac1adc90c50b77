/**
 * The GPT's shape, validated field by field.
 *
 * @module
 */
import { describe } from "../math/validation.ts";

/** The shape of a decoder-only GPT (pre-LayerNorm, causal attention, GELU MLP, tied head). */
export interface GptConfig {
  /** Vocabulary size (256 for the byte tokenizer). */
  vocabSize: number;
  /** Context length T: the longest sequence, in tokens. */
  contextLength: number;
  /** Width d_model. */
  dModel: number;
  /** Number of transformer blocks. */
  layers: number;
  /** Attention heads; must divide dModel. */
  heads: number;
  /** LayerNorm epsilon (GPT-2: 1e-5). */
  layerNormEpsilon?: number;
}

/** The default tiny policy: byte vocabulary, d64, 2 layers, 2 heads, context 64. */
export const DEFAULT_GPT_CONFIG: Readonly<GptConfig> = Object.freeze({
  vocabSize: 256,
  contextLength: 64,
  dModel: 64,
  layers: 2,
  heads: 2,
  layerNormEpsilon: 1e-5,
});

/**
 * Checks a GPT config, naming the first bad field.
 *
 * @param config The config to check.
 * @param name The name of the config in messages (default `"config"`).
 * @returns The config with defaults filled in.
 * @throws {RangeError} On a missing or non-positive integer field, or heads not dividing dModel.
 *
 * @example
 * ```ts
 * import { validateGptConfig } from "@dpo-kernels/dpo-kernels/model";
 * import assert from "node:assert/strict";
 * const config = validateGptConfig({ vocabSize: 256, contextLength: 64, dModel: 64, layers: 2, heads: 2 });
 * assert.equal(config.layerNormEpsilon, 1e-5);
 * assert.throws(
 *   () => validateGptConfig({ vocabSize: 256, contextLength: 64, dModel: 64, layers: 2, heads: 3 }),
 *   /config.heads \(3\) must divide config.dModel \(64\)/,
 * );
 * ```
 */
export function validateGptConfig(config: GptConfig, name = "config"): Required<GptConfig> {
  for (const field of ["vocabSize", "contextLength", "dModel", "layers", "heads"] as const) {
    const v = config[field];
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`${name}.${field} must be a positive integer, got ${describe(v)}`);
    }
  }
  if (config.dModel % config.heads !== 0) {
    throw new RangeError(`${name}.heads (${config.heads}) must divide ${name}.dModel (${config.dModel})`);
  }
  const eps = config.layerNormEpsilon ?? 1e-5;
  if (typeof eps !== "number" || !(eps > 0) || !Number.isFinite(eps)) {
    throw new RangeError(`${name}.layerNormEpsilon must be a finite number > 0, got ${describe(eps)}`);
  }
  return { ...config, layerNormEpsilon: eps };
}
