import assert from "node:assert/strict";
import { embeddingMargin, KERNEL_NAMES } from "../mod.ts";
import { assertClose } from "./_assert.ts";

Deno.test("embedding margin: cosine difference under the unit RBF; every kernel and the mixture", () => {
  const t = { prompt: [1, 2, 0.5], chosen: [0.9, 2.1, 0.4], rejected: [-1, 0.3, 2] };
  const cos = (a: number[], b: number[]) =>
    a.reduce((s, x, i) => s + x * b[i]!, 0) / Math.hypot(...a) / Math.hypot(...b);
  assertClose(embeddingMargin(t), cos(t.prompt, t.chosen) - cos(t.prompt, t.rejected), 1e-12);
  for (const kernel of KERNEL_NAMES) {
    assert.ok(embeddingMargin(t, { kernel, polynomial: { offset: 2 } }) > 0, kernel);
  }
  const uniform = { polynomial: 0.25, rbf: 0.25, spectral: 0.25, mahalanobis: 0.25 };
  assert.ok(Number.isFinite(embeddingMargin(t, { kernel: uniform, polynomial: { offset: 2 } })));
  assert.throws(() => embeddingMargin({ ...t, chosen: [0, 0, 0] }), /triplet.chosen/);
  assert.throws(() => embeddingMargin({ ...t, rejected: [1, 2] }), /triplet.rejected/);
  assert.throws(() => embeddingMargin(t, { kernel: "nope" as "rbf" }), /options.kernel/);
});
