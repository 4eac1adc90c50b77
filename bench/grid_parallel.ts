/**
 * Using both cores in the grid: two cells at a time (two `deno task grid` processes, one BLAS thread each)
 * against one cell at a time (one process, two BLAS threads), on the same cells from the same SFT reference,
 * alternating the two modes `--rounds` times. Prints one JSON line per run (`mode`, `round`, `wall_s`, each
 * cell's training seconds) and a summary line with the median wall time of each mode.
 *
 * Usage: deno task bench:grid-parallel [--cells dpo,hmk] [--steps 200] [--sft-steps 300] [--rounds 2]
 *          [--out out/grid-parallel]
 *
 * @module
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    cells: { type: "string", default: "dpo,hmk" },
    steps: { type: "string", default: "200" },
    "sft-steps": { type: "string", default: "300" },
    rounds: { type: "string", default: "2" },
    out: { type: "string", default: "out/grid-parallel" },
  },
  strict: true,
});
const losses = values.cells.split(",");
if (losses.length !== 2) {
  throw new RangeError(`--cells takes two losses, got ${JSON.stringify(values.cells)}`);
}
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  throw new RangeError(`--rounds takes an integer ≥ 1, got ${JSON.stringify(values.rounds)}`);
}
const gridCli = new URL("../lib/cli/grid.ts", import.meta.url).pathname;
const common = [
  "--divergences",
  "kl",
  "--seeds",
  "1",
  "--budget",
  "0",
  "--parallel",
  "1",
  "--steps",
  values.steps,
];

/** Runs the grid CLI on `losses` into `out`; resolves when it exits (non-zero: an error). */
async function grid(out: string, losses: string, threads: number, extra: string[] = []): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-ffi",
      "--allow-sys",
      "--unstable-webgpu",
      gridCli,
      ...common,
      "--losses",
      losses,
      "--threads",
      String(threads),
      "--out",
      out,
      ...extra,
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`grid --out ${out} exited ${code}: ${new TextDecoder().decode(stderr)}`);
}

/** A fresh output folder holding a copy of the shared SFT reference. */
async function fresh(dir: string): Promise<string> {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
  const copy = new Deno.Command("cp", { args: ["-r", `${values.out}/shared/sft-seed0`, `${dir}/`] });
  if ((await copy.output()).code !== 0) throw new Error(`could not copy the reference into ${dir}`);
  return dir;
}

async function cellSeconds(dir: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for await (const f of Deno.readDir(`${dir}/results`)) {
    const r = JSON.parse(await Deno.readTextFile(`${dir}/results/${f.name}`)) as { seconds: number };
    out[f.name.replace(/\.json$/, "")] = Math.round(r.seconds * 10) / 10;
  }
  return out;
}

// The shared reference: one SFT (and one throwaway cell) run once, outside the timings.
await Deno.mkdir(values.out, { recursive: true });
await grid(`${values.out}/shared`, losses[0]!, 2, ["--sft-steps", values["sft-steps"]]);
const walls = { serial: [] as number[], parallel: [] as number[] };
for (let round = 0; round < rounds; round++) {
  for (const mode of ["serial", "parallel"] as const) {
    const dirs = mode === "serial"
      ? [await fresh(`${values.out}/serial`)]
      : await Promise.all(losses.map((l) => fresh(`${values.out}/parallel-${l}`)));
    const t0 = performance.now();
    if (mode === "serial") await grid(dirs[0]!, losses.join(","), 2);
    else await Promise.all(losses.map((l, i) => grid(dirs[i]!, l, 1)));
    const wall = (performance.now() - t0) / 1000;
    walls[mode].push(wall);
    const cells: Record<string, number> = {};
    for (const d of dirs) Object.assign(cells, await cellSeconds(d));
    console.log(JSON.stringify({ mode, round, wall_s: Math.round(wall * 10) / 10, cells }));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const serial = median(walls.serial);
const parallel = median(walls.parallel);
console.log(JSON.stringify({
  serial_wall_s: Math.round(serial * 10) / 10,
  parallel_wall_s: Math.round(parallel * 10) / 10,
  winner: parallel < serial ? "parallel" : "serial",
  speedup: Math.round((serial / parallel) * 100) / 100,
}));
