import { createRandom } from "../lib/math/random.ts";
import {
  bhattacharyyaDistance,
  DEFAULT_RENYI_ALPHA,
  divergence,
  DIVERGENCE_NAMES,
  DIVERGENCES,
  F_GENERATORS,
  fDivergence,
  type FGeneratorName,
  hellingerDistance,
  jsDivergence,
  klDivergence,
  renyiDivergence,
  wassersteinDistance,
} from "../mod.ts";
import { assert, assertClose, finiteDifference } from "./_assert.ts";

/** A Dirichlet(1, …, 1) draw (normalized exponentials), with `zeros` entries set to 0. */
function dirichlet(next: () => number, n: number, zeros = 0): number[] {
  const x = Array.from({ length: n }, () => -Math.log(1 - next()));
  for (let k = 0; k < zeros; k++) x[Math.floor(next() * n)] = 0;
  const s = x.reduce((a, b) => a + b, 0);
  return x.map((v) => v / s);
}

function pairs(seed: number, count = 40): [number[], number[]][] {
  const next = createRandom(seed).uniform;
  return Array.from({ length: count }, (_, k) => {
    const n = 3 + Math.floor(next() * 48);
    const zp = k % 3 === 1 ? Math.floor(n / 3) : 0;
    const zq = k % 3 === 2 ? Math.floor(n / 3) : 0;
    return [dirichlet(next, n, zp), dirichlet(next, n, zq)];
  });
}

Deno.test("properties: bounds (0 ≤ JS ≤ ln 2, 0 ≤ H ≤ 1, KL, D_B, W ≥ 0) and symmetry", () => {
  for (const [p, q] of pairs(1)) {
    const js = jsDivergence(p, q);
    assert.ok(js >= 0 && js <= Math.LN2, `JS ${js}`);
    const h = hellingerDistance(p, q);
    assert.ok(h >= 0 && h <= 1, `H ${h}`);
    assert.ok(klDivergence(p, q) >= -1e-15);
    assert.ok(bhattacharyyaDistance(p, q) >= 0);
    assert.ok(wassersteinDistance(p, q) >= 0);
    assertClose(jsDivergence(q, p), js, 1e-14, 1e-16, "JS symmetric");
    assertClose(hellingerDistance(q, p), h, 1e-14, 1e-16, "H symmetric");
    assertClose(bhattacharyyaDistance(q, p), bhattacharyyaDistance(p, q), 1e-12, 1e-16, "D_B symmetric");
    assertClose(wassersteinDistance(q, p), wassersteinDistance(p, q), 1e-12, 1e-15, "W symmetric");
    // Pinsker-type and Hellinger/Bhattacharyya relations.
    assertClose(bhattacharyyaDistance(p, q), -Math.log(1 - h * h), 1e-9, 1e-14, "D_B = −log(1 − H²)");
    assertClose(renyiDivergence(p, q, { alpha: 0.5 }), 2 * bhattacharyyaDistance(p, q), 1e-12, 1e-15, "D_½");
  }
});

Deno.test("properties: identical distributions give exactly 0; disjoint give the extreme values", () => {
  const next = createRandom(2).uniform;
  for (const n of [1, 2, 7, 50]) {
    const p = dirichlet(next, n);
    for (const name of DIVERGENCE_NAMES) assert.equal(divergence(name, p, p), 0, `${name} n=${n}`);
    for (const alpha of [0, 0.3, 0.5, 0.99, 1, 2, 7.5, Infinity]) {
      assert.equal(renyiDivergence(p, p, { alpha }), 0);
    }
  }
  const p = [0.5, 0.5, 0, 0];
  const q = [0, 0, 0.25, 0.75];
  assert.equal(klDivergence(p, q), Infinity);
  assert.equal(jsDivergence(p, q), Math.LN2);
  assert.equal(hellingerDistance(p, q), 1);
  assert.equal(bhattacharyyaDistance(p, q), Infinity);
  for (const alpha of [0, 0.3, 0.5, 1, 2, 3.5, Infinity]) {
    assert.equal(renyiDivergence(p, q, { alpha }), Infinity);
  }
  assertClose(wassersteinDistance(p, q), 0.5 + 1 + 0.75, 1e-15); // |F_p − F_q| on the three gaps
  assert.equal(fDivergence(p, q, { f: "total-variation" }), 1);
  assert.equal(fDivergence(p, q, { f: "reverse-kl" }), Infinity);
});

Deno.test("properties: Rényi is non-decreasing in α and tends to KL as α → 1", () => {
  const alphas = [
    0,
    0.1,
    0.25,
    0.5,
    0.75,
    0.9,
    0.99,
    0.999999,
    1,
    1.000001,
    1.01,
    1.5,
    2,
    3,
    5,
    10,
    50,
    Infinity,
  ];
  for (const [p, q] of pairs(3)) {
    let previous = -Infinity;
    for (const alpha of alphas) {
      const d = renyiDivergence(p, q, { alpha });
      assert.ok(
        d >= previous || d >= previous - 1e-12 * Math.max(1, previous),
        `α=${alpha}: ${d} < ${previous}`,
      );
      previous = d;
    }
    const kl = klDivergence(p, q);
    if (Number.isFinite(kl)) {
      for (const h of [1e-3, 1e-5, 1e-7]) {
        assertClose(renyiDivergence(p, q, { alpha: 1 - h }), kl, 10 * h, 1e-12, `α = 1 − ${h}`);
        assertClose(renyiDivergence(p, q, { alpha: 1 + h }), kl, 10 * h, 1e-12, `α = 1 + ${h}`);
      }
    }
  }
});

Deno.test("properties: entries many orders of magnitude apart stay finite and accurate", () => {
  const p = [1e-300, 0.5 - 1e-300, 0.5];
  const q = [0.5, 0.25, 0.25];
  const m = [0.25, 0.375 - 5e-301, 0.375];
  const kl = (a: number[], b: number[]): number =>
    a.reduce((s, x, i) => s + (x > 0 ? x * Math.log(x / (b[i] as number)) : 0), 0);
  assertClose(jsDivergence(p, q), 0.5 * kl(p, m) + 0.5 * kl(q, m), 1e-14);
  assertClose(fDivergence(p, q, { f: "js" }), jsDivergence(p, q), 1e-14);
  assertClose(
    klDivergence([1 - 1e-310, 1e-310], [1 - 5e-324, 5e-324]),
    Math.log(1) + 1e-310 * Math.log(1e-310 / 5e-324),
    1e-9,
    1e-300,
  );
  assert.ok(Number.isFinite(klDivergence([0.5, 0.5], [1 - 5e-324, 5e-324])));
});

Deno.test("properties: Rényi at large α stays finite (log-domain fallback) and approaches D_∞", () => {
  const p = [0.9, 0.05, 0.05];
  const q = [1e-6, 0.5, 0.5 - 1e-6];
  const dInf = renyiDivergence(p, q, { alpha: Infinity });
  assertClose(dInf, Math.log(0.9 / 1e-6), 1e-14);
  const d500 = renyiDivergence(p, q, { alpha: 500 }); // (p/q)^499 overflows a double
  assert.ok(Number.isFinite(d500) && d500 <= dInf && d500 > dInf - 0.01, String(d500));
  // Little overlap at α < 1: the sum is tiny but the value must stay finite and exact.
  const a = [1 - 1e-30, 1e-30];
  const b = [0, 1];
  assertClose(renyiDivergence(a, b, { alpha: 0.5 }), -2 * Math.log(Math.sqrt(1e-30)), 1e-12);
  assertClose(renyiDivergence(a, b, { alpha: 0.25 }), -Math.log(1e-30 ** 0.25) / 0.75, 1e-12);
});

Deno.test("properties: named f-generators reproduce the closed forms and the dedicated functions", () => {
  for (const [p, q] of pairs(4)) {
    assertClose(fDivergence(p, q, { f: "js" }), jsDivergence(p, q), 1e-12, 1e-15, "js");
    const h = hellingerDistance(p, q);
    assertClose(fDivergence(p, q, { f: "hellinger" }), h * h, 1e-12, 1e-15, "hellinger");
    assertClose(fDivergence(p, q, { f: "alpha", alpha: 0.5 }), 4 * h * h, 1e-12, 1e-15, "alpha ½ = 4H²");
    assertClose(fDivergence(p, q, { f: "kl" }), klDivergence(p, q), 1e-12, 1e-15, "kl");
    assertClose(fDivergence(p, q, { f: "reverse-kl" }), klDivergence(q, p), 1e-12, 1e-15, "reverse-kl");
    // Amari and Rényi: D_α^R = log(1 + α(α − 1) D_α^A)/(α − 1).
    for (const alpha of [0.3, 2, 3]) {
      const amari = fDivergence(p, q, { f: "alpha", alpha });
      const r = renyiDivergence(p, q, { alpha });
      if (Number.isFinite(r)) {
        assertClose(Math.log1p(alpha * (alpha - 1) * amari) / (alpha - 1), r, 1e-9, 1e-13, `α=${alpha}`);
      }
    }
    // α → 1 and α → 0 limits of Amari.
    assertClose(fDivergence(p, q, { f: "alpha", alpha: 1 + 1e-6 }), klDivergence(p, q), 1e-4, 1e-9, "α→1");
  }
});

Deno.test("properties: every generator has f(1) = 0, f′ matching finite differences, and correct limits", () => {
  const names = Object.keys(F_GENERATORS) as FGeneratorName[];
  for (const name of names) {
    for (const alpha of name === "alpha" ? [-0.5, 0.3, 0.5, 2] : [undefined]) {
      const g = F_GENERATORS[name]({ alpha });
      assertClose(g.f(1), 0, 0, 1e-15, `${g.name} f(1)`);
      for (const t of [0.05, 0.5, 0.9, 2, 7]) {
        if (name === "total-variation" && Math.abs(t - 1) < 1e-3) continue;
        assertClose(g.derivative(t), finiteDifference(g.f, t, 1e-6), 1e-6, 1e-8, `${g.name} f′(${t})`);
      }
      // atZero is lim f(t) as t → 0⁺ and slopeAtInfinity is lim f(t)/t.
      if (Number.isFinite(g.atZero)) assertClose(g.f(1e-60), g.atZero, 1e-4, 1e-4, `${g.name} f(0⁺)`);
      else assert.ok(g.f(1e-60) > 10, `${g.name} f(0⁺) diverges`);
      if (Number.isFinite(g.slopeAtInfinity)) {
        assertClose(g.f(1e60) / 1e60, g.slopeAtInfinity, 1e-3, 1e-4, `${g.name} slope`);
      } else assert.ok(g.f(1e60) / 1e60 > 10, `${g.name} slope diverges`);
    }
  }
});

Deno.test("properties: f-DPO admissibility (0 ∉ dom f′) is flagged as in Wang et al. 2023", () => {
  const admissible = (name: FGeneratorName, alpha?: number): boolean =>
    F_GENERATORS[name]({ alpha }).fDpoAdmissible;
  assert.ok(admissible("reverse-kl") && admissible("kl") && admissible("js") && admissible("hellinger"));
  assert.ok(admissible("alpha", 0.3) && admissible("alpha", 0.5));
  assert.ok(!admissible("total-variation") && !admissible("chi-squared"));
  assert.ok(!admissible("alpha", 2) && !admissible("alpha", -0.5));
  // The flag matches the behaviour of f′ at 0⁺: admissible generators have f′(t) → −∞.
  for (const name of ["reverse-kl", "kl", "js", "hellinger"] as const) {
    assert.ok(F_GENERATORS[name]().derivative(1e-300) < -50, name);
  }
  assert.ok(Number.isFinite(F_GENERATORS["chi-squared"]().derivative(0)));
});

Deno.test("properties: Float32Array inputs of length 50,257 are accepted and agree with float64", () => {
  const n = 50_257;
  const next = createRandom(5).uniform;
  const raw = Array.from({ length: 2 }, () => {
    const x = Float64Array.from({ length: n }, () => Math.exp(2 * (next() + next() + next() - 1.5)));
    const s = x.reduce((a, b) => a + b, 0);
    return x.map((v) => v / s);
  });
  const p64 = raw[0] as Float64Array;
  const q64 = raw[1] as Float64Array;
  const p32 = Float32Array.from(p64);
  const q32 = Float32Array.from(q64);
  for (const name of DIVERGENCE_NAMES) {
    const d32 = divergence(name, p32, q32);
    const d64 = divergence(name, p64, q64);
    assert.ok(Number.isFinite(d32), name);
    // float32 rounding of each entry (relative 6e-8) moves the sums by up to ~1e-5.
    assertClose(d32, d64, 1e-3, 1e-5, name);
  }
  assert.ok(renyiDivergence(p32, q64, { alpha: 0.7 }) > 0);
});

Deno.test("properties: the table's defaults (Rényi α = 2, f = JS, Wasserstein on 0…n−1)", () => {
  const [p, q] = pairs(6, 1)[0] as [number[], number[]];
  assert.equal(DEFAULT_RENYI_ALPHA, 0.75);
  assert.equal(DIVERGENCES.renyi(p, q), renyiDivergence(p, q, { alpha: 0.75 }));
  assert.equal(DIVERGENCES.renyi(p, q, { alpha: 0.5 }), renyiDivergence(p, q, { alpha: 0.5 }));
  assert.equal(DIVERGENCES.f(p, q), fDivergence(p, q, { f: "js" }));
  assert.equal(DIVERGENCES.f(p, q, { f: "chi-squared" }), fDivergence(p, q, { f: "chi-squared" }));
  assert.equal(DIVERGENCES.wasserstein(p, q), wassersteinDistance(p, q));
  const positions = p.map((_, i) => i * i);
  assert.equal(DIVERGENCES.wasserstein(p, q, { positions }), wassersteinDistance(p, q, { positions }));
  assert.equal(DIVERGENCES.kl(p, q, { alpha: 5 }), klDivergence(p, q));
  assert.equal(divergence("hellinger", p, q), hellingerDistance(p, q));
});

Deno.test("properties: 1-D Wasserstein is translation invariant and scales with the positions", () => {
  for (const [p, q] of pairs(7, 10)) {
    const positions = p.map((_, i) => Math.sin(i) * 10);
    const w = wassersteinDistance(p, q, { positions });
    assertClose(wassersteinDistance(p, q, { positions: positions.map((x) => x + 3) }), w, 1e-12, 1e-14);
    assertClose(
      wassersteinDistance(p, q, { positions: positions.map((x) => 2.5 * x) }),
      2.5 * w,
      1e-12,
      1e-14,
    );
    // Default positions = 0…n−1, also as explicit (sorted) and reversed positions.
    const idx = p.map((_, i) => i);
    assertClose(wassersteinDistance(p, q, { positions: idx }), wassersteinDistance(p, q), 1e-14, 1e-15);
    assertClose(
      wassersteinDistance(p, q, { positions: idx.map((i) => -i) }),
      wassersteinDistance(p, q),
      1e-12,
      1e-15,
    );
  }
});
