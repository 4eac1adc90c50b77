import { assert, assertClose } from "./_assert.ts";
import type { Vector } from "../lib/math/types.ts";
import {
  assertTriplets,
  DISTANCES,
  type PreferenceTriplet,
  resolveDistance,
  tripletDistances,
} from "../lib/selection/mod.ts";

Deno.test("DISTANCES: closed forms", () => {
  assert.equal(DISTANCES.euclidean([1, 2], [4, 6]), 5);
  assert.equal(DISTANCES["squared-euclidean"]([1, 2], [4, 6]), 25);
  assertClose(DISTANCES.cosine([1, 0], [1, 1]), 1 - Math.SQRT1_2, 1e-15);
  assert.equal(DISTANCES.cosine([1, 0], [-3, 0]), 2);
  assert.equal(DISTANCES.cosine([2, 2], [5, 5]), 0); // same direction: exactly 0, whatever the magnitudes
  assert.deepEqual(Object.keys(DISTANCES).sort(), ["cosine", "euclidean", "squared-euclidean"]);
});

Deno.test("resolveDistance: names, functions, default and errors", () => {
  assert.equal(resolveDistance("cosine"), DISTANCES.cosine);
  assert.equal(resolveDistance(undefined), DISTANCES.cosine);
  const manhattan = (a: Vector, b: Vector): number => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += Math.abs((a[i] as number) - (b[i] as number));
    return s;
  };
  assert.equal(resolveDistance(manhattan), manhattan);
  assert.throws(
    () => resolveDistance("manhattan" as "cosine"),
    (e: unknown) => e instanceof RangeError && /options\.distance.*"manhattan"/.test(e.message),
  );
  assert.throws(() => resolveDistance("toString" as "cosine"), RangeError);
  assert.throws(() => resolveDistance(3 as unknown as "cosine"), TypeError);
});

const T: PreferenceTriplet[] = [
  { prompt: [0, 0], chosen: [3, 4], rejected: [6, 8] },
  { prompt: [1, 1], chosen: [1, 2], rejected: [1, 1] },
];

Deno.test("tripletDistances: per-pair distances in order, typed arrays accepted", () => {
  const d = tripletDistances(T, { distance: "euclidean", between: true });
  assert.deepEqual([...d.chosen], [5, 1]);
  assert.deepEqual([...d.rejected], [10, 0]);
  assert.deepEqual([...(d.between ?? [])], [5, 1]);
  assert.equal(tripletDistances(T, { distance: "euclidean" }).between, undefined);
  const typed = T.map((t) => ({
    prompt: Float64Array.from(t.prompt),
    chosen: Float32Array.from(t.chosen),
    rejected: Float64Array.from(t.rejected),
  }));
  assert.deepEqual(tripletDistances(typed, { distance: "euclidean" }).chosen, Float64Array.from([5, 1]));
});

Deno.test("tripletDistances: bad input names the argument", () => {
  const ok = { prompt: [1, 0], chosen: [1, 1], rejected: [0, 1] };
  assert.throws(
    () => tripletDistances([]),
    (e: unknown) => e instanceof RangeError && /triplets/.test(e.message),
  );
  assert.throws(
    () => tripletDistances([ok, ok, ok, { prompt: [1, 0], chosen: [1, 1, 1], rejected: [0, 1] }]),
    (e: unknown) => e instanceof RangeError && /triplets\[3\]\.chosen must have length 2/.test(e.message),
  );
  assert.throws(
    () => tripletDistances([ok, { prompt: [1, 0], chosen: [1, 1], rejected: [NaN, 1] }]),
    (e: unknown) => e instanceof RangeError && /triplets\[1\]\.rejected\[0\]/.test(e.message),
  );
  assert.throws(
    () => tripletDistances([{ prompt: [], chosen: [], rejected: [] }]),
    (e: unknown) => e instanceof RangeError && /triplets\[0\]\.prompt must not be empty/.test(e.message),
  );
  assert.throws(() => tripletDistances([null as unknown as PreferenceTriplet]), TypeError);
  assert.throws(() => tripletDistances("x" as unknown as PreferenceTriplet[]), TypeError);
  assert.throws(
    () =>
      tripletDistances([{ prompt: [1, 0], chosen: "ab", rejected: [0, 1] } as unknown as PreferenceTriplet]),
    (e: unknown) => e instanceof TypeError && /triplets\[0\]\.chosen/.test(e.message),
  );
  // A zero vector has no direction: cosine fails and the message names the pair.
  assert.throws(
    () => tripletDistances([ok, { prompt: [0, 0], chosen: [1, 1], rejected: [0, 1] }]),
    (e: unknown) =>
      e instanceof RangeError && /distance\(triplets\[1\]\.prompt, triplets\[1\]\.chosen\)/.test(e.message),
  );
  // A custom distance must return finite values >= 0.
  assert.throws(
    () => tripletDistances([ok], { distance: () => -1 }),
    (e: unknown) => e instanceof RangeError && /finite number >= 0, got -1/.test(e.message),
  );
  assert.throws(() => tripletDistances([ok], { distance: () => NaN }), RangeError);
  assert.equal(assertTriplets([ok, ok]), 2);
});
