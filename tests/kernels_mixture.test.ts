import { flatMixtureWeights, hmkEntropy, hmkWeights } from "../mod.ts";
import { assert, assertAllClose, assertClose } from "./_assert.ts";

Deno.test("flat and hierarchical mixture weights are softmaxes; HMK's entropy sums its levels", () => {
  const w = flatMixtureWeights([Math.log(1), Math.log(2), Math.log(3), Math.log(4)]);
  assertAllClose([w.polynomial, w.rbf, w.spectral, w.mahalanobis], [0.1, 0.2, 0.3, 0.4], 1e-12);
  const h = hmkWeights({ tau: [Math.log(3), 0], local: [0, 0], global: [Math.log(4), 0] });
  assertAllClose(h.tau, [0.75, 0.25], 1e-12);
  assertClose(h.weights.rbf + h.weights.polynomial + h.weights.spectral + h.weights.mahalanobis, 1, 1e-12);
  assertClose(h.weights.spectral, 0.25 * 0.8, 1e-12);
  const entropy2 = (p: number) => -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
  assertClose(hmkEntropy(h), entropy2(0.75) + Math.LN2 + entropy2(0.8), 1e-12);
  assert.throws(() => flatMixtureWeights([0, 0]), /logits/);
  assert.throws(() => hmkWeights({ tau: [0], local: [0, 0], global: [0, 0] }), /logits.tau/);
});
