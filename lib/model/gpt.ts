/**
 * A decoder-only GPT on TensorFlow.js: learned positions, pre-LayerNorm blocks with causal multi-head
 * attention and a tanh-GELU MLP, a final LayerNorm and a head tied to the token embedding. Parameter names and
 * layouts follow Hugging Face's GPT-2 (`h.0.attn.c_attn.weight` is `[in, out]`), so GPT-2 checkpoints load
 * as they are.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type GptConfig, validateGptConfig } from "./config.ts";
import { causalSelfAttention, embed, gelu, layerNorm, linear, matMul, tokenLogProbs } from "./ops.ts";
import { createRandom } from "../math/random.ts";

/**
 * The names and shapes of a GPT's parameters, in a fixed order.
 *
 * @example
 * ```ts
 * import { gptParameterShapes } from "@dpo-kernels/dpo-kernels/model";
 * import assert from "node:assert/strict";
 * const shapes = new Map(gptParameterShapes({ vocabSize: 16, contextLength: 8, dModel: 8, layers: 1, heads: 2 }));
 * assert.deepEqual(shapes.get("wte.weight"), [16, 8]);
 * assert.deepEqual(shapes.get("h.0.attn.c_attn.weight"), [8, 24]); // GPT-2's [in, out]
 * assert.equal(shapes.size, 2 + 12 + 2);
 * ```
 */
export function gptParameterShapes(config: GptConfig): [string, number[]][] {
  const { vocabSize: v, contextLength: t, dModel: d, layers } = validateGptConfig(config);
  const shapes: [string, number[]][] = [["wte.weight", [v, d]], ["wpe.weight", [t, d]]];
  for (let i = 0; i < layers; i++) {
    const p = `h.${i}.`;
    shapes.push(
      [`${p}ln_1.weight`, [d]],
      [`${p}ln_1.bias`, [d]],
      [`${p}attn.c_attn.weight`, [d, 3 * d]],
      [`${p}attn.c_attn.bias`, [3 * d]],
      [`${p}attn.c_proj.weight`, [d, d]],
      [`${p}attn.c_proj.bias`, [d]],
      [`${p}ln_2.weight`, [d]],
      [`${p}ln_2.bias`, [d]],
      [`${p}mlp.c_fc.weight`, [d, 4 * d]],
      [`${p}mlp.c_fc.bias`, [4 * d]],
      [`${p}mlp.c_proj.weight`, [4 * d, d]],
      [`${p}mlp.c_proj.bias`, [d]],
    );
  }
  shapes.push(["ln_f.weight", [d]], ["ln_f.bias", [d]]);
  return shapes;
}

/** GPT-2's initialization: N(0, 0.02) weights, N(0, 0.02/√(2L)) residual projections, zero biases, unit γ. */
function initialValue(name: string, shape: number[], layers: number, rand: () => number): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  if (name.endsWith("ln_1.weight") || name.endsWith("ln_2.weight") || name === "ln_f.weight") {
    return out.fill(1);
  }
  if (name.endsWith(".bias")) return out;
  const std = name.endsWith("c_proj.weight") ? 0.02 / Math.sqrt(2 * layers) : 0.02;
  for (let i = 0; i < size; i++) out[i] = std * rand();
  return out;
}

/** Options of the {@link Gpt} constructor. */
export interface GptOptions {
  /** Seed of the initial weights (default 0). */
  seed?: number;
  /** Whether the parameters are trainable variables (default true); a frozen reference uses false. */
  trainable?: boolean;
  /** Initial values by parameter name (a checkpoint); each must have the expected shape. */
  weights?: ReadonlyMap<string, tf.Tensor> | Record<string, tf.Tensor>;
}

/** The outputs of a forward pass. */
export interface GptOutput {
  /** `[B, T, V]`. */
  logits: tf.Tensor3D;
  /** The final hidden states after ln_f, `[B, T, D]`. */
  hidden: tf.Tensor3D;
}

/**
 * A GPT whose parameters are TensorFlow.js variables. Call {@link Gpt.dispose} when done.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { Gpt } from "@dpo-kernels/dpo-kernels/model";
 * import assert from "node:assert/strict";
 * const model = new Gpt({ vocabSize: 16, contextLength: 8, dModel: 8, layers: 1, heads: 2 }, { seed: 0 });
 * // wte 128 + wpe 64 + one block (2·16 LayerNorm + 216 + 72 + 288 + 264) + ln_f 16
 * assert.equal(model.parameterCount(), 1080);
 * const ids = tf.tensor2d([[1, 2, 3]], undefined, "int32");
 * const { logits, hidden } = model.forward(ids);
 * assert.deepEqual(logits.shape, [1, 3, 16]);
 * assert.deepEqual(hidden.shape, [1, 3, 8]);
 * tf.dispose([ids, logits, hidden]);
 * model.dispose();
 * ```
 */
export class Gpt {
  /** The validated shape. */
  readonly config: Required<GptConfig>;
  /** The parameters by name, in {@link gptParameterShapes} order. */
  readonly params: Map<string, tf.Variable>;
  readonly #mask: tf.Tensor2D;

  /**
   * Builds a GPT with seeded GPT-2 initialization or given weights.
   *
   * @param config The shape.
   * @param options Seed, trainability, initial weights.
   * @throws {RangeError} On a bad config field, or a given weight of the wrong shape.
   */
  constructor(config: GptConfig, options: GptOptions = {}) {
    this.config = validateGptConfig(config);
    const random = createRandom(options.seed ?? 0);
    const weights = options.weights instanceof Map
      ? options.weights
      : new Map(Object.entries(options.weights ?? {}));
    this.params = new Map();
    for (const [name, shape] of gptParameterShapes(this.config)) {
      const given = weights.get(name);
      if (given !== undefined && given.shape.join(",") !== shape.join(",")) {
        throw new RangeError(`weights["${name}"] must have shape [${shape}], got [${given.shape}]`);
      }
      const init = given ?? tf.tensor(initialValue(name, shape, this.config.layers, random.normal), shape);
      this.params.set(name, tf.variable(init, options.trainable ?? true, `${name}#${crypto.randomUUID()}`));
      if (given === undefined) init.dispose();
    }
    const t = this.config.contextLength;
    this.#mask = tf.tidy(() =>
      tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([t, t]), -1, 0)), -1e9)
    ) as tf.Tensor2D;
  }

  /** Parameter by name (throws naming it when absent). */
  param(name: string): tf.Variable {
    const p = this.params.get(name);
    if (p === undefined) throw new RangeError(`no parameter named ${name}`);
    return p;
  }

  /** The trainable variables, in a fixed order. */
  variables(): tf.Variable[] {
    return [...this.params.values()];
  }

  /** The number of scalar parameters. */
  parameterCount(): number {
    return this.variables().reduce((s, v) => s + v.size, 0);
  }

  /**
   * The forward pass. Call it inside `tf.tidy` (or a gradient function), which owns the returned tensors.
   *
   * @param ids Token ids `[B, T]` (int32), T ≤ contextLength.
   * @returns Logits `[B, T, V]` and final hidden states `[B, T, D]`.
   * @throws {RangeError} If T exceeds the context length.
   */
  forward(ids: tf.Tensor2D): GptOutput {
    const t = ids.shape[1];
    const { dModel: d, heads: h, layers, contextLength, layerNormEpsilon: eps } = this.config;
    if (t > contextLength) {
      throw new RangeError(`ids has ${t} positions, more than contextLength ${contextLength}`);
    }
    const p = (name: string) => this.param(name);
    // Time-major activations [T, B, D]: the linear layers do not care about row order, and in this layout each
    // (batch, head) group's columns sit side by side, so attention needs no head split/merge transposes.
    const positions = tf.reshape(tf.slice(p("wpe.weight"), [0, 0], [t, d]), [t, 1, d]);
    let x: tf.Tensor = tf.add(
      embed<tf.Rank.R3>(tf.transpose(ids), p("wte.weight") as tf.Tensor2D),
      positions,
    ); // [T, B, D]
    const mask = t === contextLength ? this.#mask : tf.slice(this.#mask, [0, 0], [t, t]); // −1e9 above the diagonal
    for (let i = 0; i < layers; i++) {
      const pre = `h.${i}.`;
      // Attention: fused q|k|v projection, causal scaled dot products per (batch, head), output projection.
      const a = layerNorm(x, p(`${pre}ln_1.weight`), p(`${pre}ln_1.bias`), eps);
      const qkv = linear(a, p(`${pre}attn.c_attn.weight`), p(`${pre}attn.c_attn.bias`)) as tf.Tensor3D; // [T, B, 3D]
      const heads = causalSelfAttention(qkv, h, mask); // [T, B, D]
      x = tf.add(x, linear(heads, p(`${pre}attn.c_proj.weight`), p(`${pre}attn.c_proj.bias`)));
      // MLP.
      const m = layerNorm(x, p(`${pre}ln_2.weight`), p(`${pre}ln_2.bias`), eps);
      const up = gelu(linear(m, p(`${pre}mlp.c_fc.weight`), p(`${pre}mlp.c_fc.bias`))); // [T, B, 4D]
      x = tf.add(x, linear(up, p(`${pre}mlp.c_proj.weight`), p(`${pre}mlp.c_proj.bias`)));
    }
    const final = layerNorm(x, p("ln_f.weight"), p("ln_f.bias"), eps); // [T, B, D]
    const hidden = tf.transpose(final, [1, 0, 2]) as tf.Tensor3D; // [B, T, D]
    const logits = matMul(hidden, tf.transpose(p("wte.weight"))) as tf.Tensor3D; // tied head, [B, T, V]
    return { logits, hidden };
  }

  /**
   * Summed log-probs of the masked target tokens, per sequence: ℓ = Σ_t mask_t·log π(target_t | ids_≤t).
   *
   * @param ids Inputs `[B, T]`.
   * @param targets Next tokens `[B, T]` (int32).
   * @param mask 1 on response tokens, 0 on prompt and padding, `[B, T]` (float32).
   * @returns `[B]`, and the forward outputs.
   */
  sequenceLogProbs(
    ids: tf.Tensor2D,
    targets: tf.Tensor2D,
    mask: tf.Tensor2D,
  ): GptOutput & { logps: tf.Tensor1D } {
    const out = this.forward(ids);
    const logps = tf.sum(tf.mul(tokenLogProbs(out.logits, targets), mask), -1) as tf.Tensor1D;
    return { ...out, logps };
  }

  /**
   * Copies the weights into a new GPT (for the frozen reference, pass `trainable: false`).
   *
   * @param options Trainability of the copy.
   * @returns The copy.
   */
  clone(options: { trainable?: boolean } = {}): Gpt {
    return new Gpt(this.config, { weights: this.params, trainable: options.trainable ?? true });
  }

  /** Frees the variables and the mask. */
  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
    this.#mask.dispose();
  }
}
