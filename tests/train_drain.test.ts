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

Deno.test("drainRun: an error inside the run propagates", async () => {
  async function* failing(): AsyncGenerator<number, void> {
    yield 1;
    throw new RangeError("step 2 diverged");
  }
  await assert.rejects(drainRun(failing()), { name: "RangeError", message: "step 2 diverged" });
});
