import { entropicTransport, wassersteinDistance } from "../mod.ts";
import { assert, assertClose } from "./_assert.ts";
import { TRANSPORT_CASES } from "./golden/divergences_values.ts";

function marginals(plan: Float64Array[]): { rows: number[]; cols: number[] } {
  const rows = plan.map((r) => r.reduce((a, b) => a + b, 0));
  const cols = Array.from(
    { length: plan[0]?.length ?? 0 },
    (_, j) => plan.reduce((a, r) => a + (r[j] ?? 0), 0),
  );
  return { rows, cols };
}

for (const c of TRANSPORT_CASES) {
  Deno.test(`transport ${c.name}: entropic cost matches an independent Sinkhorn at the same ε`, () => {
    const r = entropicTransport(c.p, c.q, { cost: c.cost, epsilon: c.epsilon, tolerance: 1e-13 });
    assert.ok(r.converged, `converged after ${r.iterations}`);
    assertClose(r.cost, c.entropicCost, 1e-9, 1e-12, "⟨P, C⟩");
    const { rows, cols } = marginals(r.plan);
    rows.forEach((s, i) => assertClose(s, c.p[i] as number, 0, 1e-12, `row ${i}`));
    cols.forEach((s, j) => assertClose(s, c.q[j] as number, 0, 1e-12, `col ${j}`));
    // Zero-mass rows/columns are exactly zero.
    c.p.forEach((pi, i) => {
      if (pi === 0) assert.ok(r.plan[i]?.every((x) => x === 0));
    });
  });

  Deno.test(`transport ${c.name}: small ε approaches the exact LP optimum (scipy linprog)`, () => {
    const maxC = Math.max(...c.cost.flat());
    let previous = Infinity;
    for (const scale of [1e-1, 1e-2, 1e-3]) {
      const epsilon = scale * maxC;
      const w = wassersteinDistance(c.p, c.q, {
        cost: c.cost,
        epsilon,
        maxIterations: 200_000,
        tolerance: 1e-9,
      });
      // Entropic plans are feasible (to the tolerance), so their cost is ≥ the optimum; the gap is ≤ ε·log(n²).
      assert.ok(w >= c.exact - 1e-8, `${w} < exact ${c.exact}`);
      assert.ok(
        w - c.exact <= epsilon * Math.log(c.p.length ** 2) + 1e-9,
        `gap ${w - c.exact} at ε=${epsilon}`,
      );
      assert.ok(w <= previous + 1e-9, "the cost decreases as ε shrinks");
      previous = w;
    }
    assertClose(previous, c.exact, 2e-3, 1e-6, "ε = 1e-3·max C");
  });
}

Deno.test("transport: cost |i − j| reproduces the exact 1-D Wasserstein distance", () => {
  const c = TRANSPORT_CASES.find((t) => t.wasserstein1d !== null);
  assert.ok(c !== undefined && c.wasserstein1d !== null);
  assertClose(wassersteinDistance(c.p, c.q), c.wasserstein1d, 1e-12, 1e-14, "1-D exact");
  assertClose(c.exact, c.wasserstein1d, 1e-8, 1e-10, "LP = 1-D");
  const w = wassersteinDistance(c.p, c.q, { cost: c.cost, epsilon: 1e-3 });
  assertClose(w, c.wasserstein1d, 1e-3, 1e-6, "entropic ≈ 1-D");
});

Deno.test("transport: tiny ε stays finite (log domain) with exact column marginals", () => {
  for (const c of TRANSPORT_CASES) {
    // C/ε reaches 1e6: exp(−C/ε) underflows to 0 in the multiplicative form, and Sinkhorn crawls.
    const r = entropicTransport(c.p, c.q, { cost: c.cost, epsilon: 1e-6, maxIterations: 2_000 });
    assert.ok(Number.isFinite(r.cost) && r.cost >= 0);
    assert.ok(r.plan.every((row) => row.every((x) => Number.isFinite(x) && x >= 0)));
    marginals(r.plan).cols.forEach((s, j) => assertClose(s, c.q[j] as number, 0, 1e-10, `col ${j}`));
  }
});

Deno.test("transport: identical distributions with a zero-diagonal cost cost ~0; rectangular costs work", () => {
  const p = [0.2, 0.3, 0.5];
  const cost = [[0, 1, 1], [1, 0, 1], [1, 1, 0]];
  assert.ok(wassersteinDistance(p, p, { cost, epsilon: 1e-3 }) < 1e-9);
  // Two source points, three target points.
  const r = entropicTransport([0.5, 0.5], [0.25, 0.25, 0.5], { cost: [[0, 1, 2], [2, 1, 0]], epsilon: 1e-3 });
  assert.equal(r.plan.length, 2);
  assert.equal(r.plan[0]?.length, 3);
  assertClose(r.cost, 0.25, 1e-6, 1e-9, "rectangular");
});

Deno.test("transport: a zero cost matrix gives the independent plan p qᵀ and cost 0", () => {
  const p = [0.25, 0.75];
  const q = [0.5, 0.5];
  const r = entropicTransport(p, q, { cost: [[0, 0], [0, 0]] });
  assert.equal(r.cost, 0);
  assertClose(r.plan[1]?.[0] ?? NaN, 0.375, 1e-12);
});

Deno.test("transport: maxIterations caps the work and reports non-convergence", () => {
  const c = TRANSPORT_CASES[0];
  assert.ok(c !== undefined);
  const r = entropicTransport(c.p, c.q, { cost: c.cost, epsilon: 1e-4, maxIterations: 3 });
  assert.equal(r.iterations, 3);
  assert.equal(r.converged, false);
  // The achieved accuracy is returned: the plan's L1 row-marginal error, above the tolerance when capped ...
  const rowError = (plan: Float64Array[]) =>
    plan.reduce((s, row, i) => s + Math.abs(row.reduce((a, x) => a + x, 0) - (c.p[i] as number)), 0);
  assertClose(r.marginalError, rowError(r.plan), 1e-9, 1e-15);
  assert.ok(r.marginalError > 1e-6);
  // ... and at most the tolerance when converged.
  for (const tolerance of [1e-3, 1e-9]) {
    const ok = entropicTransport(c.p, c.q, { cost: c.cost, epsilon: 0.05, tolerance });
    assert.ok(ok.converged && ok.marginalError <= tolerance, `tolerance ${tolerance}: ${ok.marginalError}`);
    assertClose(ok.marginalError, rowError(ok.plan), 1e-6, 1e-15);
  }
});

Deno.test("transport: bad cost and options throw errors naming the argument", () => {
  const p = [0.5, 0.5];
  const names: [() => unknown, RegExp][] = [
    [() => entropicTransport(p, p, { cost: [[0, 1]] }), /^cost/],
    [() => entropicTransport(p, p, { cost: [[0, 1, 2], [1, 0, 2]] }), /^cost/],
    [() => entropicTransport(p, p, { cost: [[0, -1], [1, 0]] }), /^cost\[0\]\[1\]/],
    [() => entropicTransport(p, p, { cost: [[0, NaN], [1, 0]] }), /^cost\[0\]/],
    [() => entropicTransport(p, p, { cost: [[0, 1], [1, 0]], epsilon: 0 }), /^epsilon/],
    [() => entropicTransport(p, p, { cost: [[0, 1], [1, 0]], epsilon: NaN }), /^epsilon/],
    [() => entropicTransport(p, p, { cost: [[0, 1], [1, 0]], maxIterations: 0 }), /^maxIterations/],
    [() => entropicTransport(p, p, { cost: [[0, 1], [1, 0]], maxIterations: 1.5 }), /^maxIterations/],
    [() => entropicTransport(p, p, { cost: [[0, 1], [1, 0]], tolerance: -1 }), /^tolerance/],
    [() => wassersteinDistance(p, p, { cost: [[0, 1], [1, 0]], positions: [0, 1] }), /positions and cost/],
    [() => wassersteinDistance(p, p, { positions: [0] }), /^positions/],
    [() => wassersteinDistance(p, p, { positions: [0, Infinity] }), /^positions\[1\]/],
  ];
  for (const [fn, re] of names) {
    assert.throws(fn, (e: unknown) => e instanceof RangeError && re.test(e.message));
  }
  assert.throws(
    () => entropicTransport(p, p, {} as { cost: number[][] }),
    (e: unknown) => e instanceof TypeError && /^cost/.test(e.message),
  );
});
