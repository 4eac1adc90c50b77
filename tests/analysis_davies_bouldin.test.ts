import { assert, assertClose } from "./_assert.ts";
import { daviesBouldinScore } from "../mod.ts";
import { DAVIES_BOULDIN_CASES } from "./golden/analysis_values.ts";

for (const c of DAVIES_BOULDIN_CASES) {
  Deno.test(`daviesBouldinScore matches sklearn: ${c.name}`, () => {
    assertClose(daviesBouldinScore(c.points, c.labels), c.expected, 1e-10, 1e-12);
  });
}

Deno.test("daviesBouldinScore follows the paper's formula on a hand-computed example", () => {
  // clusters on a line: A = {0, 2} (μ 1, S 1), B = {5, 7} (μ 6, S 1), C = {10, 11, 12} (μ 11, S 2/3)
  const points = [[0], [2], [5], [7], [10], [11], [12]];
  const labels = [0, 0, 1, 1, 2, 2, 2];
  const rA = Math.max((1 + 1) / 5, (1 + 2 / 3) / 10);
  const rB = Math.max((1 + 1) / 5, (1 + 2 / 3) / 5);
  const rC = Math.max((2 / 3 + 1) / 10, (2 / 3 + 1) / 5);
  assertClose(daviesBouldinScore(points, labels), (rA + rB + rC) / 3, 1e-14);
});

Deno.test("daviesBouldinScore ignores label names and point order", () => {
  const c = DAVIES_BOULDIN_CASES[2]!;
  const renamed = c.labels.map((l) => `cluster-${l}`);
  assertClose(daviesBouldinScore(c.points, renamed), c.expected, 1e-10);
  const order = c.points.map((_, i) => i).reverse();
  assertClose(
    daviesBouldinScore(order.map((i) => c.points[i]!), order.map((i) => c.labels[i]!)),
    c.expected,
    1e-10,
  );
});

Deno.test("daviesBouldinScore accepts typed-array rows and does not mutate its inputs", () => {
  const points = [new Float64Array([0, 0]), new Float64Array([0, 1]), new Float32Array([4, 0]), [4, 1]];
  const labels = ["a", "a", "b", "b"];
  const copy = points.map((r) => Array.from(r));
  assertClose(daviesBouldinScore(points, labels), (0.5 + 0.5) / 4, 1e-14);
  assert.deepEqual(points.map((r) => Array.from(r)), copy);
  assert.deepEqual(labels, ["a", "a", "b", "b"]);
});

Deno.test("daviesBouldinScore is 0 when every cluster is a single repeated point", () => {
  assert.equal(daviesBouldinScore([[0, 0], [0, 0], [3, 4], [3, 4]], [1, 1, 2, 2]), 0);
});

Deno.test("daviesBouldinScore rejects bad input, naming the argument", () => {
  assert.throws(() => daviesBouldinScore([], []), { name: "RangeError", message: /points/ });
  assert.throws(() => daviesBouldinScore([[0], [NaN], [1]], [0, 1, 1]), {
    name: "RangeError",
    message: /points\[1\]/,
  });
  assert.throws(() => daviesBouldinScore([[0, 1], [1], [2, 2]], [0, 1, 1]), {
    name: "RangeError",
    message: /points\[1\]/,
  });
  assert.throws(() => daviesBouldinScore([[0], [1], [2]], [0, 1]), { name: "RangeError", message: /labels/ });
  assert.throws(() => daviesBouldinScore([[0], [1], [2]], [0, 0, 0]), {
    name: "RangeError",
    message: /labels.*got 1/,
  });
  assert.throws(() => daviesBouldinScore([[0], [1], [2]], [0, 1, 2]), {
    name: "RangeError",
    message: /labels.*got 3/,
  });
  assert.throws(() => daviesBouldinScore([[0], [1], [2]], [NaN, 1, 1]), {
    name: "RangeError",
    message: /labels\[0\]/,
  });
  assert.throws(
    () => daviesBouldinScore([[0], [1], [2]], [0, {} as unknown as number, 1]),
    { name: "TypeError", message: /labels\[1\]/ },
  );
  assert.throws(() => daviesBouldinScore("x" as unknown as number[][], [0]), {
    name: "TypeError",
    message: /points/,
  });
  assert.throws(() => daviesBouldinScore([[0], [1], [2]], "abc" as unknown as string[]), {
    name: "TypeError",
    message: /labels/,
  });
});
