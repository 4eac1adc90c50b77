/**
 * The kernel table: the one place that names a kernel. Each entry holds everything the project needs of it —
 * the kernel and its log (for the hybrid loss's log-ratio of similarities), the paper's local/global range
 * (Sec. 6.1), its margin shape G (docs/math.md, "Kernelized margins"), its default parameters, whether the
 * mixtures use it, and the name of the loss that trains with it. Every list of kernel names (the mixtures'
 * kernels, the loss table's kernel rows, the selection check's kernel → loss map, the tensor twins' keys) is
 * derived from here; docs/how_to_extend.md shows how to add a kernel.
 *
 * @module
 */
import { describe } from "../math/validation.ts";
import type { MarginShape } from "./margin_shape.ts";
import {
  logMahalanobisKernel,
  mahalanobisKernel,
  type MahalanobisKernelOptions,
  mahalanobisMargin,
  mahalanobisMarginDefaults,
  type MahalanobisMarginOptions,
} from "./mahalanobis.ts";
import type { Point } from "./point.ts";
import {
  logPolynomialKernel,
  polynomialDefaults,
  polynomialKernel,
  type PolynomialKernelOptions,
  polynomialMargin,
} from "./polynomial.ts";
import {
  logRationalQuadraticKernel,
  rationalQuadraticDefaults,
  rationalQuadraticKernel,
  type RationalQuadraticKernelOptions,
  rationalQuadraticMargin,
} from "./rational_quadratic.ts";
import { logRbfKernel, rbfDefaults, rbfKernel, type RbfKernelOptions, rbfMargin } from "./rbf.ts";
import {
  logSpectralKernel,
  spectralDefaults,
  spectralKernel,
  type SpectralKernelOptions,
  spectralMargin,
} from "./spectral.ts";

/** The options of every kernel, by name: the keys of this interface are the kernel names. */
export interface KernelOptionsByName {
  /** Polynomial kernel options. */
  polynomial: PolynomialKernelOptions;
  /** RBF kernel options. */
  rbf: RbfKernelOptions;
  /** Spectral kernel options. */
  spectral: SpectralKernelOptions;
  /** Mahalanobis kernel options. */
  mahalanobis: MahalanobisKernelOptions;
  /** Rational quadratic kernel options. */
  rationalQuadratic: RationalQuadraticKernelOptions;
}

/** The name of a kernel of {@link KERNELS}. */
export type KernelName = keyof KernelOptionsByName;

/**
 * The options of every kernel's margin shape, by name: the kernel's own options, except Mahalanobis, whose
 * margin on the scalar reward margin takes only the variance.
 */
export type MarginOptionsByName = Omit<KernelOptionsByName, "mahalanobis"> & {
  /** The variance σ² of the margin (see `marginVariance`). */
  mahalanobis: MahalanobisMarginOptions;
};

/** One entry of {@link KERNELS}: everything the project needs of one kernel. */
export interface KernelEntry<O, M = O> {
  /** κ(a, b). */
  kernel: (a: Point, b: Point, options?: O) => number;
  /** log κ(a, b), computed without underflow. */
  logKernel: (a: Point, b: Point, options?: O) => number;
  /** Local kernels decay fast with distance; global ones reach far (Sec. 6.1). */
  range: "local" | "global";
  /** The margin shape G of s = Δ·√G(Δ²), from the kernel's margin options. */
  margin: (options?: M) => MarginShape;
  /** The margin options with every default filled in, validated (the one place the defaults live). */
  defaults: (options?: M) => Required<M>;
  /** Whether the flat mixture and HMK use this kernel (the paper's four do). */
  mixture: boolean;
  /** The loss of `LOSSES` that trains with this kernel's margin. */
  loss: string;
  /** One line for the loss table and `--help`. */
  description: string;
}

/**
 * The kernels, by name, in the mixtures' order (λ₁…λ₄ of the flat mixture).
 *
 * @example
 * ```ts
 * import { KERNELS } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(KERNELS.rbf.kernel(0, 0), 1);
 * assert.equal(KERNELS.polynomial.loss, "poly");
 * assert.equal(KERNELS.rationalQuadratic.mixture, false);
 * ```
 */
export const KERNELS = Object.freeze(
  {
    polynomial: {
      kernel: polynomialKernel,
      logKernel: logPolynomialKernel,
      range: "local",
      margin: polynomialMargin,
      defaults: polynomialDefaults,
      mixture: true,
      loss: "poly",
      description: "polynomial kernel",
    },
    rbf: {
      kernel: rbfKernel,
      logKernel: logRbfKernel,
      range: "local",
      margin: rbfMargin,
      defaults: rbfDefaults,
      mixture: true,
      loss: "rbf",
      description: "RBF kernel",
    },
    spectral: {
      kernel: spectralKernel,
      logKernel: logSpectralKernel,
      range: "global",
      margin: spectralMargin,
      defaults: spectralDefaults,
      mixture: true,
      loss: "spectral",
      description: "spectral kernel",
    },
    mahalanobis: {
      kernel: mahalanobisKernel,
      logKernel: logMahalanobisKernel,
      range: "global",
      margin: mahalanobisMargin,
      defaults: mahalanobisMarginDefaults,
      mixture: true,
      loss: "mahalanobis",
      description: "Mahalanobis kernel",
    },
    rationalQuadratic: {
      kernel: rationalQuadraticKernel,
      logKernel: logRationalQuadraticKernel,
      range: "global",
      margin: rationalQuadraticMargin,
      defaults: rationalQuadraticDefaults,
      mixture: false,
      loss: "rational-quadratic",
      description: "rational quadratic kernel",
    },
  } as const satisfies {
    [K in KernelName]: KernelEntry<KernelOptionsByName[K], MarginOptionsByName[K]>;
  },
);

/** The kernel names, in table order. */
export const KERNEL_NAMES: readonly KernelName[] = Object.freeze(Object.keys(KERNELS) as KernelName[]);

/** The loss name each kernel gives, as a type. */
export type KernelLossName = (typeof KERNELS)[KernelName]["loss"];

/**
 * Looks a kernel up by name, with a clear error for an unknown one.
 *
 * @param name A kernel name, e.g. `rbf`.
 * @returns The table entry.
 * @throws {RangeError} For an unknown name, listing the valid ones.
 * @example
 * ```ts
 * import { kernelByName } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(kernelByName("rbf").kernel(0, 0), 1);
 * assert.throws(() => kernelByName("laplace" as "rbf"), /kernel must be one of/);
 * ```
 */
export function kernelByName<K extends KernelName>(
  name: K,
): KernelEntry<KernelOptionsByName[K], MarginOptionsByName[K]> {
  if (!Object.hasOwn(KERNELS, name)) {
    throw new RangeError(`kernel must be one of ${KERNEL_NAMES.join(", ")}, got ${describe(name)}`);
  }
  return KERNELS[name] as unknown as KernelEntry<KernelOptionsByName[K], MarginOptionsByName[K]>;
}

/**
 * The margin shape of kernel `name` from the options of every kernel in one object (reads `options[name]`).
 *
 * @param name A kernel name.
 * @param options The margin options of any kernels, by name.
 * @returns The kernel's margin shape.
 * @throws {RangeError} For an unknown name or bad options (named).
 * @example
 * ```ts
 * import { kernelMarginShape } from "@dpo-kernels/dpo-kernels";
 * import assert from "node:assert/strict";
 * assert.equal(kernelMarginShape("rbf", { rbf: { sigma: 2 } }).g(0), 1);
 * ```
 */
export function kernelMarginShape(
  name: KernelName,
  options: { readonly [K in KernelName]?: MarginOptionsByName[K] } = {},
): MarginShape {
  const entry = kernelByName(name) as KernelEntry<unknown, unknown>;
  return entry.margin(options[name]);
}
