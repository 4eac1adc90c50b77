/**
 * Kernels on scalars and vectors: polynomial, RBF, spectral mixture, Mahalanobis (with a shrinkage covariance
 * estimate), rational quadratic, the flat mixture and the Hierarchical Mixture of Kernels.
 *
 * @module
 */
export * from "./point.ts";
export * from "./margin_shape.ts";
export * from "./polynomial.ts";
export * from "./rbf.ts";
export * from "./spectral.ts";
export * from "./covariance.ts";
export * from "./mahalanobis.ts";
export * from "./rational_quadratic.ts";
export * from "./mixture.ts";
export * from "./table.ts";
