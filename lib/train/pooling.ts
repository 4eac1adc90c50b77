/**
 * Sentence embeddings from a GPT's hidden states: mean pooling over a mask, and row-wise cosine similarity.
 * The hybrid term's trainable embedder and the cluster analysis (Davies–Bouldin) both use them.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Mean-pooled hidden states over a mask: `[N, T, D]`, `[N, T]` → `[N, D]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { pool } from "./pooling.ts";
 * import assert from "node:assert/strict";
 * const hidden = tf.tensor3d([[[1, 10], [3, 20], [100, 100]]]);
 * const mask = tf.tensor2d([[1, 1, 0]]);
 * assert.deepEqual(await pool(hidden, mask).array(), [[2, 15]]); // the masked-out position is left out
 * tf.dispose([hidden, mask]);
 * ```
 */
export function pool(hidden: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  const m = tf.expandDims(mask, -1);
  return tf.div(tf.sum(tf.mul(hidden, m), 1), tf.maximum(tf.sum(m, 1), 1)) as tf.Tensor2D;
}

/**
 * Row-wise cosine similarity `[N, D]`, `[N, D]` → `[N]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { cosine } from "./pooling.ts";
 * import assert from "node:assert/strict";
 * const [a, b] = [tf.tensor2d([[1, 0], [1, 1]]), tf.tensor2d([[0, 2], [2, 2]])];
 * const c = (await cosine(a, b).array()) as number[];
 * assert.ok(Math.abs(c[0]!) < 1e-7 && Math.abs(c[1]! - 1) < 1e-6);
 * tf.dispose([a, b]);
 * ```
 */
export function cosine(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  const na = tf.maximum(tf.norm(a, "euclidean", -1), 1e-8);
  const nb = tf.maximum(tf.norm(b, "euclidean", -1), 1e-8);
  return tf.div(tf.sum(tf.mul(a, b), -1), tf.mul(na, nb)) as tf.Tensor1D;
}
