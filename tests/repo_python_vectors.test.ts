/**
 * The shared vectors python/tests/vectors.json (checked by the Python tests, `deno task test:python`) must be what
 * the TypeScript core writes today: a formula changed here without `deno task vectors` fails this test, and one
 * changed on the Python side fails python/tests/test_vectors.py.
 */
import assert from "node:assert/strict";
import { buildVectors } from "../python/vectors/generate.ts";

const FILE = new URL("../python/tests/vectors.json", import.meta.url);

Deno.test("python/tests/vectors.json is current with the TypeScript core (else run `deno task vectors`)", async () => {
  const stored = JSON.parse(await Deno.readTextFile(FILE));
  const fresh = JSON.parse(JSON.stringify(buildVectors()));
  assert.deepEqual(Object.keys(fresh), Object.keys(stored));
  for (const key of Object.keys(fresh)) {
    assert.deepEqual(fresh[key], stored[key], `${key} differs from the core: run deno task vectors`);
  }
});
