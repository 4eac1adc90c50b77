/**
 * Shared numeric types.
 *
 * @module
 */

/**
 * A read-only vector of numbers. Plain arrays are the default currency of the numeric API; typed arrays are
 * accepted too, so that large inputs (a 50,257-entry vocabulary distribution, say) need no copy.
 */
export type Vector = readonly number[] | Float64Array | Float32Array;

/** A read-only matrix given as rows. */
export type Matrix = readonly Vector[];
