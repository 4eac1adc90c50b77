/**
 * The hybrid loss's embedding term (Sec. 2, Table 1 right column): γ·[log κ(e_x, e_{y_w}) − log κ(e_x, e_{y_l})],
 * the log-ratio of kernel similarities between the prompt's and each response's embedding.
 *
 * @module
 */
import type { Vector } from "../math/types.ts";
import { norm } from "../math/vector.ts";
import { assertFiniteVector, assertSameLength } from "../math/validation.ts";
import { lookup } from "../math/lookup.ts";
import { type KernelWeights, logMixKernelValues, MIXTURE_KERNELS } from "../kernels/mixture.ts";
import { type KernelEntry, type KernelName, type KernelOptionsByName, KERNELS } from "../kernels/table.ts";

/** A prompt's and two responses' embeddings. */
export interface EmbeddingTriplet {
  /** e_x. */
  prompt: Vector;
  /** e_{y_w}, the chosen response. */
  chosen: Vector;
  /** e_{y_l}, the rejected response. */
  rejected: Vector;
}

/** The kernel of the embedding margin when none is named: RBF (σ = 1 gives the cosine difference). */
export const DEFAULT_EMBEDDING_KERNEL: KernelName = "rbf";

/** Options of {@link embeddingMargin}. */
export interface EmbeddingMarginOptions extends Partial<KernelOptionsByName> {
  /**
   * The kernel: a name of `KERNELS` (default `"rbf"`), or mixture weights (flat or HMK effective weights)
   * for the mixture kernel Σ wᵢκᵢ.
   */
  kernel?: KernelName | KernelWeights;
  /**
   * Scale each embedding to unit length first (default true). With unit vectors and the RBF kernel at σ = 1,
   * log κ(x, y) = cos(x, y) − 1, so the margin is cos(e_x, e_w) − cos(e_x, e_l).
   */
  normalize?: boolean;
}

function unit(v: Vector, name: string): Vector {
  const n = norm(v);
  if (n === 0) throw new RangeError(`${name} must be a non-zero embedding to normalize, got norm 0`);
  return Array.from(v, (x) => x / n);
}

/**
 * The embedding margin log κ(e_x, e_{y_w}) − log κ(e_x, e_{y_l}): positive where the chosen response is the
 * one closer to the prompt in the kernel's geometry. With a frozen embedder it is a constant per pair and
 * shifts the pair's target margin; multiplied by γ it enters the hybrid margin.
 *
 * @param triplet The three embeddings, of equal length.
 * @param options The kernel (default RBF), its options, and whether to normalize (default true).
 * @returns The log-ratio of similarities.
 * @throws {RangeError} On mismatched lengths, non-finite or zero embeddings, or a kernel whose log does not
 * exist at these points (a polynomial kernel with a·b + c ≤ 0).
 * @example
 * ```ts
 * import { embeddingMargin } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * const m = embeddingMargin({ prompt: [1, 0], chosen: [1, 1], rejected: [0, 1] });
 * assert.ok(Math.abs(m - Math.SQRT1_2) < 1e-12); // cos 45° − cos 90°
 * ```
 */
export function embeddingMargin(triplet: EmbeddingTriplet, options: EmbeddingMarginOptions = {}): number {
  const { prompt, chosen, rejected } = triplet;
  assertFiniteVector(prompt, "triplet.prompt");
  assertFiniteVector(chosen, "triplet.chosen");
  assertFiniteVector(rejected, "triplet.rejected");
  assertSameLength(prompt, "triplet.prompt", chosen, "triplet.chosen");
  assertSameLength(prompt, "triplet.prompt", rejected, "triplet.rejected");
  const normalize = options.normalize ?? true;
  const x = normalize ? unit(prompt, "triplet.prompt") : prompt;
  const w = normalize ? unit(chosen, "triplet.chosen") : chosen;
  const l = normalize ? unit(rejected, "triplet.rejected") : rejected;
  const kernel = options.kernel ?? DEFAULT_EMBEDDING_KERNEL;
  if (typeof kernel === "string") {
    const entry = lookup(
      KERNELS as unknown as Readonly<Record<string, KernelEntry<unknown>>>,
      kernel,
      "options.kernel",
    );
    const o = options[kernel];
    return entry.logKernel(x, w, o) - entry.logKernel(x, l, o);
  }
  const logValues = (y: Vector): KernelWeights => {
    const out = {} as KernelWeights;
    for (const k of MIXTURE_KERNELS) {
      out[k] = (KERNELS[k] as KernelEntry<unknown>).logKernel(x, y, options[k]);
    }
    return out;
  };
  return logMixKernelValues(kernel, logValues(w)) - logMixKernelValues(kernel, logValues(l));
}
