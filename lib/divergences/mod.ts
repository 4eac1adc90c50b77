/**
 * Divergences between discrete distributions: KL and the six alternatives of the paper's Table 2
 * (Jensen–Shannon, Hellinger, Rényi, Bhattacharyya, Wasserstein, f-divergences), entropic optimal transport,
 * and the `DIVERGENCES` strategy table. Natural logarithms throughout.
 *
 * @module
 */
export { klDivergence } from "./kl.ts";
export { jsDivergence } from "./js.ts";
export { hellingerDistance } from "./hellinger.ts";
export { DEFAULT_RENYI_ALPHA, renyiDivergence, type RenyiOptions } from "./renyi.ts";
export { bhattacharyyaDistance } from "./bhattacharyya.ts";
export { wassersteinDistance, type WassersteinOptions } from "./wasserstein.ts";
export {
  DEFAULT_EPSILON_SCALE,
  DEFAULT_SINKHORN_MAX_ITERATIONS,
  DEFAULT_SINKHORN_TOLERANCE,
  entropicTransport,
  type EntropicTransportOptions,
  type EntropicTransportResult,
} from "./entropic_transport.ts";
export {
  DEFAULT_F_GENERATOR,
  F_GENERATORS,
  fDivergence,
  type FDivergenceOptions,
  type FGenerator,
  fGenerator,
  type FGeneratorName,
  type FGeneratorOptions,
  type LogDerivative,
  type NamedFGenerator,
} from "./f_divergence.ts";
export {
  divergence,
  DIVERGENCE_NAMES,
  type DivergenceFunction,
  type DivergenceName,
  type DivergenceOptions,
  DIVERGENCES,
} from "./table.ts";
