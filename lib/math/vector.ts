/**
 * Small dense-vector operations shared by the kernels, the selection metrics and the analysis code.
 *
 * @module
 */
import type { Vector } from "./types.ts";
import { assertSameLength, assertVector } from "./validation.ts";

function checkPair(a: Vector, b: Vector): void {
  assertVector(a, "a");
  assertVector(b, "b");
  assertSameLength(a, "a", b, "b");
}

/**
 * The inner product Σᵢ aᵢbᵢ.
 *
 * @param a First vector.
 * @param b Second vector, same length.
 * @returns a·b.
 * @throws {RangeError} If the lengths differ.
 * @example
 * ```ts
 * import { dot } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(dot([1, 2, 3], [4, 5, 6]), 32);
 * ```
 */
export function dot(a: Vector, b: Vector): number {
  checkPair(a, b);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/**
 * The squared Euclidean distance Σᵢ (aᵢ − bᵢ)².
 *
 * @param a First vector.
 * @param b Second vector, same length.
 * @returns ‖a − b‖².
 * @throws {RangeError} If the lengths differ.
 * @example
 * ```ts
 * import { squaredEuclidean } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(squaredEuclidean([0, 0], [3, 4]), 25);
 * ```
 */
export function squaredEuclidean(a: Vector, b: Vector): number {
  checkPair(a, b);
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    s += d * d;
  }
  return s;
}

/**
 * The Euclidean distance ‖a − b‖.
 *
 * @param a First vector.
 * @param b Second vector, same length.
 * @returns ‖a − b‖.
 * @throws {RangeError} If the lengths differ.
 * @example
 * ```ts
 * import { euclidean } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(euclidean([0, 0], [3, 4]), 5);
 * ```
 */
export function euclidean(a: Vector, b: Vector): number {
  return Math.sqrt(squaredEuclidean(a, b));
}

/**
 * The Euclidean norm ‖a‖.
 *
 * @param a A vector.
 * @returns √(a·a).
 * @example
 * ```ts
 * import { norm } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(norm([3, 4]), 5);
 * ```
 */
export function norm(a: Vector): number {
  return Math.sqrt(dot(a, a));
}

/**
 * Cosine similarity a·b / (‖a‖‖b‖).
 *
 * @param a First vector, non-zero.
 * @param b Second vector, same length, non-zero.
 * @returns A number in [−1, 1].
 * @throws {RangeError} If the lengths differ or either vector is zero.
 * @example
 * ```ts
 * import { cosineSimilarity } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(cosineSimilarity([1, 0], [0, 2]), 0);
 * ```
 */
export function cosineSimilarity(a: Vector, b: Vector): number {
  const ab = dot(a, b);
  const na = norm(a);
  const nb = norm(b);
  if (na === 0) throw new RangeError("a must be a non-zero vector for cosine similarity, got norm 0");
  if (nb === 0) throw new RangeError("b must be a non-zero vector for cosine similarity, got norm 0");
  return Math.max(-1, Math.min(1, ab / (na * nb)));
}
