import { assert, assertAllClose, assertClose } from "./_assert.ts";
import { pcaProject } from "../mod.ts";
import { PCA_CASES } from "./golden/analysis_values.ts";

for (const c of PCA_CASES) {
  Deno.test(`pcaProject matches sklearn PCA (signs included): ${c.name}`, () => {
    const got = pcaProject(c.points, { components: c.components });
    assertAllClose(got.mean, c.mean, 1e-12, 1e-14, "mean");
    assertAllClose(got.explainedVarianceRatio, c.explainedVarianceRatio, 1e-9, 1e-14, "ratio");
    assert.equal(got.components.length, c.components);
    got.components.forEach((row, j) => assertAllClose(row, c.axes[j]!, 1e-8, 1e-10, `components[${j}]`));
    assert.equal(got.projected.length, c.points.length);
    got.projected.forEach((row, i) => assertAllClose(row, c.projected[i]!, 1e-8, 1e-10, `projected[${i}]`));
  });
}

Deno.test("pcaProject defaults to 2 components; projected = (X − mean) · componentsᵀ", () => {
  const c = PCA_CASES[1]!;
  const got = pcaProject(c.points);
  assert.equal(got.components.length, 2);
  assert.equal(got.projected[0]!.length, 2);
  c.points.forEach((row, i) => {
    for (let j = 0; j < 2; j++) {
      const want = row.reduce((s, v, f) => s + (v - got.mean[f]!) * got.components[j]![f]!, 0);
      assertClose(got.projected[i]![j]!, want, 1e-10, 1e-12);
    }
  });
  // orthonormal axes, and all d components explain all the variance
  const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
  assertClose(dot(got.components[0]!, got.components[0]!), 1, 1e-12);
  assertClose(dot(got.components[0]!, got.components[1]!), 0, 0, 1e-12);
  const full = pcaProject(c.points, { components: 6 });
  assertClose(full.explainedVarianceRatio.reduce((s, v) => s + v, 0), 1, 1e-12);
});

Deno.test("pcaProject accepts typed-array rows and does not mutate its input", () => {
  const rows = [new Float64Array([1, 2]), new Float32Array([3, 1]), [0, 5], [4, 4]];
  const copy = rows.map((r) => Array.from(r));
  const a = pcaProject(rows);
  assert.deepEqual(rows.map((r) => Array.from(r)), copy);
  const b = pcaProject(copy);
  assert.deepEqual(a, b);
});

Deno.test("pcaProject rejects bad input, naming the argument", () => {
  assert.throws(() => pcaProject([]), { name: "RangeError", message: /points/ });
  assert.throws(() => pcaProject([[1, 2]]), { name: "RangeError", message: /points.*got 1/ });
  assert.throws(() => pcaProject([[1, 2], [3]]), { name: "RangeError", message: /points\[1\]/ });
  assert.throws(() => pcaProject([[1, 2], [3, NaN]]), { name: "RangeError", message: /points\[1\]/ });
  assert.throws(() => pcaProject([[], []]), { name: "RangeError", message: /points/ });
  assert.throws(() => pcaProject([[1, 2], [1, 2], [1, 2]]), { name: "RangeError", message: /points/ });
  assert.throws(() => pcaProject([[1, 2], [3, 4]], { components: 0 }), {
    name: "RangeError",
    message: /options\.components/,
  });
  assert.throws(() => pcaProject([[1, 2], [3, 4], [0, 1]], { components: 3 }), {
    name: "RangeError",
    message: /options\.components.*got 3/,
  });
  assert.throws(() => pcaProject([[1, 2], [3, 4]], { components: 1.5 }), {
    name: "RangeError",
    message: /options\.components/,
  });
  assert.throws(() => pcaProject({} as unknown as number[][]), { name: "TypeError", message: /points/ });
});

Deno.test("pcaProject rejects equal rows even where the mean rounds", () => {
  assert.throws(() => pcaProject([[0.1, 0.7], [0.1, 0.7], [0.1, 0.7]]), {
    name: "RangeError",
    message: /points must not all be equal/,
  });
});
