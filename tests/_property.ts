// Shared helpers of the property-based tests (fast-check) for the parsers that read what users and other
// programs write: a fixed seed (set FC_SEED to explore), the run count, the check that a failure is a documented
// error naming the problem (never an engine error), and capped JSON-ish values with awkward keys.
import fc from "fast-check";

export const SEED: number = Number(Deno.env.get("FC_SEED") ?? 20261205);
export const RUNS: number = 3000;

/** Messages of engine errors: a parser that lets one through has a missing check. */
export const ENGINE_ERROR: RegExp =
  /Cannot read propert|is not a function|is not iterable|(undefined|null) is not an object|Invalid array length|Maximum call stack|is not defined|Cannot convert/;

/** Asserts that `e` is one of the documented error classes with a message naming the problem. */
export function assertDocumented(
  e: unknown,
  classes: readonly (new (...args: never[]) => Error)[],
  input: unknown,
): void {
  const ok = classes.some((c) => e instanceof c);
  const message = e instanceof Error ? e.message : String(e);
  if (!ok || ENGINE_ERROR.test(message) || message.length === 0) {
    throw new Error(
      `undocumented error ${(e as Error)?.constructor?.name}: ${message}\ninput: ${
        JSON.stringify(input, (_, v) => (typeof v === "bigint" ? `${v}n` : v))?.slice(0, 500)
      }`,
      { cause: e },
    );
  }
}

/** JSON-ish values with awkward keys, capped in depth and size. */
export const awkwardKey: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom("__proto__", "constructor", "toString", "prompt", "chosen", "rejected", "category", ""),
);
export const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", maxDepth: 3 },
    fc.constantFrom(null, true, false, 0, -1, 1e308, -0, 0.5, "", "x", "\u0000", "\ud800"),
    fc.double(),
    fc.integer(),
    fc.string({ maxLength: 12 }),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(awkwardKey, tie("value"), { maxKeys: 4 }),
  ),
})).value;
