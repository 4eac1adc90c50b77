/**
 * Argument checks for the native BLAS calls in blas.ts, run before every call: a size, stride or offset that
 * makes the library touch an element past the end of its array throws a `RangeError` naming the call and the
 * numbers, instead of corrupting the heap. Each check is O(1).
 *
 * @module
 */

/** The largest value a CBLAS `int` argument can hold. */
const INT_MAX = 2 ** 31 - 1;

function checkInt(call: string, name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min || value > INT_MAX) {
    throw new RangeError(`${call}: ${name} must be an integer in [${min}, ${INT_MAX}], got ${value}`);
  }
}

/**
 * Elements a row-major `[rows, cols]` matrix with rows `ld` apart spans from its first element (0 when it has
 * none): the last element a BLAS call may touch is at (rows − 1)·ld + cols − 1.
 *
 * @param rows Rows as stored.
 * @param cols Columns as stored.
 * @param ld Row stride (elements).
 * @returns The span in elements.
 *
 * @example
 * ```ts
 * import { matrixSpan } from "./blas_checks.ts";
 * console.assert(matrixSpan(2, 3, 5) === 8); // rows at 0 and 5, three elements each
 * console.assert(matrixSpan(0, 3, 5) === 0);
 * ```
 */
export function matrixSpan(rows: number, cols: number, ld: number): number {
  return rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
}

/** Checks one matrix argument: ld ≥ max(1, cols) (row-major) and the array covers its span. */
function checkMatrix(
  call: string,
  name: string,
  array: Float32Array,
  rows: number,
  cols: number,
  ld: number,
  ldName: string,
): void {
  checkInt(call, ldName, ld, Math.max(1, cols));
  const span = matrixSpan(rows, cols, ld);
  if (array.length < span) {
    throw new RangeError(
      `${call}: ${name} as stored is [${rows}, ${cols}] with ${ldName} ${ld}, spanning ${span} elements, ` +
        `but its array has ${array.length}`,
    );
  }
}

/** Checks one vector argument: inc ≠ 0 and the array covers (len − 1)·|inc| + 1 elements. */
function checkVector(call: string, name: string, array: Float32Array, len: number, inc: number): void {
  checkInt(call, `inc${name}`, Math.abs(inc), 1);
  const span = len === 0 ? 0 : (len - 1) * Math.abs(inc) + 1;
  if (array.length < span) {
    throw new RangeError(
      `${call}: ${name} has ${len} elements ${Math.abs(inc)} apart, spanning ${span}, but its array has ` +
        `${array.length}`,
    );
  }
}

/**
 * Checks every argument of a row-major `cblas_sgemm` before the native call (O(1)): sizes are integers ≥ 0,
 * each leading dimension is at least its stored row length, and each array covers the last element the call
 * can read or write. A wrong size or offset would otherwise make the library write past a buffer and corrupt
 * the heap silently.
 *
 * @throws {RangeError} Naming the call, the argument and the numbers.
 *
 * @example
 * ```ts
 * import { checkSgemm } from "./blas_checks.ts";
 * const x = new Float32Array(4);
 * checkSgemm(false, false, 2, 2, 2, x, 2, x, 2, x, 2); // fits
 * let threw = false;
 * try {
 *   checkSgemm(false, false, 2, 2, 2, x, 2, x, 2, x, 3); // C's rows 3 apart need 5 elements
 * } catch (e) {
 *   threw = e instanceof RangeError && /sgemm: C/.test(e.message);
 * }
 * console.assert(threw);
 * ```
 */
export function checkSgemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  c: Float32Array,
  ldc: number,
): void {
  const call = "sgemm";
  checkInt(call, "m", m, 0);
  checkInt(call, "n", n, 0);
  checkInt(call, "k", k, 0);
  checkMatrix(call, transA ? "A (transposed)" : "A", a, transA ? k : m, transA ? m : k, lda, "lda");
  checkMatrix(call, transB ? "B (transposed)" : "B", b, transB ? n : k, transB ? k : n, ldb, "ldb");
  checkMatrix(call, "C", c, m, n, ldc, "ldc");
}

/**
 * Checks every argument of a row-major `cblas_sgemv` before the native call (O(1)): A `[m, n]` with
 * lda ≥ max(1, n), x of op(A)'s column count and y of its row count, each covered by its array.
 *
 * @throws {RangeError} Naming the call, the argument and the numbers.
 *
 * @example
 * ```ts
 * import { checkSgemv } from "./blas_checks.ts";
 * checkSgemv(true, 2, 3, new Float32Array(6), 3, new Float32Array(2), 1, new Float32Array(3), 1);
 * let threw = false;
 * try {
 *   checkSgemv(false, 2, 3, new Float32Array(6), 3, new Float32Array(2), 1, new Float32Array(2), 1);
 * } catch (e) {
 *   threw = e instanceof RangeError && /sgemv: x/.test(e.message); // x needs n = 3 elements
 * }
 * console.assert(threw);
 * ```
 */
export function checkSgemv(
  trans: boolean,
  m: number,
  n: number,
  a: Float32Array,
  lda: number,
  x: Float32Array,
  incx: number,
  y: Float32Array,
  incy: number,
): void {
  const call = "sgemv";
  checkInt(call, "m", m, 0);
  checkInt(call, "n", n, 0);
  checkMatrix(call, "A", a, m, n, lda, "lda");
  checkVector(call, "x", x, trans ? m : n, incx);
  checkVector(call, "y", y, trans ? n : m, incy);
}
