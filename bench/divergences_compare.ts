/**
 * Side-by-side timing of the divergences against vectorized numpy/scipy on the same data:
 * 1,024 distributions × 50,257 entries (softmax of seeded normals), one set for p and one for q.
 *
 * Run: `deno task bench:divergences` (or `deno run --allow-read --allow-write --allow-run --allow-env
 * bench/divergences_compare.ts [--rows 1024] [--cols 50257] [--reps 3]`). Prints one JSON line per divergence,
 * `{"divergence","deno_ms","numpy_ms","ratio","max_rel_diff"}` with ratio = deno/numpy and times the median of
 * `reps` runs over all rows (Deno's include input validation; numpy's do not validate). numpy runs with
 * OPENBLAS_NUM_THREADS=1.
 *
 * @module
 */
import { createRandom } from "../lib/math/random.ts";
import {
  bhattacharyyaDistance,
  hellingerDistance,
  jsDivergence,
  klDivergence,
  renyiDivergence,
  wassersteinDistance,
} from "../lib/divergences/mod.ts";
import type { Vector } from "../lib/math/types.ts";

/** The divergences compared, in the order the numpy script writes them. */
export const BENCH_DIVERGENCES: [string, (p: Vector, q: Vector) => number][] = [
  ["kl", klDivergence],
  ["js", jsDivergence],
  ["hellinger", hellingerDistance],
  ["renyi_alpha2", (p, q) => renyiDivergence(p, q, { alpha: 2 })],
  ["bhattacharyya", bhattacharyyaDistance],
  ["wasserstein_1d", wassersteinDistance],
];

/**
 * `rows` distributions of `cols` entries in one Float64Array (row-major): each row is the softmax of `scale`·N(0, 1)
 * logits drawn with Box–Muller from a seeded PRNG.
 */
export function makeDistributions(rows: number, cols: number, seed: number, scale = 2): Float64Array {
  const next = createRandom(seed).uniform;
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    let mx = -Infinity;
    for (let j = 0; j < cols; j += 2) {
      const rad = Math.sqrt(-2 * Math.log(1 - next()));
      const th = 2 * Math.PI * next();
      const a = scale * rad * Math.cos(th);
      out[off + j] = a;
      if (a > mx) mx = a;
      if (j + 1 < cols) {
        const b = scale * rad * Math.sin(th);
        out[off + j + 1] = b;
        if (b > mx) mx = b;
      }
    }
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp((out[off + j] as number) - mx);
      out[off + j] = e;
      s += e;
    }
    const inv = 1 / s;
    for (let j = 0; j < cols; j++) out[off + j] = (out[off + j] as number) * inv;
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : 0.5 * ((s[m - 1] as number) + (s[m] as number));
}

function arg(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const rows = arg("rows", 1024);
  const cols = arg("cols", 50_257);
  const reps = Math.max(3, arg("reps", 3));
  const p = makeDistributions(rows, cols, 1);
  const q = makeDistributions(rows, cols, 2);
  const dataFile = await Deno.makeTempFile({ prefix: "divergences_bench_", suffix: ".f64" });
  const valuesFile = await Deno.makeTempFile({ prefix: "divergences_values_", suffix: ".f64" });
  try {
    await Deno.writeFile(dataFile, new Uint8Array(p.buffer));
    await Deno.writeFile(dataFile, new Uint8Array(q.buffer), { append: true });

    const denoValues = new Float64Array(rows * BENCH_DIVERGENCES.length);
    const denoMs: number[] = [];
    BENCH_DIVERGENCES.forEach(([, fn], k) => {
      const times: number[] = [];
      for (let rep = 0; rep < reps; rep++) {
        const t0 = performance.now();
        for (let r = 0; r < rows; r++) {
          denoValues[k * rows + r] = fn(
            p.subarray(r * cols, (r + 1) * cols),
            q.subarray(r * cols, (r + 1) * cols),
          );
        }
        times.push(performance.now() - t0);
      }
      denoMs.push(median(times));
    });

    const cmd = new Deno.Command("/usr/bin/python3", {
      args: [
        new URL("./divergences_numpy.py", import.meta.url).pathname,
        dataFile,
        String(rows),
        String(cols),
        String(reps),
        valuesFile,
      ],
      env: { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
      stdout: "piped",
      stderr: "inherit",
    });
    const out = await cmd.output();
    if (!out.success) throw new Error(`divergences_numpy.py failed with code ${out.code}`);
    const numpyMs = new Map<string, number>();
    for (const line of new TextDecoder().decode(out.stdout).trim().split("\n")) {
      const rec = JSON.parse(line) as { divergence: string; numpy_ms: number };
      numpyMs.set(rec.divergence, rec.numpy_ms);
    }
    const bytes = await Deno.readFile(valuesFile);
    const npValues = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);

    let ok = true;
    BENCH_DIVERGENCES.forEach(([name], k) => {
      let maxRel = 0;
      for (let r = 0; r < rows; r++) {
        const a = denoValues[k * rows + r] as number;
        const b = npValues[k * rows + r] as number;
        const rel = Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
        if (!(rel <= maxRel)) maxRel = rel;
      }
      if (!(maxRel < 1e-8)) ok = false;
      const numpy = numpyMs.get(name) ?? NaN;
      const deno = denoMs[k] as number;
      console.log(JSON.stringify({
        divergence: name,
        deno_ms: Number(deno.toFixed(1)),
        numpy_ms: Number(numpy.toFixed(1)),
        ratio: Number((deno / numpy).toFixed(3)),
        max_rel_diff: Number(maxRel.toExponential(2)),
      }));
    });
    if (!ok) {
      console.error("values disagree between Deno and numpy (max relative difference ≥ 1e-8)");
      Deno.exitCode = 1;
    }
  } finally {
    await Deno.remove(dataFile).catch(() => {});
    await Deno.remove(valuesFile).catch(() => {});
  }
}

if (import.meta.main) await main();
