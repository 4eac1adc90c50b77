/**
 * `deno bench` over 1,024 distributions × 50,257 entries (softmax of seeded normals, one Float64Array row per
 * distribution view) for KL, JS, Hellinger, Rényi (α = 2), Bhattacharyya and the exact 1-D Wasserstein distance.
 * Each iteration evaluates the divergence on all 1,024 (p, q) row pairs. Set DIVERGENCE_BENCH_ROWS to bench
 * fewer rows. Run: `deno bench --allow-env bench/divergences.bench.ts`.
 *
 * @module
 */
import { BENCH_DIVERGENCES, makeDistributions } from "./divergences_compare.ts";

const ROWS = Number(Deno.env.get("DIVERGENCE_BENCH_ROWS") ?? 1024);
const COLS = 50_257;
const p = makeDistributions(ROWS, COLS, 1);
const q = makeDistributions(ROWS, COLS, 2);
const pRows = Array.from({ length: ROWS }, (_, r) => p.subarray(r * COLS, (r + 1) * COLS));
const qRows = Array.from({ length: ROWS }, (_, r) => q.subarray(r * COLS, (r + 1) * COLS));

let sink = 0;
for (const [name, fn] of BENCH_DIVERGENCES) {
  Deno.bench({
    name: `${name} (${ROWS} × ${COLS})`,
    group: "divergences",
    baseline: name === "kl",
    n: 3,
    warmup: 1,
    fn: () => {
      for (let r = 0; r < ROWS; r++) sink += fn(pRows[r] as Float64Array, qRows[r] as Float64Array);
    },
  });
}

globalThis.addEventListener("unload", () => {
  if (Number.isNaN(sink)) console.log("NaN");
});
