/**
 * How far apart the base kernels' margin shapes are once their scales are matched (docs/math.md, "Three kernels,
 * two shapes"). For the margins of the example below, `dataKernelScales` sets every kernel's scale to the same
 * non-linear radius; this prints, for the Mahalanobis margin and for spectral kernels of several depths ρ (the
 * default, μ = 0.25, and one component on the monotonicity boundary ρω²ℓ² = π(1 − ρ)), the largest
 * |s′(Δ)/s′(0) − s′_rbf(Δ)/s′_rbf(0)| over Δ ∈ (0, 10q] (q: the median |margin|, step q/100) and where it lies.
 *
 * Run: deno run bench/kernel_shapes.ts
 *
 * @module
 */
import { dataKernelScales, KERNEL_MARGINS, linearQuantile, type MarginShape, slopeRatio } from "../mod.ts";

const margins = [-2.5, -1.2, -0.4, -0.1, 0.05, 0.3, 0.7, 1.1, 1.9, 3.2];
const q = linearQuantile(margins.map(Math.abs).sort((a, b) => a - b), 0.5);
const scaled = dataKernelScales(margins);
const rbf = KERNEL_MARGINS.rbf(scaled);

/** The largest slope-ratio gap to the RBF over Δ = kq/100, k = 1..1000, and the Δ/q where it lies. */
function departure(shape: MarginShape): { max: number; at: number } {
  let max = 0, at = 0;
  for (let k = 1; k <= 1000; k++) {
    const gap = Math.abs(slopeRatio(shape, (k * q) / 100) - slopeRatio(rbf, (k * q) / 100));
    if (gap > max) [max, at] = [gap, k / 100];
  }
  return { max, at };
}

const spectral = (damping: number, frequency: number) =>
  KERNEL_MARGINS.spectral(
    dataKernelScales(margins, {
      spectral: { damping, components: [{ weight: 1, lengthscale: 1, frequency }] },
    }),
  );
const boundary = (damping: number) => Math.sqrt((Math.PI * (1 - damping)) / damping) / (2 * Math.PI);

const rows: [string, MarginShape][] = [
  ["mahalanobis", KERNEL_MARGINS.mahalanobis(scaled)],
  ["spectral, default (ρ = 0.5, μ = 0.25)", KERNEL_MARGINS.spectral(scaled)],
  ...[0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95].map((rho): [string, MarginShape] => [
    `spectral, ρ = ${rho}, μ = ${boundary(rho).toFixed(3)} (boundary)`,
    spectral(rho, boundary(rho)),
  ]),
];
console.log(`| shape, scaled to the RBF's radius (q = ${q}) | max gap in slope ratio to the RBF | at Δ/q |`);
console.log("|---|---|---|");
for (const [name, shape] of rows) {
  const { max, at } = departure(shape);
  console.log(`| ${name} | ${max.toFixed(4)} | ${max === 0 ? "–" : at.toFixed(2)} |`);
}
