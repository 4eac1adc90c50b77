import { setup } from "../lib/train/setup.ts";
import { sumPairs, TINY_MODEL } from "./_fixtures.ts";
import { assert } from "./_assert.ts";

/** The notes `setup` hands the trainer for one loss × divergence (the policy it builds is disposed). */
async function notesFor(loss: "rbf" | "dpo", divergence: "hellinger" | "kl"): Promise<string[]> {
  const out = await Deno.makeTempDir();
  try {
    const s = await setup({
      data: sumPairs(4),
      out,
      overwrite: true,
      backend: "cpu",
      model: TINY_MODEL,
      batchSize: 2,
      sft: { batchSize: 2 },
      loss,
      divergence,
    });
    s.policy.dispose();
    return s.notes;
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

Deno.test("setup names a kernel × divergence known to collapse before any step, and stays quiet otherwise", async () => {
  const risky = (await notesFor("rbf", "hellinger")).filter((n) => n.startsWith("collapse risk"));
  assert.equal(risky.length, 1);
  assert.match(risky[0]!, /collapse risk \(refuse\): rbf × hellinger: .*Measured: /);
  assert.deepEqual((await notesFor("rbf", "kl")).filter((n) => n.startsWith("collapse risk")), []);
  assert.deepEqual((await notesFor("dpo", "hellinger")).filter((n) => n.startsWith("collapse risk")), []);
});
