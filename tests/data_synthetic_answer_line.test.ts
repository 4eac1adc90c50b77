import { assert } from "./_assert.ts";
import { answerLine } from "../lib/data/mod.ts";

Deno.test("answer line: the first line, trimmed", () => {
  assert.equal(answerLine("  Tomra. \nWhere does Bryn live? Velk."), "Tomra.");
  assert.equal(answerLine("\nTomra."), "");
  assert.equal(answerLine("11"), "11");
});
