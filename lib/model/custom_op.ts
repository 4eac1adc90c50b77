/**
 * `tf.customGrad` with typed tensor arguments, for ops with hand-written gradients.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The body of a custom-gradient op: its value and its gradient with respect to each input. */
export interface GradBody {
  /** The op's value. */
  value: tf.Tensor;
  /** The gradient with respect to each input, given the output's gradient and the saved tensors. */
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

/**
 * tf.customGrad with tensor arguments typed (its own typing takes a rest parameter mixing tensors and save).
 *
 * @param f The op's body: given its tensors and a save function, its value and gradient.
 * @returns The op.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { customOp } from "./custom_op.ts";
 * // x ↦ 2x with the gradient 2·dy.
 * const double = customOp<[tf.Tensor]>((x) => ({ value: tf.mul(x, 2), gradFunc: (dy) => tf.mul(dy, 2) }));
 * const g = tf.grad((x: tf.Tensor) => double(x))(tf.tensor1d([1, 5]));
 * console.assert((await g.data()).join() === "2,2");
 * ```
 */
export function customOp<A extends tf.Tensor[]>(
  f: (...args: [...A, tf.GradSaveFunc]) => GradBody,
): (...args: A) => tf.Tensor {
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
    ...args: A
  ) => tf.Tensor;
}
