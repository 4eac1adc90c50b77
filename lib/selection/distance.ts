/**
 * The embedding distances the selection metrics are computed with, and their application to a dataset of
 * preference triplets (prompt x, chosen y⁺, rejected y⁻).
 *
 * The default is `"cosine"` (1 − cosine similarity): sentence embeddings are compared by angle, their norms
 * carrying little meaning. Note that cosine distance, like squared Euclidean distance, is not a metric (the
 * triangle inequality fails); see {@link kernelSelectionMetrics} for what that does to TAT.
 *
 * @module
 */
import type { Vector } from "../math/types.ts";
import { assertFiniteVector, assertNonEmpty, describe } from "../math/validation.ts";
import { euclidean, squaredEuclidean } from "../math/vector.ts";

/** `v / ‖v‖`, with the norm computed on `v / max|vᵢ|` so that it neither overflows nor underflows. */
function unitVector(v: Vector, name: string): Float64Array {
  let largest = 0;
  for (let i = 0; i < v.length; i++) largest = Math.max(largest, Math.abs(v[i] as number));
  if (!(largest > 0)) {
    throw new RangeError(`${name} must be a non-zero vector for the cosine distance, got norm ${largest}`);
  }
  const out = new Float64Array(v.length);
  let squares = 0;
  for (let i = 0; i < v.length; i++) {
    const x = (v[i] as number) / largest;
    out[i] = x;
    squares += x * x;
  }
  const length = Math.sqrt(squares);
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / length;
  return out;
}

/** 1 − cos(a, b) computed as ½‖a/‖a‖ − b/‖b‖‖², clamped to [0, 2]. */
function cosineDistance(a: Vector, b: Vector): number {
  if (a.length !== b.length) {
    throw new RangeError(`a and b must have the same length, got ${a.length} and ${b.length}`);
  }
  assertFiniteVector(a, "a");
  assertFiniteVector(b, "b");
  const ua = unitVector(a, "a");
  const ub = unitVector(b, "b");
  let s = 0;
  for (let i = 0; i < ua.length; i++) {
    const d = (ua[i] as number) - (ub[i] as number);
    s += d * d;
  }
  return Math.min(2, s / 2);
}

/** A distance between two embedding vectors of equal length: finite and ≥ 0. */
export type DistanceFunction = (a: Vector, b: Vector) => number;

/** The names of the built-in distances in {@link DISTANCES}. */
export type DistanceName = "euclidean" | "cosine" | "squared-euclidean";

/**
 * The built-in embedding distances, by name.
 *
 * - `"euclidean"`: ‖a − b‖, a metric.
 * - `"cosine"`: 1 − a·b/(‖a‖‖b‖), in [0, 2]; not a metric (it is half the squared Euclidean distance of the
 *   normalized vectors, which is how it is computed: exactly 0 for vectors of the same direction, whatever
 *   their magnitude, where 1 − cos leaves a rounding residue of ~1e-16 for some vectors and not others, and
 *   free of overflow). Both vectors must be non-zero.
 * - `"squared-euclidean"`: ‖a − b‖², not a metric.
 *
 * @example
 * ```ts
 * import { DISTANCES } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(DISTANCES.euclidean([0, 0], [3, 4]), 5);
 * assert.equal(DISTANCES["squared-euclidean"]([0, 0], [3, 4]), 25);
 * assert.equal(DISTANCES.cosine([1, 0], [0, 2]), 1);
 * ```
 */
export const DISTANCES: Readonly<Record<DistanceName, DistanceFunction>> = Object.freeze({
  euclidean: (a: Vector, b: Vector): number => euclidean(a, b),
  cosine: (a: Vector, b: Vector): number => cosineDistance(a, b),
  "squared-euclidean": (a: Vector, b: Vector): number => squaredEuclidean(a, b),
});

/** The distance used by the selection metrics when none is given. */
export const DEFAULT_SELECTION_DISTANCE: DistanceName = "cosine";

/**
 * One preference example as embedding vectors: the prompt x, the chosen (preferred) response y⁺ and the
 * rejected response y⁻. All three must have the same length.
 */
export interface PreferenceTriplet {
  /** Embedding of the prompt x. */
  readonly prompt: Vector;
  /** Embedding of the chosen response y⁺. */
  readonly chosen: Vector;
  /** Embedding of the rejected response y⁻. */
  readonly rejected: Vector;
}

/** Per-triplet distances returned by {@link tripletDistances}. */
export interface TripletDistances {
  /** d⁺ᵢ = d(xᵢ, y⁺ᵢ). */
  readonly chosen: Float64Array;
  /** d⁻ᵢ = d(xᵢ, y⁻ᵢ). */
  readonly rejected: Float64Array;
  /** d(y⁺ᵢ, y⁻ᵢ); present only when requested with `between: true`. */
  readonly between?: Float64Array;
}

/**
 * Resolves a distance given by name or as a function; `undefined` gives the default (`"cosine"`).
 *
 * @param distance A key of {@link DISTANCES}, a custom function, or `undefined`.
 * @param name The argument name used in error messages.
 * @returns The distance function.
 * @throws {RangeError} If `distance` is a string that is not a key of {@link DISTANCES}.
 * @throws {TypeError} If `distance` is neither a string nor a function.
 * @example
 * ```ts
 * import { resolveDistance } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(resolveDistance("euclidean")([0, 0], [3, 4]), 5);
 * assert.equal(resolveDistance(undefined)([1, 0], [0, 1]), 1); // cosine by default
 * ```
 */
export function resolveDistance(
  distance: DistanceName | DistanceFunction | undefined,
  name = "options.distance",
): DistanceFunction {
  if (distance === undefined) return DISTANCES[DEFAULT_SELECTION_DISTANCE];
  if (typeof distance === "function") return distance;
  if (typeof distance === "string") {
    if (Object.hasOwn(DISTANCES, distance)) return DISTANCES[distance];
    throw new RangeError(
      `${name} must be one of ${Object.keys(DISTANCES).map((k) => `"${k}"`).join(", ")} or a function, ` +
        `got "${distance}"`,
    );
  }
  throw new TypeError(`${name} must be a distance name or a function, got ${describe(distance)}`);
}

/**
 * Checks a dataset of triplets: a non-empty array of objects whose three vectors are finite and all have
 * the length of `triplets[0].prompt`.
 *
 * @param triplets The dataset.
 * @param name The argument name used in error messages.
 * @returns The common embedding dimension.
 * @throws {RangeError} If the dataset is empty, a vector has another length, or an entry is not finite.
 * @throws {TypeError} If an element is not a triplet of vectors.
 * @example
 * ```ts
 * import { assertTriplets } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(assertTriplets([{ prompt: [1, 0], chosen: [1, 1], rejected: [0, 1] }]), 2);
 * assert.throws(
 *   () => assertTriplets([{ prompt: [1, 0], chosen: [1], rejected: [0, 1] }]),
 *   /triplets\[0\]\.chosen/,
 * );
 * ```
 */
export function assertTriplets(triplets: readonly PreferenceTriplet[], name = "triplets"): number {
  if (!Array.isArray(triplets)) {
    throw new TypeError(`${name} must be an array of {prompt, chosen, rejected}, got ${describe(triplets)}`);
  }
  assertNonEmpty(triplets, name);
  let dim = -1;
  for (let i = 0; i < triplets.length; i++) {
    const t = triplets[i];
    if (typeof t !== "object" || t === null) {
      throw new TypeError(`${name}[${i}] must be an object {prompt, chosen, rejected}, got ${describe(t)}`);
    }
    for (const key of ["prompt", "chosen", "rejected"] as const) {
      const v = t[key];
      const where = `${name}[${i}].${key}`;
      assertFiniteVector(v, where);
      if (dim < 0) {
        if (v.length === 0) throw new RangeError(`${where} must not be empty, got length 0`);
        dim = v.length;
      } else if (v.length !== dim) {
        throw new RangeError(`${where} must have length ${dim} like ${name}[0].prompt, got ${v.length}`);
      }
    }
  }
  return dim;
}

function measure(
  d: DistanceFunction,
  a: Vector,
  b: Vector,
  aName: string,
  bName: string,
): number {
  let value: number;
  try {
    value = d(a, b);
  } catch (e) {
    if (e instanceof RangeError) throw new RangeError(`distance(${aName}, ${bName}) failed: ${e.message}`);
    throw e;
  }
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`distance(${aName}, ${bName}) must be a finite number >= 0, got ${describe(value)}`);
  }
  return value;
}

/**
 * The per-triplet distances d⁺ᵢ = d(xᵢ, y⁺ᵢ) and d⁻ᵢ = d(xᵢ, y⁻ᵢ) (and, on request, d(y⁺ᵢ, y⁻ᵢ)), in data
 * order. Every selection metric is a function of these.
 *
 * @param triplets Non-empty dataset of {prompt, chosen, rejected} embeddings of equal length.
 * @param options `distance`: a {@link DistanceName} or a custom function (default `"cosine"`); `between`:
 *   also compute d(y⁺ᵢ, y⁻ᵢ) (default `false`).
 * @returns Float64Arrays `chosen` (d⁺), `rejected` (d⁻) and optionally `between`.
 * @throws {RangeError} On an empty dataset, mismatched lengths or non-finite entries (naming e.g.
 *   `triplets[3].chosen`), an unknown distance name, a zero vector under the cosine distance, or a distance
 *   value that is not finite and ≥ 0.
 * @throws {TypeError} If an element is not a triplet of vectors.
 * @example
 * ```ts
 * import { tripletDistances } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const d = tripletDistances([{ prompt: [0, 0], chosen: [3, 4], rejected: [6, 8] }], {
 *   distance: "euclidean",
 * });
 * assert.deepEqual([...d.chosen, ...d.rejected], [5, 10]);
 * ```
 */
export function tripletDistances(
  triplets: readonly PreferenceTriplet[],
  options: { distance?: DistanceName | DistanceFunction; between?: boolean } = {},
): TripletDistances {
  const d = resolveDistance(options.distance);
  assertTriplets(triplets);
  const n = triplets.length;
  const chosen = new Float64Array(n);
  const rejected = new Float64Array(n);
  const between = options.between ? new Float64Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const t = triplets[i] as PreferenceTriplet;
    const p = `triplets[${i}].prompt`;
    const c = `triplets[${i}].chosen`;
    const r = `triplets[${i}].rejected`;
    chosen[i] = measure(d, t.prompt, t.chosen, p, c);
    rejected[i] = measure(d, t.prompt, t.rejected, p, r);
    if (between) between[i] = measure(d, t.chosen, t.rejected, c, r);
  }
  return between ? { chosen, rejected, between } : { chosen, rejected };
}
