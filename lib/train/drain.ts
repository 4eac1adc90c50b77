/**
 * Running a training generator to its end: `train()` yields events and returns its summary; scripts and
 * notebooks that only want the summary (and perhaps to watch the events) drain it.
 *
 * @module
 */

/**
 * Runs a generator to completion, handing each yielded event to `onEvent` (awaited, so it may be async: the run
 * waits for it), and returns what the generator returns.
 *
 * @param run The generator (e.g. `train(config)`).
 * @param onEvent Called with each event, in order (default: none).
 * @returns The generator's return value (for `train()`, its summary).
 * @example
 * ```ts
 * import { drainRun } from "@dpo-kernels/dpo-kernels/train";
 * import assert from "node:assert/strict";
 * async function* steps(): AsyncGenerator<number, string> {
 *   yield 1;
 *   yield 2;
 *   return "done";
 * }
 * const seen: number[] = [];
 * assert.equal(await drainRun(steps(), (e) => seen.push(e)), "done");
 * assert.deepEqual(seen, [1, 2]);
 * ```
 */
export async function drainRun<E, R>(
  run: AsyncGenerator<E, R>,
  onEvent?: (event: E) => unknown | Promise<unknown>,
): Promise<R> {
  let r = await run.next();
  while (!r.done) {
    await onEvent?.(r.value);
    r = await run.next();
  }
  return r.value;
}
