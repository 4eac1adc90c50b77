/**
 * Greedy decoding of a batch of prompts with bounded length. Prompts are right-padded: under causal attention
 * the padding after a row's last token never influences it, so one forward per new token serves the batch.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Gpt } from "../model/gpt.ts";
import type { Tokenizer } from "../tokenizer/types.ts";

/** Options of {@link greedyDecode}. */
export interface DecodeOptions {
  /** New tokens per prompt, at most (default 24). */
  maxTokens?: number;
  /** Stop a row at this text (default: a newline); the end-of-sequence id always stops. */
  stop?: string;
  /** Prompts per forward pass (default 64). */
  batchSize?: number;
}

/**
 * Greedy completions (argmax at every step), each cut at the stop text, the end-of-sequence id, `maxTokens`
 * or the context length.
 *
 * @param model The policy.
 * @param tokenizer Its tokenizer.
 * @param prompts The prompts.
 * @param options Length bound, stop text, batch size.
 * @returns One completion per prompt (without the prompt).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { greedyDecode } from "./decode.ts";
 * import { Gpt } from "../model/gpt.ts";
 * import { ByteTokenizer } from "../tokenizer/byte.ts";
 * const model = new Gpt({ vocabSize: 256, contextLength: 16, dModel: 16, layers: 1, heads: 2 }, { seed: 0 });
 * const tokenizer = new ByteTokenizer();
 * const out = await greedyDecode(model, tokenizer, ["1+1=", "2+2="], { maxTokens: 3, stop: "\u0000" });
 * assert.equal(out.length, 2);
 * assert.ok(out.every((s) => tokenizer.encode(s).length <= 3));
 * assert.deepEqual(await greedyDecode(model, tokenizer, ["1+1=", "2+2="], { maxTokens: 3, stop: "\u0000" }), out);
 * model.dispose();
 * ```
 */
export async function greedyDecode(
  model: Gpt,
  tokenizer: Tokenizer,
  prompts: readonly string[],
  options: DecodeOptions = {},
): Promise<string[]> {
  const maxTokens = options.maxTokens ?? 24;
  const stop = options.stop ?? "\n";
  const batchSize = options.batchSize ?? 64;
  const t = model.config.contextLength;
  const out: string[] = [];
  for (let start = 0; start < prompts.length; start += batchSize) {
    const rows = prompts.slice(start, start + batchSize).map((p) => {
      const ids = tokenizer.encode(p);
      return { ids: ids.slice(Math.max(0, ids.length - (t - 1))), generated: [] as number[], done: false };
    });
    for (let step = 0; step < maxTokens; step++) {
      const live = rows.filter((r) => !r.done && r.ids.length < t);
      if (live.length === 0) break;
      const width = Math.max(...live.map((r) => r.ids.length));
      const ids = new Int32Array(live.length * width);
      live.forEach((r, i) => ids.set(r.ids, i * width));
      const next = tf.tidy(() => {
        const logits = model.forward(tf.tensor2d(ids, [live.length, width], "int32")).logits; // [N, W, V]
        const last = tf.tensor1d(live.map((r) => r.ids.length - 1), "int32");
        const pick = tf.cast(tf.oneHot(last, width), "float32"); // [N, W]
        const lastLogits = tf.sum(tf.mul(logits, tf.expandDims(pick, -1)), 1); // [N, V]
        return tf.argMax(lastLogits, -1);
      });
      const tokens = await next.data();
      next.dispose();
      live.forEach((r, i) => {
        const token = tokens[i] as number;
        if (token === tokenizer.eosId) {
          r.done = true;
          return;
        }
        r.ids.push(token);
        r.generated.push(token);
        if (tokenizer.decode(r.generated).includes(stop)) r.done = true;
      });
    }
    for (const r of rows) {
      const text = tokenizer.decode(r.generated);
      const cut = text.indexOf(stop);
      out.push(cut >= 0 ? text.slice(0, cut) : text);
    }
  }
  return out;
}
