import { assert } from "./_assert.ts";
import { drainRun } from "../lib/train/drain.ts";

async function* events(n: number): AsyncGenerator<number, { count: number }> {
  for (let i = 0; i < n; i++) yield i;
  return { count: n };
}

Deno.test("drainRun: every event in order, then the generator's return value", async () => {
  const seen: number[] = [];
  assert.deepEqual(await drainRun(events(4), (e) => seen.push(e)), { count: 4 });
  assert.deepEqual(seen, [0, 1, 2, 3]);
  assert.deepEqual(await drainRun(events(0)), { count: 0 });
});

Deno.test("drainRun: an async callback is awaited before the next event", async () => {
  const log: string[] = [];
  await drainRun(events(3), async (e) => {
    log.push(`start ${e}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
    log.push(`end ${e}`);
  });
  assert.deepEqual(log, ["start 0", "end 0", "start 1", "end 1", "start 2", "end 2"]);
});

Deno.test("drainRun: an error inside the run propagates", async () => {
  async function* failing(): AsyncGenerator<number, void> {
    yield 1;
    throw new RangeError("step 2 diverged");
  }
  await assert.rejects(drainRun(failing()), { name: "RangeError", message: "step 2 diverged" });
});
