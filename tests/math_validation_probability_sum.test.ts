// Numeric edges of the public API (issue 8, item 9): the probability-sum check does not loosen with the length,
// Davies–Bouldin survives huge coordinates and refuses points with no coordinates, and TAT does not depend on
// the vectors' magnitude through rounding. Expected values are closed forms or the unscaled computation.
import { assert, assertClose } from "./_assert.ts";
import { klDivergence } from "../mod.ts";
import { PROBABILITY_SUM_TOLERANCE } from "../lib/math/validation.ts";

const sumError = (e: unknown, name: string): boolean =>
  e instanceof RangeError && e.message.startsWith(`${name} must sum to 1`);

Deno.test("probability sum: KL(uniform ‖ 1.004·uniform) at n = 50,257 is refused, not −0.004", () => {
  const n = 50_257;
  const p = new Float64Array(n).fill(1 / n);
  const q = new Float64Array(n).fill(1.004 / n);
  assert.throws(() => klDivergence(p, q), (e: unknown) => sumError(e, "q"));
  assert.throws(() => klDivergence(q, p), (e: unknown) => sumError(e, "p"));
  // The same vectors rounded to float32 still pass (rounding is relative per entry: |Σ − 1| ≲ 6e-8).
  const p32 = Float32Array.from(p);
  assertClose(klDivergence(p32, p32), 0, 0, 1e-12);
});

Deno.test("probability sum: at n = 10⁷ an all-zero vector and one summing to 0.5 are refused", () => {
  const n = 10_000_000;
  const zero = new Float32Array(n);
  const half = new Float32Array(n).fill(0.5 / n);
  const uniform = new Float32Array(n).fill(1 / n);
  assert.throws(() => klDivergence(zero, uniform), (e: unknown) => sumError(e, "p"));
  assert.throws(() => klDivergence(uniform, zero), (e: unknown) => sumError(e, "q"));
  assert.throws(() => klDivergence(half, uniform), (e: unknown) => sumError(e, "p"));
});

Deno.test("probability sum: the tolerance is the same at every length", () => {
  const inside = 1 + PROBABILITY_SUM_TOLERANCE / 2;
  const outside = 1 + PROBABILITY_SUM_TOLERANCE * 2;
  for (const n of [2, 1_000, 100_000]) {
    const ok = new Float64Array(n).fill(inside / n);
    const bad = new Float64Array(n).fill(outside / n);
    const u = new Float64Array(n).fill(1 / n);
    assert.ok(Number.isFinite(klDivergence(ok, u)), `n = ${n}`);
    assert.throws(() => klDivergence(bad, u), (e: unknown) => sumError(e, "p"), `n = ${n}`);
  }
});
