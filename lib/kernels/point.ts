/**
 * Kernels accept scalars or vectors: a scalar is a point on the real line. This module turns both into a
 * difference vector and checks that the two points live in the same space.
 *
 * @module
 */
import type { Vector } from "../math/types.ts";
import { assertFinite, assertFiniteVector, assertSameLength } from "../math/validation.ts";

/** A point a kernel can compare: a number (a point on the line) or a vector. */
export type Point = number | Vector;

/**
 * Returns the point as a vector (a scalar becomes a 1-vector), validated to be finite.
 *
 * @example
 * ```ts
 * import { asVector } from "./point.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(asVector(2, "x"), [2]);
 * assert.throws(() => asVector(NaN, "x"), /x must be a finite number/);
 * ```
 */
export function asVector(x: Point, name: string): Vector {
  if (typeof x === "number") {
    assertFinite(x, name);
    return [x];
  }
  assertFiniteVector(x, name);
  return x;
}

/**
 * Validates two points and returns them as vectors of equal length.
 *
 * @example
 * ```ts
 * import { asPair } from "./point.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(asPair(2, 3), [[2], [3]]);
 * assert.throws(() => asPair([1, 2], [1]), /a and b must have the same length/);
 * ```
 */
export function asPair(a: Point, b: Point): [Vector, Vector] {
  const va = asVector(a, "a");
  const vb = asVector(b, "b");
  assertSameLength(va, "a", vb, "b");
  return [va, vb];
}
