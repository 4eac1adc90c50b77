import { configFromArgs } from "../lib/cli/train.ts";
import { assert } from "./_assert.ts";

Deno.test("CLI flags build the TrainConfig; --help returns nothing; bad flags are errors naming them", async () => {
  const config = await configFromArgs([
    "--data",
    "d.jsonl",
    "--out",
    "o",
    "--loss",
    "hmk",
    "--steps",
    "12",
    "--divergence",
    "js",
    "--regularizer",
    "explicit",
    "--sft-steps",
    "3",
    "--backend",
    "cpu",
    "--skip-bad-lines",
  ]);
  assert.deepEqual(config, {
    data: "d.jsonl",
    out: "o",
    loss: "hmk",
    steps: 12,
    divergence: "js",
    regularizer: "explicit",
    sft: { steps: 3 },
    backend: "cpu",
    skipBadLines: true,
  });
  assert.equal(await configFromArgs(["--help"]), undefined);
  await assert.rejects(
    () => configFromArgs(["--data", "d", "--out", "o", "--steps", "many"]),
    /--steps must be a finite number/,
  );
  await assert.rejects(() => configFromArgs(["--data", "d", "--out", "o", "--nope"]), /nope/);
  await assert.rejects(() => configFromArgs(["--out", "o"]), /--data is required/);
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/c.json`, JSON.stringify({ data: "x.jsonl", out: "y", beta: 0.3 }));
  const fromFile = await configFromArgs(["--config", `${dir}/c.json`, "--beta", "0.2"]);
  assert.equal(fromFile?.beta, 0.2);
  assert.equal(fromFile?.data, "x.jsonl");
  await Deno.remove(dir, { recursive: true });
});
