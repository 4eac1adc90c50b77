import * as tf from "@tensorflow/tfjs";
import { configFromArgs, resumeCommand } from "../lib/cli/train.ts";
import { configFlags } from "../lib/train/config_flags.ts";
import { loadCheckpoint } from "../lib/io/mod.ts";
import { resolveTrainConfig } from "../lib/train/mod.ts";
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

// ---- The CLI as a user runs it: a real process, signals, exit codes, one-line errors ----------------------

const CLI = new URL("../lib/cli/train.ts", import.meta.url).pathname;
const PERMISSIONS = ["--allow-read", "--allow-write", "--allow-env", "--allow-ffi", "--allow-sys"];
const TINY_CONFIG = {
  model: { dModel: 16, layers: 1, heads: 2, contextLength: 16 },
  backend: "cpu",
  sft: { batchSize: 4 },
  batchSize: 4,
  evalEvery: 0,
  evalFraction: 0,
};

/** A folder with `good.jsonl` (24 pairs) and `tiny.json` (a tiny model on the cpu backend). */
async function workspace(): Promise<string> {
  const dir = await Deno.makeTempDir();
  const lines = Array.from(
    { length: 24 },
    (_, i) =>
      JSON.stringify({ prompt: `${i % 7}+${i % 5}=`, chosen: `${(i % 7 + i % 5) % 10}.`, rejected: "x." }),
  );
  await Deno.writeTextFile(`${dir}/good.jsonl`, lines.join("\n") + "\n");
  await Deno.writeTextFile(`${dir}/tiny.json`, JSON.stringify(TINY_CONFIG));
  return dir;
}

function cliCommand(args: readonly string[], cwd: string, env: Record<string, string> = {}): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, CLI, ...args],
    cwd,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

async function runCli(args: readonly string[], cwd: string, env: Record<string, string> = {}) {
  const { code, stdout, stderr } = await cliCommand(args, cwd, env).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

/**
 * Starts a long run, waits for its first step line (printed every 10 steps), sends the first signal, and each
 * further one once the run has acknowledged the first (so that it lands while the step ends or the checkpoint
 * is written, not coalesced with the first). A run that ignores the signal is killed after a minute so that the
 * test fails instead of hanging.
 */
async function interrupt(dir: string, out: string, signals: readonly Deno.Signal[]) {
  const child = cliCommand(
    ["--config", "tiny.json", "--data", "good.jsonl", "--out", out, "--steps", "100000", "--sft-steps", "2"],
    dir,
  ).spawn();
  const kill = (signal: Deno.Signal) => {
    try {
      child.kill(signal);
    } catch {
      // already exited
    }
  };
  let guard: ReturnType<typeof setTimeout> | undefined;
  const stderr = (async () => {
    let text = "";
    let acknowledged = false;
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      if (!acknowledged && /stopping after this step/.test(text)) {
        acknowledged = true;
        signals.slice(1).forEach(kill);
      }
    }
    return text;
  })();
  let stdout = "";
  let sent = false;
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    stdout += chunk;
    if (!sent && /^pref .* 10\/100000/m.test(stdout)) {
      sent = true;
      kill(signals[0]!);
      guard = setTimeout(() => kill("SIGKILL"), 60_000);
    }
  }
  const status = await child.status;
  clearTimeout(guard);
  return { code: status.code, signal: status.signal, stdout, stderr: await stderr };
}

Deno.test("Ctrl-C stops within a step (not at the next save), writes a checkpoint, prints the resume command, exits 130; the command resumes from another cwd", async () => {
  const dir = await workspace();
  // Two Ctrl-C in a row: the second waits for the checkpoint instead of cutting it short.
  const r = await interrupt(dir, "runs/a", ["SIGINT", "SIGINT"]);
  assert.equal(r.code, 130, `exit ${r.code} (${r.signal}); ${r.stderr}`);
  assert.equal(r.signal, null, "the process exited by itself, not killed by the second signal");
  const stopped = /stopped at step (\d+); checkpoint written to (\S+)/.exec(r.stdout);
  assert.ok(stopped, r.stdout);
  const step = Number(stopped[1]);
  // Checkpoints are due every 100 steps: a stop before that is the signal's doing, not a save's.
  assert.ok(step >= 10 && step < 100, `stopped at step ${step}`);
  assert.equal(stopped[2], `runs/a/checkpoint-${step}`);
  const ckpt = await loadCheckpoint(`${dir}/${stopped[2]}`);
  tf.dispose([...ckpt.weights.values(), ...(ckpt.optimizer?.values() ?? [])]);
  const command = /resume with: deno task train (.*)$/m.exec(r.stdout);
  assert.ok(command, r.stdout);
  const args = command[1]!.split(" ");
  assert.deepEqual(args.slice(-2), ["--resume", `runs/a/checkpoint-${step}`]);
  // Resume as printed (a few more steps), from the parent folder: paths inside the checkpoint do not depend on
  // the working directory.
  args[args.indexOf("--steps") + 1] = String(step + 3);
  const rel = (
    a: string,
  ) => (a.endsWith(".json") || a.endsWith(".jsonl") || a.startsWith("runs/") ? `ws/${a}` : a);
  await Deno.rename(dir, `${dir}-parent`).then(() => Deno.mkdir(dir));
  await Deno.rename(`${dir}-parent`, `${dir}/ws`);
  const resumed = await runCli(args.map(rel), dir);
  assert.equal(resumed.code, 0, resumed.stderr);
  const steps = (await Deno.readTextFile(`${dir}/ws/runs/a/metrics.jsonl`)).trim().split("\n")
    .map((l) => JSON.parse(l)).filter((l) => l.phase === "preference").map((l) => l.step);
  assert.deepEqual(steps, Array.from({ length: step + 3 }, (_, i) => i), "every step once");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("SIGTERM stops the same way and exits 143", async () => {
  const dir = await workspace();
  const r = await interrupt(dir, "b", ["SIGTERM"]);
  assert.equal(r.code, 143, `exit ${r.code} (${r.signal}); ${r.stderr}`);
  assert.match(r.stdout, /resume with: deno task train .* --resume b\/checkpoint-\d+$/m);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("CLI errors are one line naming the problem: exit 2 for usage, 1 for data and I/O; stacks only with --debug", async () => {
  const dir = await workspace();
  await Deno.writeTextFile(`${dir}/empty.jsonl`, "");
  await Deno.writeTextFile(`${dir}/bad.json`, "{ not json");
  await Deno.writeTextFile(`${dir}/a-file`, "");
  await Deno.mkdir(`${dir}/ck`);
  await Deno.mkdir(`${dir}/runs`);
  await Deno.writeTextFile(`${dir}/ck/config.json`, "");
  const t = ["--config", "tiny.json"];
  const cases: [string[], number, RegExp][] = [
    [[...t, "--data", "empty.jsonl", "--out", "o"], 1, /data file empty.jsonl is empty/],
    [[...t, "--data", "missing.jsonl", "--out", "o"], 1, /cannot read data file missing.jsonl: no such file/],
    [[...t, "--data", "good.jsonl", "--out", "a-file"], 2, /--out a-file is an existing file/],
    [[...t, "--data", "good.jsonl", "--out", "a-file/sub"], 1, /cannot write to --out a-file\/sub/],
    [["--config", "bad.json", "--data", "good.jsonl", "--out", "o"], 2, /--config bad.json: not valid JSON/],
    [[...t, "--data", "good.jsonl", "--out", "o", "--resume", "ck"], 1, /ck\/config.json: empty/],
    [[...t, "--data", "good.jsonl", "--out", "o", "--resume", "nope"], 1, /nope: no such checkpoint folder/],
    [[...t, "--data", "good.jsonl", "--out", "o", "--lr", "Infinity"], 2, /--lr must be a finite number/],
    // A misspelt local folder is an error, not a hub download (hub ids: hf:owner/name).
    [
      [...t, "--data", "good.jsonl", "--out", "o", "--model", "runs/typo"],
      1,
      /--model runs\/typo: no such folder/,
    ],
    [[...t, "--data", "good.jsonl", "--out", "o", "--loss", "toString"], 2, /config.loss must be one of/],
    [
      [...t, "--data", "good.jsonl", "--out", "o", "--backend", "toString"],
      2,
      /config.backend must be one of/,
    ],
  ];
  const results = await Promise.all(cases.map(([args]) => runCli(args, dir)));
  cases.forEach(([args, code, pattern], i) => {
    const r = results[i]!;
    // Deno itself may say it waits for the node_modules lock (another deno process holds it): not the CLI's line.
    const lines = r.stderr.trim().split("\n").filter((l) => !/^Blocking waiting for file lock/.test(l));
    assert.equal(r.code, code, `${args.join(" ")}: exit ${r.code}; ${r.stderr}`);
    assert.equal(lines.length, 1, `${args.join(" ")}: one line, got ${r.stderr}`);
    assert.match(lines[0]!, /^error: /);
    assert.match(lines[0]!, pattern);
  });
  const [debug, env] = await Promise.all([
    runCli([...t, "--data", "empty.jsonl", "--out", "o", "--debug"], dir),
    runCli([...t, "--data", "empty.jsonl", "--out", "o"], dir, { DPO_KERNELS_DEBUG: "1" }),
  ]);
  for (const r of [debug, env]) {
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\n\s+at /, "a stack trace");
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the resume command keeps the run's flags, drops --resume/--overwrite/--resume-weights-only, and quotes", () => {
  assert.equal(
    resumeCommand([
      "--data",
      "it's.jsonl",
      "--resume=old",
      "--overwrite",
      "--resume",
      "x",
      "--resume-weights-only",
    ], "o/ck"),
    `deno task train --data 'it'\\''s.jsonl' --resume o/ck`,
  );
});

Deno.test("--allow-software-gpu reaches the config (and the resolved config checks it is a boolean)", async () => {
  const config = await configFromArgs([
    "--data",
    "d.jsonl",
    "--out",
    "o",
    "--backend",
    "webgpu",
    "--allow-software-gpu",
  ]);
  assert.equal(config?.allowSoftwareGpu, true);
  assert.equal((await configFromArgs(["--data", "d.jsonl", "--out", "o"]))?.allowSoftwareGpu, undefined);
  assert.throws(
    () => resolveTrainConfig({ data: "d.jsonl", out: "o", allowSoftwareGpu: "yes" as unknown as boolean }),
    /config.allowSoftwareGpu must be true or false/,
  );
});

Deno.test("deno task train --help prints one line per config field's flag, derived from the field table", async () => {
  const dir = await Deno.makeTempDir();
  const { code, stdout } = await runCli(["--help"], dir);
  assert.equal(code, 0);
  for (const { field } of configFlags()) {
    assert.match(
      stdout,
      new RegExp(
        `^ {2}--${field.flag}\\b.*${field.help.slice(0, 12).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`,
        "m",
      ),
    );
  }
  for (const flag of ["config", "threads", "debug", "help"]) {
    assert.match(stdout, new RegExp(`^ {2}--${flag}\\b`, "m"));
  }
  await Deno.remove(dir, { recursive: true });
});
