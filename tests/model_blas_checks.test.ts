import { assert } from "./_assert.ts";
import { checkSgemm, checkSgemv, matrixSpan } from "../lib/model/blas_checks.ts";
import { loadBlas } from "../lib/model/blas.ts";

let missing: string | undefined;
try {
  loadBlas();
} catch (e) {
  missing = (e as Error).message;
  console.warn(`tests/model_blas_checks.test.ts: the native-call tests are skipped: ${missing}`);
}

/**
 * The last element (plus one) a row-major op(X) touches, by visiting every element: op(X) is `[r, c]`; stored
 * transposed it is `[c, r]`. An independent count for {@link matrixSpan}.
 */
function touched(trans: boolean, r: number, c: number, ld: number): number {
  let last = -1;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) last = Math.max(last, trans ? j * ld + i : i * ld + j);
  }
  return last + 1;
}

const f = (n: number): Float32Array => new Float32Array(n);

Deno.test("sgemm's check accepts exactly the arrays that cover every element the call touches", () => {
  let cases = 0;
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      for (const [m, n, k] of [[1, 1, 1], [2, 3, 4], [3, 1, 2], [1, 4, 1], [0, 2, 3], [2, 0, 3], [2, 3, 0]]) {
        const [m_, n_, k_] = [m as number, n as number, k as number];
        const lda = (transA ? m_ : k_) + 1, ldb = (transB ? k_ : n_) + 2, ldc = n_ + 3;
        const ea = touched(transA, m_, k_, lda),
          eb = touched(transB, k_, n_, ldb),
          ec = touched(false, m_, n_, ldc);
        checkSgemm(transA, transB, m_, n_, k_, f(ea), lda, f(eb), ldb, f(ec), ldc);
        if (ea > 0) {
          assert.throws(
            () => checkSgemm(transA, transB, m_, n_, k_, f(ea - 1), lda, f(eb), ldb, f(ec), ldc),
            new RegExp(`^RangeError: sgemm: A.* spanning ${ea} elements, but its array has ${ea - 1}$`),
          );
        }
        if (eb > 0) {
          assert.throws(
            () => checkSgemm(transA, transB, m_, n_, k_, f(ea), lda, f(eb - 1), ldb, f(ec), ldc),
            new RegExp(`^RangeError: sgemm: B.* with ldb ${ldb}, spanning ${eb} elements`),
          );
        }
        if (ec > 0) {
          assert.throws(
            () => checkSgemm(transA, transB, m_, n_, k_, f(ea), lda, f(eb), ldb, f(ec - 1), ldc),
            new RegExp(`^RangeError: sgemm: C as stored is \\[${m_}, ${n_}\\] with ldc ${ldc}`),
          );
        }
        cases++;
      }
    }
  }
  assert.equal(cases, 28);
});

Deno.test("sgemm's check rejects a leading dimension below the stored row length, and bad sizes", () => {
  const x = f(100);
  checkSgemm(false, false, 2, 3, 4, x, 4, x, 3, x, 3);
  assert.throws(
    () => checkSgemm(false, false, 2, 3, 4, x, 3, x, 3, x, 3),
    /sgemm: lda must be .*\[4, .*got 3/,
  );
  assert.throws(
    () => checkSgemm(true, false, 2, 3, 4, x, 1, x, 3, x, 3),
    /sgemm: lda must be .*\[2, .*got 1/,
  );
  assert.throws(
    () => checkSgemm(false, true, 2, 3, 4, x, 4, x, 3, x, 3),
    /sgemm: ldb must be .*\[4, .*got 3/,
  );
  assert.throws(
    () => checkSgemm(false, false, 2, 3, 4, x, 4, x, 3, x, 2),
    /sgemm: ldc must be .*\[3, .*got 2/,
  );
  assert.throws(
    () => checkSgemm(false, false, 2, 3, 0, x, 0, x, 3, x, 3),
    /sgemm: lda must be .*\[1, .*got 0/,
  );
  assert.throws(() => checkSgemm(false, false, -1, 3, 4, x, 4, x, 3, x, 3), /sgemm: m must be .*got -1/);
  assert.throws(() => checkSgemm(false, false, 2, 1.5, 4, x, 4, x, 3, x, 3), /sgemm: n must be .*got 1\.5/);
  assert.throws(() => checkSgemm(false, false, 2, 3, 2 ** 31, x, 2 ** 31, x, 3, x, 3), /sgemm: k must be/);
});

Deno.test("sgemv's check covers A, x and y for both orientations and any stride", () => {
  for (const trans of [false, true]) {
    for (const [m, n, incx, incy] of [[2, 3, 1, 1], [3, 2, 2, -3], [1, 5, 1, 1], [0, 3, 1, 1]]) {
      const [m_, n_, ix, iy] = [m as number, n as number, incx as number, incy as number];
      const lda = n_ + 1;
      const xs = trans ? m_ : n_, ys = trans ? n_ : m_;
      const span = (len: number, inc: number): number => len === 0 ? 0 : (len - 1) * Math.abs(inc) + 1;
      const ea = touched(false, m_, n_, lda), ex = span(xs, ix), ey = span(ys, iy);
      checkSgemv(trans, m_, n_, f(ea), lda, f(ex), ix, f(ey), iy);
      if (ea > 0) {
        assert.throws(() => checkSgemv(trans, m_, n_, f(ea - 1), lda, f(ex), ix, f(ey), iy), /sgemv: A/);
      }
      if (ex > 0) {
        assert.throws(
          () => checkSgemv(trans, m_, n_, f(ea), lda, f(ex - 1), ix, f(ey), iy),
          new RegExp(`^RangeError: sgemv: x has ${xs} elements ${Math.abs(ix)} apart, spanning ${ex}`),
        );
      }
      if (ey > 0) {
        assert.throws(() => checkSgemv(trans, m_, n_, f(ea), lda, f(ex), ix, f(ey - 1), iy), /sgemv: y/);
      }
    }
  }
  assert.throws(() => checkSgemv(false, 2, 2, f(4), 2, f(2), 0, f(2), 1), /sgemv: incx must be .*got 0/);
});

Deno.test("matrixSpan is the count of elements up to the last one touched", () => {
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) {
      for (let ld = Math.max(1, c); ld < 6; ld++) {
        assert.equal(matrixSpan(r, c, ld), touched(false, r, c, ld));
      }
    }
  }
});

Deno.test({
  name: "the loaded BLAS refuses a call that would write past its view, and the memory beyond stays intact",
  ignore: missing !== undefined,
  fn: () => {
    const blas = loadBlas();
    // C is a 2-element view of a 4-element buffer; a 2×2 product would write elements 2 and 3 as well.
    const buffer = new Float32Array([0, 0, -7, -7]);
    const c = buffer.subarray(0, 2);
    const ones = new Float32Array([1, 1, 1, 1]);
    assert.throws(
      () => blas.sgemm(false, false, 2, 2, 2, 1, ones, 2, ones, 2, 0, c, 2),
      /^RangeError: sgemm: C as stored is \[2, 2\] with ldc 2, spanning 4 elements, but its array has 2$/,
    );
    assert.deepEqual(Array.from(buffer), [0, 0, -7, -7]);
    const y = buffer.subarray(0, 1);
    assert.throws(() => blas.sgemv(false, 2, 2, 1, ones, 2, ones, 1, 0, y, 1), /^RangeError: sgemv: y has 2/);
    assert.deepEqual(Array.from(buffer), [0, 0, -7, -7]);
    // The same call with room for C runs.
    blas.sgemm(false, false, 2, 2, 2, 1, ones, 2, ones, 2, 0, buffer, 2);
    assert.deepEqual(Array.from(buffer), [2, 2, 2, 2]);
  },
});
