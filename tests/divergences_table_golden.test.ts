import {
  bhattacharyyaDistance,
  fDivergence,
  hellingerDistance,
  jsDivergence,
  klDivergence,
  renyiDivergence,
  wassersteinDistance,
} from "../mod.ts";
import { assertClose } from "./_assert.ts";
import { AMARI_ALPHAS, DIVERGENCE_CASES, RENYI_ALPHAS } from "./golden/divergences_values.ts";

// Relative and absolute tolerances against the golden values (scipy in double precision, mpmath at 60 digits).
const RTOL = 1e-10;
const ATOL = 1e-14;

for (const c of DIVERGENCE_CASES) {
  Deno.test(`golden ${c.name}: KL vs scipy rel_entr`, () => {
    assertClose(klDivergence(c.p, c.q), c.kl, RTOL, ATOL, "KL(p‖q)");
    assertClose(klDivergence(c.q, c.p), c.klReverse, RTOL, ATOL, "KL(q‖p)");
  });

  Deno.test(`golden ${c.name}: JS vs scipy jensenshannon²`, () => {
    assertClose(jsDivergence(c.p, c.q), c.js, RTOL, ATOL, "JS(p, q)");
    assertClose(jsDivergence(c.q, c.p), c.js, RTOL, ATOL, "JS(q, p)");
  });

  Deno.test(`golden ${c.name}: Hellinger and Bhattacharyya vs mpmath`, () => {
    assertClose(hellingerDistance(c.p, c.q), c.hellinger, RTOL, ATOL, "H");
    assertClose(bhattacharyyaDistance(c.p, c.q), c.bhattacharyya, RTOL, ATOL, "D_B");
  });

  Deno.test(`golden ${c.name}: Rényi at every order vs mpmath`, () => {
    RENYI_ALPHAS.forEach((alpha, k) => {
      assertClose(renyiDivergence(c.p, c.q, { alpha }), c.renyi[k] as number, RTOL, ATOL, `α=${alpha}`);
    });
    assertClose(renyiDivergence(c.p, c.q, { alpha: 1 }), c.kl, RTOL, ATOL, "α=1");
  });

  Deno.test(`golden ${c.name}: 1-D Wasserstein vs scipy wasserstein_distance`, () => {
    assertClose(wassersteinDistance(c.p, c.q), c.wasserstein, RTOL, ATOL, "default positions");
    assertClose(
      wassersteinDistance(c.p, c.q, { positions: c.positions }),
      c.wassersteinAtPositions,
      RTOL,
      ATOL,
      "unsorted positions",
    );
  });

  Deno.test(`golden ${c.name}: f-divergences vs their closed forms`, () => {
    assertClose(fDivergence(c.p, c.q, { f: "kl" }), c.kl, RTOL, ATOL, "kl");
    assertClose(fDivergence(c.p, c.q, { f: "reverse-kl" }), c.klReverse, RTOL, ATOL, "reverse-kl");
    assertClose(fDivergence(c.p, c.q, { f: "js" }), c.js, RTOL, ATOL, "js");
    assertClose(fDivergence(c.p, c.q), c.js, RTOL, ATOL, "default js");
    assertClose(fDivergence(c.p, c.q, { f: "hellinger" }), c.hellinger ** 2, RTOL, ATOL, "hellinger");
    assertClose(fDivergence(c.p, c.q, { f: "total-variation" }), c.totalVariation, RTOL, ATOL, "tv");
    assertClose(fDivergence(c.p, c.q, { f: "chi-squared" }), c.chiSquared, RTOL, ATOL, "chi²");
    AMARI_ALPHAS.forEach((alpha, k) => {
      assertClose(
        fDivergence(c.p, c.q, { f: "alpha", alpha }),
        c.amari[k] as number,
        RTOL,
        ATOL,
        `α=${alpha}`,
      );
    });
  });
}
