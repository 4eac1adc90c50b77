/**
 * Approximate-equality helpers for the tests. JSR (and so `jsr:@std/assert`) is unreachable on the machines
 * this project is built on, so the tests use Deno's built-in `node:assert/strict` plus these two helpers.
 *
 * @module
 */
import assert from "node:assert/strict";

/** Asserts |actual − expected| ≤ atol + rtol·|expected|; infinities must match exactly. */
export function assertClose(actual: number, expected: number, rtol = 1e-9, atol = 1e-12, msg = ""): void {
  if (!Number.isFinite(expected) || !Number.isFinite(actual)) {
    assert.ok(Object.is(actual, expected), `${msg} expected ${expected}, got ${actual}`);
    return;
  }
  const tol = atol + rtol * Math.abs(expected);
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${msg} expected ${expected}, got ${actual} (|diff| ${Math.abs(actual - expected)} > ${tol})`,
  );
}

/** Element-wise {@link assertClose} over two arrays of equal length. */
export function assertAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol = 1e-9,
  atol = 1e-12,
  msg = "",
): void {
  assert.equal(actual.length, expected.length, `${msg} length`);
  for (let i = 0; i < expected.length; i++) {
    assertClose(actual[i] as number, expected[i] as number, rtol, atol, `${msg}[${i}]`);
  }
}

/** Central finite difference of a scalar function at x. */
export function finiteDifference(f: (x: number) => number, x: number, h = 1e-5): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

export { assert };
