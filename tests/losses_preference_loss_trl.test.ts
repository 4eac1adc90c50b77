/**
 * The DPO family (sigmoid, cDPO, robust, hinge, IPO) and TRL's f-divergence scores against values produced by
 * TRL's own `DPOTrainer.dpo_loss` (tests/golden/trl_values.ts, written by python/golden/trl_values.py with the
 * TRL version it names).
 */
import { assertClose } from "./_assert.ts";
import { implicitScore, preferenceLoss, type PreferenceLossOptions, type PreferencePair } from "../mod.ts";
import { TRL_VERSION, trlCases, trlPairs } from "./golden/trl_values.ts";
import assert from "node:assert/strict";

type TrlCase = (typeof trlCases)[number];

/** TRL's loss_type → the table's loss. */
const LOSS: Readonly<Record<string, PreferenceLossOptions["loss"]>> = {
  sigmoid: "dpo",
  robust: "robust",
  hinge: "hinge",
  ipo: "ipo",
};
/** TRL's f_divergence_type → the implicit divergence (TRL's alpha coefficient is f-DPO's α). */
const DIVERGENCE: Readonly<Record<string, string>> = {
  reverse_kl: "kl",
  js_divergence: "js",
  alpha_divergence: "alpha",
};

/**
 * β for the core that reproduces TRL's score: TRL's JS score is log(2u/(1 + u)) itself, of slope ½ at u = 1;
 * the core's score may be normalized to unit slope, so β is scaled by the ratio of the two slopes.
 */
function coreBeta(c: TrlCase): number {
  if (c.fDivergenceType !== "js_divergence") return c.beta;
  return (c.beta * 0.5) / implicitScore("js").derivative(0);
}

/**
 * The i-th pair. For IPO, TRL divides each log-prob by its completion's token count before `dpo_loss`; the pair
 * carries those per-token log-probs with counts of 1, which reads the same whether or not the core divides.
 */
function pair(i: number, ipo: boolean): PreferencePair {
  const at = (xs: readonly number[]): number => xs[i] as number;
  const nw = ipo ? at(trlPairs.chosenTokens) : 1;
  const nl = ipo ? at(trlPairs.rejectedTokens) : 1;
  const p: PreferencePair & { rejectedTokens: number } = {
    policyChosen: at(trlPairs.policyChosen) / nw,
    policyRejected: at(trlPairs.policyRejected) / nl,
    referenceChosen: at(trlPairs.referenceChosen) / nw,
    referenceRejected: at(trlPairs.referenceRejected) / nl,
    chosenTokens: 1,
    rejectedTokens: 1,
  };
  return p;
}

Deno.test(`losses equal TRL ${TRL_VERSION}'s dpo_loss for the DPO family and TRL's f-divergences`, () => {
  assert.equal(trlCases.length, 10);
  for (const c of trlCases) {
    const options: PreferenceLossOptions = {
      loss: LOSS[c.lossType],
      beta: coreBeta(c),
      labelSmoothing: c.labelSmoothing,
      divergence: DIVERGENCE[c.fDivergenceType],
      ...(c.alpha === null ? {} : { alpha: c.alpha }),
    };
    assert.ok(options.loss !== undefined && options.divergence !== undefined, c.name);
    c.losses.forEach((expected, i) => {
      const r = preferenceLoss(pair(i, c.lossType === "ipo"), options);
      assertClose(r.loss, expected, 1e-12, 1e-12, `${c.name} pair ${i} loss`);
      // TRL reports β·(log π − log π_ref) as the rewards whatever the divergence; the core's rewards are β·φ(z).
      if (c.fDivergenceType === "reverse_kl") {
        assertClose(r.rewardChosen, c.rewardsChosen[i] as number, 1e-12, 1e-12, `${c.name} pair ${i} r_w`);
        assertClose(
          r.rewardRejected,
          c.rewardsRejected[i] as number,
          1e-12,
          1e-12,
          `${c.name} pair ${i} r_l`,
        );
      }
    });
  }
});
