import {
  bhattacharyyaDistance,
  divergence,
  DIVERGENCE_NAMES,
  DIVERGENCES,
  fDivergence,
  fGenerator,
  hellingerDistance,
  jsDivergence,
  klDivergence,
  renyiDivergence,
  wassersteinDistance,
} from "../mod.ts";
import type { FGenerator, FGeneratorName, Vector } from "../mod.ts";
import { assert } from "./_assert.ts";

const FUNCTIONS: [string, (p: Vector, q: Vector) => number][] = [
  ["klDivergence", klDivergence],
  ["jsDivergence", jsDivergence],
  ["hellingerDistance", hellingerDistance],
  ["renyiDivergence", renyiDivergence],
  ["renyiDivergence α=0.3", (p, q) => renyiDivergence(p, q, { alpha: 0.3 })],
  ["bhattacharyyaDistance", bhattacharyyaDistance],
  ["wassersteinDistance", wassersteinDistance],
  [
    "wassersteinDistance cost",
    (p, q) => wassersteinDistance(p, q, { cost: p.length === 2 ? [[0, 1], [1, 0]] : [[0]] }),
  ],
  ["fDivergence", fDivergence],
  ...DIVERGENCE_NAMES.map((
    n,
  ): [string, (p: Vector, q: Vector) => number] => [`divergence("${n}")`, (p, q) => divergence(n, p, q)]),
];

const GOOD = [0.25, 0.75];

/** [label, p, q, the argument the message must name]. */
const BAD: [string, Vector, Vector, string][] = [
  ["length mismatch", [0.5, 0.5], [0.2, 0.3, 0.5], "p and q"],
  ["negative entry in p", [1.5, -0.5], GOOD, "p[1]"],
  ["negative entry in q", GOOD, [-0.1, 1.1], "q[0]"],
  ["p sums far from 1", [0.5, 0.6], GOOD, "p"],
  ["q sums far from 1", GOOD, [0.1, 0.1], "q"],
  ["NaN in p", [NaN, 1], GOOD, "p[0]"],
  ["NaN in q", GOOD, [0.5, NaN], "q[1]"],
  ["Infinity in q", GOOD, [Infinity, 0], "q[0]"],
  ["empty p", [], GOOD, "p"],
  ["empty q", GOOD, [], "q"],
];

for (const [fname, fn] of FUNCTIONS) {
  Deno.test(`validation ${fname}: bad p/q throw RangeErrors naming the argument`, () => {
    for (const [label, p, q, name] of BAD) {
      assert.throws(
        () => fn(p, q),
        (e: unknown) => e instanceof RangeError && e.message.startsWith(name),
        `${fname}: ${label}`,
      );
    }
  });

  Deno.test(`validation ${fname}: non-arrays throw TypeErrors naming the argument`, () => {
    assert.throws(
      () => fn("ab" as unknown as Vector, GOOD),
      (e: unknown) => e instanceof TypeError && /^p /.test(e.message),
    );
    assert.throws(
      () => fn(GOOD, null as unknown as Vector),
      (e: unknown) => e instanceof TypeError && /^q /.test(e.message),
    );
  });
}

Deno.test("validation: renyi alpha must be a number ≥ 0", () => {
  for (const alpha of [-1, NaN, -Infinity, "2" as unknown as number]) {
    assert.throws(
      () => renyiDivergence(GOOD, GOOD, { alpha }),
      (e: unknown) => e instanceof RangeError && /^alpha/.test(e.message),
      String(alpha),
    );
  }
});

Deno.test("validation: f generator names, user generators and the alpha generator", () => {
  assert.throws(
    () => fDivergence(GOOD, GOOD, { f: "nope" as FGeneratorName }),
    (e: unknown) => e instanceof RangeError && /^f must be one of .*"reverse-kl"/.test(e.message),
  );
  assert.throws(
    () => fDivergence(GOOD, GOOD, { f: { name: "x" } as unknown as FGenerator }),
    (e: unknown) => e instanceof TypeError && /^f /.test(e.message),
  );
  assert.throws(
    () => fDivergence(GOOD, GOOD, { f: { name: "x", f: (t: number) => t, atZero: NaN, slopeAtInfinity: 1 } }),
    (e: unknown) => e instanceof TypeError && /^f\.atZero/.test(e.message),
  );
  for (const alpha of [undefined, 0, 1, NaN, Infinity]) {
    assert.throws(
      () => fDivergence(GOOD, GOOD, { f: "alpha", alpha }),
      (e: unknown) => e instanceof RangeError && /^alpha/.test(e.message),
      String(alpha),
    );
  }
  assert.throws(() => fGenerator("toString" as FGeneratorName), RangeError);
});

Deno.test("validation: divergence() names the bad name and lists the valid ones", () => {
  assert.throws(
    () => divergence("tv" as "kl", GOOD, GOOD),
    (e: unknown) =>
      e instanceof RangeError && e.message.startsWith("name must be one of") && e.message.includes('"tv"') &&
      DIVERGENCE_NAMES.every((n) => e.message.includes(`"${n}"`)),
  );
  assert.throws(() => divergence("constructor" as "kl", GOOD, GOOD), RangeError);
  assert.deepEqual(Object.keys(DIVERGENCES), [...DIVERGENCE_NAMES]);
});

Deno.test("validation: inputs are never mutated", () => {
  const p = [0.1, 0.2, 0.7];
  const q = new Float64Array([0.3, 0, 0.7]);
  const pc = [...p];
  const qc = Float64Array.from(q);
  for (const n of DIVERGENCE_NAMES) divergence(n, p, q);
  assert.deepEqual(p, pc);
  assert.deepEqual(q, qc);
});
