/**
 * The named strategy table of divergences, the seven regularizers of the paper (KL plus Table 2).
 *
 * @module
 */
import type { Matrix, Vector } from "../math/types.ts";
import { describe } from "../math/validation.ts";
import { bhattacharyyaDistance } from "./bhattacharyya.ts";
import { fDivergence, type FGenerator, type FGeneratorName } from "./f_divergence.ts";
import { hellingerDistance } from "./hellinger.ts";
import { jsDivergence } from "./js.ts";
import { klDivergence } from "./kl.ts";
import { renyiDivergence } from "./renyi.ts";
import { wassersteinDistance } from "./wasserstein.ts";

/** The names of the divergences in {@link DIVERGENCES}. */
export type DivergenceName = "kl" | "js" | "hellinger" | "renyi" | "bhattacharyya" | "wasserstein" | "f";

/** The union of the options of every divergence; each entry reads only its own and ignores the rest. */
export interface DivergenceOptions {
  /** `"renyi"`: the order α (default ¾, `DEFAULT_RENYI_ALPHA`). `"f"` with `f: "alpha"`: Amari's α (required there). */
  alpha?: number;
  /** `"f"`: a generator name or a user generator (default `"js"`). */
  f?: FGeneratorName | FGenerator;
  /** `"wasserstein"` (1-D): the shared support points (default 0…n−1). */
  positions?: Vector;
  /** `"wasserstein"` (general): the n×n ground cost, selecting entropic transport. */
  cost?: Matrix;
  /** `"wasserstein"` (general): the entropic ε (default 0.01·max cost). */
  epsilon?: number;
  /** `"wasserstein"` (general): the Sinkhorn iteration cap (default 10,000). */
  maxIterations?: number;
  /** `"wasserstein"` (general): the L1 row-marginal tolerance (default 1e-6). */
  tolerance?: number;
}

/** A divergence as stored in {@link DIVERGENCES}. */
export type DivergenceFunction = (p: Vector, q: Vector, options?: DivergenceOptions) => number;

/**
 * The divergences by name, all in nats (Wasserstein in the units of its positions or cost):
 *
 * | name | function | value | defaults |
 * |---|---|---|---|
 * | `"kl"` | `klDivergence` | Σ p log(p/q) | — |
 * | `"js"` | `jsDivergence` | ½KL(p‖m) + ½KL(q‖m), m = (p+q)/2 | — |
 * | `"hellinger"` | `hellingerDistance` | (1/√2)·‖√p − √q‖ | — |
 * | `"renyi"` | `renyiDivergence` | 1/(α−1) log Σ p^α q^(1−α) | α = ¾ |
 * | `"bhattacharyya"` | `bhattacharyyaDistance` | −log Σ √(pq) | — |
 * | `"wasserstein"` | `wassersteinDistance` | exact 1-D W₁ on 0…n−1, or entropic with `cost` | positions 0…n−1 |
 * | `"f"` | `fDivergence` | Σ q f(p/q) | f = `"js"` |
 *
 * Note that `"f"` without an `f` option is the Jensen–Shannon divergence; pass `f` to pick another generator.
 *
 * @example
 * ```ts
 * import { DIVERGENCES } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const p = [0.5, 0.5];
 * const q = [0.9, 0.1];
 * assert.equal(DIVERGENCES.kl(p, q), DIVERGENCES.renyi(p, q, { alpha: 1 }));
 * assert.equal(DIVERGENCES.wasserstein(p, q), 0.4);
 * ```
 */
export const DIVERGENCES: Readonly<Record<DivergenceName, DivergenceFunction>> = Object.freeze({
  kl: (p: Vector, q: Vector): number => klDivergence(p, q),
  js: (p: Vector, q: Vector): number => jsDivergence(p, q),
  hellinger: (p: Vector, q: Vector): number => hellingerDistance(p, q),
  renyi: (p: Vector, q: Vector, options: DivergenceOptions = {}): number =>
    renyiDivergence(p, q, { alpha: options.alpha }),
  bhattacharyya: (p: Vector, q: Vector): number => bhattacharyyaDistance(p, q),
  wasserstein: (p: Vector, q: Vector, options: DivergenceOptions = {}): number =>
    wassersteinDistance(p, q, {
      positions: options.positions,
      cost: options.cost,
      epsilon: options.epsilon,
      maxIterations: options.maxIterations,
      tolerance: options.tolerance,
    }),
  f: (p: Vector, q: Vector, options: DivergenceOptions = {}): number =>
    fDivergence(p, q, { f: options.f, alpha: options.alpha }),
});

/** The names in {@link DIVERGENCES}, in table order. */
export const DIVERGENCE_NAMES: readonly DivergenceName[] = Object.freeze(
  Object.keys(DIVERGENCES) as DivergenceName[],
);

/**
 * Evaluates the divergence called `name` from {@link DIVERGENCES}.
 *
 * @param name One of the {@link DivergenceName}s.
 * @param p The first distribution (non-negative, sums to 1).
 * @param q The second distribution, same length.
 * @param options The divergence's options (see {@link DivergenceOptions}); others are ignored.
 * @returns The divergence's value.
 * @throws {RangeError} If `name` is not a divergence name (the message lists the valid ones), or as the
 * divergence itself throws.
 * @throws {TypeError} As the divergence itself throws.
 * @example
 * ```ts
 * import { divergence, jsDivergence } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(divergence("js", [1, 0], [0, 1]), Math.LN2);
 * // "f" defaults to the JS generator.
 * assert.ok(Math.abs(divergence("f", [0.2, 0.8], [0.6, 0.4]) - jsDivergence([0.2, 0.8], [0.6, 0.4])) < 1e-15);
 * assert.throws(() => divergence("tv" as "kl", [1], [1]), /name must be one of/);
 * ```
 */
export function divergence(
  name: DivergenceName,
  p: Vector,
  q: Vector,
  options: DivergenceOptions = {},
): number {
  const fn = Object.hasOwn(DIVERGENCES, name) ? DIVERGENCES[name] : undefined;
  if (fn === undefined) {
    throw new RangeError(
      `name must be one of ${DIVERGENCE_NAMES.map((k) => `"${k}"`).join(", ")}, got ${describe(name)}`,
    );
  }
  return fn(p, q, options);
}
