import { syntheticExample } from "./_fixtures.ts";
import { assert } from "./_assert.ts";
import { checkFactuality } from "../lib/data/mod.ts";

Deno.test("factuality checker: the right value and only it, in the first line", () => {
  const e = syntheticExample("factuality", "answer", { subject: "Avel", relation: "city", answer: "Tomra" });
  assert.deepEqual(checkFactuality(e, "Tomra.\nVelk."), { behaviour: "answer", preferred: true });
  assert.deepEqual(checkFactuality(e, "avel lives in tomra"), { behaviour: "answer", preferred: true });
  assert.deepEqual(checkFactuality(e, "Velk.\nTomra."), { behaviour: "wrong", preferred: false });
  assert.equal(checkFactuality(e, "Tomra or Velk.").behaviour, "wrong");
  assert.equal(checkFactuality(e, "Tomrat.").behaviour, "wrong");
  assert.equal(checkFactuality(e, "").behaviour, "wrong");
  const pet = syntheticExample("factuality", "answer", { subject: "Avel", relation: "pet", answer: "owl" });
  assert.equal(checkFactuality(pet, "Avel has an owl.").behaviour, "answer");
});
