/**
 * The named table of base kernels: each entry gives the kernel, its log (for the hybrid loss's log-ratio of
 * similarities) and whether the paper counts it as local or global (Sec. 6.1).
 *
 * @module
 */
import { describe } from "../math/validation.ts";
import { logMahalanobisKernel, mahalanobisKernel, type MahalanobisKernelOptions } from "./mahalanobis.ts";
import type { MixtureKernelName } from "./mixture.ts";
import type { Point } from "./point.ts";
import { logPolynomialKernel, polynomialKernel, type PolynomialKernelOptions } from "./polynomial.ts";
import { logRbfKernel, rbfKernel, type RbfKernelOptions } from "./rbf.ts";
import { logSpectralKernel, spectralKernel, type SpectralKernelOptions } from "./spectral.ts";

/** The options of every base kernel, by name. */
export interface KernelOptionsByName {
  /** Polynomial kernel options. */
  polynomial: PolynomialKernelOptions;
  /** RBF kernel options. */
  rbf: RbfKernelOptions;
  /** Spectral kernel options. */
  spectral: SpectralKernelOptions;
  /** Mahalanobis kernel options. */
  mahalanobis: MahalanobisKernelOptions;
}

/** One entry of {@link KERNELS}. */
export interface KernelEntry<O> {
  /** κ(a, b). */
  kernel: (a: Point, b: Point, options?: O) => number;
  /** log κ(a, b), computed without underflow. */
  logKernel: (a: Point, b: Point, options?: O) => number;
  /** Local kernels decay fast with distance; global ones reach far (Sec. 6.1). */
  range: "local" | "global";
}

/** The base kernels, by name. */
export const KERNELS: Readonly<{ [K in MixtureKernelName]: KernelEntry<KernelOptionsByName[K]> }> = Object
  .freeze({
    polynomial: { kernel: polynomialKernel, logKernel: logPolynomialKernel, range: "local" },
    rbf: { kernel: rbfKernel, logKernel: logRbfKernel, range: "local" },
    spectral: { kernel: spectralKernel, logKernel: logSpectralKernel, range: "global" },
    mahalanobis: { kernel: mahalanobisKernel, logKernel: logMahalanobisKernel, range: "global" },
  });

/**
 * Looks a base kernel up by name, with a clear error for an unknown one.
 *
 * @param name One of `polynomial`, `rbf`, `spectral`, `mahalanobis`.
 * @returns The table entry.
 * @throws {RangeError} For an unknown name, listing the valid ones.
 * @example
 * ```ts
 * import { kernelByName } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(kernelByName("rbf").kernel(0, 0), 1);
 * ```
 */
export function kernelByName<K extends MixtureKernelName>(name: K): KernelEntry<KernelOptionsByName[K]> {
  const entry = (KERNELS as Record<string, unknown>)[name];
  if (entry === undefined) {
    throw new RangeError(`kernel must be one of ${Object.keys(KERNELS).join(", ")}, got ${describe(name)}`);
  }
  return entry as KernelEntry<KernelOptionsByName[K]>;
}
