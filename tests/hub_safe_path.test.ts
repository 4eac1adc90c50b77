// Names that become paths (hub revisions, repository ids, dataset subsets and names, names read from
// checkpoints) are checked by one validator, and each entry point refuses an escaping name before it writes or
// reads anything outside its folder.
import { assert } from "./_assert.ts";

import { assertRecordedName, assertSafeRelativePath, isSafeRelativePath } from "../lib/hub/safe_path.ts";

import { useBackend } from "../lib/model/backend.ts";

await useBackend("cpu");

const ESCAPES = [
  "v1/../../../escape",
  "..",
  "../x",
  "a/..",
  "/abs",
  "/",
  "C:/windows",
  "a\\..\\b",
  "a//b",
  "a/",
  "./a",
  "",
  "a\u0000b",
  "a b",
];

Deno.test("safe_path: the rules, and messages naming the argument and the value", () => {
  for (const ok of ["main", "v1.0", "refs/pr/1", "harmless-base/test.jsonl.gz", "a@b", "x~y+z=w", "gpt2"]) {
    assert.ok(isSafeRelativePath(ok), ok);
    assert.equal(assertSafeRelativePath(ok, "arg"), ok);
  }
  for (const bad of ESCAPES) {
    assert.ok(!isSafeRelativePath(bad), JSON.stringify(bad));
    assert.throws(
      () => assertSafeRelativePath(bad, "options.revision"),
      (e: Error) =>
        e instanceof RangeError && e.message.startsWith("options.revision ") &&
        e.message.includes(JSON.stringify(bad)),
      JSON.stringify(bad),
    );
    assert.throws(() => assertRecordedName(bad, "tokenizer.name"), RangeError, JSON.stringify(bad));
  }
  assert.throws(() => assertSafeRelativePath(3, "x"), TypeError);
  assert.throws(() => assertRecordedName(null, "x"), TypeError);
});
