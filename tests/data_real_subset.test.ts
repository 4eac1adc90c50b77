import { assert } from "./_assert.ts";
import { realSubset } from "../lib/data/mod.ts";

const pair = (prompt: string, chosen: string, rejected: string) => ({ prompt, chosen, rejected });

Deno.test("realSubset: keeps exactly the pairs whose prompt + longer response + end token fit T + 1 bytes", () => {
  // T = 8: 9 positions; prompt 4 + longer response 4 + end 1 = 9 fits, 10 does not.
  const fits = pair("abcd", "wxyz", "w");
  const tooLong = pair("abcd", "w", "wxyzq");
  // "é" is two UTF-8 bytes: 4 + 5 + 1 = 10 does not fit although it is 4 characters.
  const multibyte = pair("abcd", "éxyz", "w");
  const s = realSubset([fits, tooLong, multibyte, fits, fits], { contextLength: 8, heldOutFraction: 0.34 });
  assert.deepEqual(s.counts, { total: 5, fitting: 3 });
  assert.equal(s.train.length + s.test.length, 3);
  assert.equal(s.test.length, 1);
  for (const e of [...s.train, ...s.test]) assert.equal(e, fits);
});

Deno.test("realSubset: a seeded, disjoint split that covers every kept pair; maxPairs caps it", () => {
  const xs = Array.from({ length: 50 }, (_, i) => pair(`q${i}`, "a", "b"));
  const a = realSubset(xs, { contextLength: 32, seed: 3 });
  const b = realSubset(xs, { contextLength: 32, seed: 3 });
  const c = realSubset(xs, { contextLength: 32, seed: 4 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.test, c.test);
  assert.equal(a.test.length, 10);
  assert.equal(new Set([...a.train, ...a.test]).size, 50);
  // Not the file order: a shuffle.
  assert.notDeepEqual(a.train.map((e) => e.prompt), xs.slice(0, 40).map((e) => e.prompt));
  const capped = realSubset(xs, { contextLength: 32, maxPairs: 20 });
  assert.equal(capped.train.length + capped.test.length, 20);
});

Deno.test("realSubset: bad options name the option and the value", () => {
  const xs = [pair("q", "a", "b"), pair("q", "a", "b")];
  assert.throws(
    () => realSubset(xs, { contextLength: 0 }),
    /options\.contextLength must be a positive integer, got 0/,
  );
  assert.throws(
    () => realSubset(xs, { contextLength: 8, heldOutFraction: 1 }),
    /options\.heldOutFraction.*got 1/,
  );
  assert.throws(() => realSubset(xs, { contextLength: 8, maxPairs: 1 }), /options\.maxPairs/);
  assert.throws(() => realSubset(xs, { contextLength: 1 }), /only 0 of 2 pairs fit options\.contextLength 1/);
});
