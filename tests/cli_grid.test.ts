import { assert } from "./_assert.ts";

const CLI = new URL("../lib/cli/grid.ts", import.meta.url).pathname;
const PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-ffi",
  "--allow-sys",
  "--allow-run",
  "--unstable-webgpu",
];

async function grid(args: readonly string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, CLI, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

async function pairs(dir: string): Promise<void> {
  const line = (i: number) =>
    JSON.stringify({ prompt: `${i % 7}+${i % 5}=`, chosen: `${(i % 7 + i % 5) % 10}.`, rejected: "x." });
  const lines = Array.from({ length: 24 }, (_, i) => line(i));
  await Deno.writeTextFile(`${dir}/train.jsonl`, lines.join("\n") + "\n");
  await Deno.writeTextFile(`${dir}/test.jsonl`, lines.slice(0, 8).join("\n") + "\n");
}

Deno.test("grid --parallel 2: two worker processes train the two cells; the report has both", async () => {
  const dir = await Deno.makeTempDir();
  await pairs(dir);
  const r = await grid([
    ...["--losses", "dpo,hmk", "--divergences", "kl", "--seeds", "1", "--steps", "2", "--sft-steps", "2"],
    ...["--budget", "0", "--parallel", "2", "--backend", "cpu"],
    ...["--data", `${dir}/train.jsonl`, "--test", `${dir}/test.jsonl`, "--out", `${dir}/out`],
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /worker 0: (dpo|hmk)-kl-seed0\n/);
  assert.match(r.stdout, /worker 1: (dpo|hmk)-kl-seed0\n/);
  assert.match(r.stdout, /2 of 2 cells done \(2 steps per cell\)\. Every cell ran\./);
  const report = await Deno.readTextFile(`${dir}/out/grid.md`);
  assert.match(report, /\| dpo \/ kl \| hmk \/ kl \|/);
  const left = [...Deno.readDirSync(`${dir}/out`)].map((e) => e.name);
  assert.ok(!left.some((n) => n.startsWith("worker-")), `job files removed: ${left.join(", ")}`);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("grid: a bad --budget or --parallel exits 2 naming the flag and the value", async () => {
  const budget = await grid(["--budget=-5"]);
  assert.equal(budget.code, 2);
  assert.match(budget.stderr, /--budget takes minutes ≥ 0, got "-5"/);
  const parallel = await grid(["--parallel", "1.5"]);
  assert.equal(parallel.code, 2);
  assert.match(parallel.stderr, /--parallel takes an integer ≥ 1, got "1.5"/);
});

Deno.test("grid --budget: the pilot and the plan come first; a rerun keeps the finished cells, without a pilot", async () => {
  const dir = await Deno.makeTempDir();
  await pairs(dir);
  // A budget (minutes) far above the run's cost (seconds): the plan keeps all 20 steps however loaded the machine
  // is. The plan's step cuts are tested on fixed pilot timings in tests/eval_grid_plan.test.ts.
  const args = [
    ...["--losses", "dpo,hmk", "--divergences", "kl", "--seeds", "1", "--steps", "20", "--sft-steps", "2"],
    ...["--budget", "120", "--parallel", "1", "--backend", "cpu"],
    ...["--data", `${dir}/train.jsonl`, "--test", `${dir}/test.jsonl`, "--out", `${dir}/out`],
  ];
  const first = await grid(args);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /pilot: hmk-kl-seed0 \d+ ms\/step/);
  assert.match(first.stdout, /plan: 2 cells × 20 steps, predicted [\d.]+ min of [\d.]+ min left\n/);
  assert.ok(
    first.stdout.indexOf("plan: ") < first.stdout.indexOf("training dpo-kl-seed0"),
    "the plan comes first",
  );
  assert.match(first.stdout, /2 of 2 cells done \(20 steps per cell\)\. Every cell ran\./);
  const plan = JSON.parse(await Deno.readTextFile(`${dir}/out/plan.json`));
  assert.equal(plan.steps, 20);
  const again = await grid(args);
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stdout, /pilot:|training /);
  assert.match(again.stdout, /2 of 2 cells done \(20 steps per cell\)\. Every cell ran\./);
  await Deno.remove(dir, { recursive: true });
});
