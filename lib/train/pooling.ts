/**
 * Sentence embeddings from a GPT's hidden states: mean pooling over a mask, and row-wise cosine similarity.
 * The hybrid term's trainable embedder and the cluster analysis (Davies–Bouldin) both use them.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Mean-pooled hidden states over a mask: `[N, T, D]`, `[N, T]` → `[N, D]`. */
export function pool(hidden: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor2D {
  const m = tf.expandDims(mask, -1);
  return tf.div(tf.sum(tf.mul(hidden, m), 1), tf.maximum(tf.sum(m, 1), 1)) as tf.Tensor2D;
}

/** Row-wise cosine similarity `[N, D]`, `[N, D]` → `[N]`. */
export function cosine(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  const na = tf.maximum(tf.norm(a, "euclidean", -1), 1e-8);
  const nb = tf.maximum(tf.norm(b, "euclidean", -1), 1e-8);
  return tf.div(tf.sum(tf.mul(a, b), -1), tf.mul(na, nb)) as tf.Tensor1D;
}
