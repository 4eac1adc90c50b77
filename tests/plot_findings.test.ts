import { assert } from "./_assert.ts";
import { loadFindings, recordFindings, resultsDocument } from "../lib/plot/mod.ts";
import { type Finding, PAPER_ITEMS } from "../mod.ts";

const f = (paper: string): Finding => ({ paper, claim: "c", measured: "m", verdict: "not reproduced" });

async function withMode<T>(mode: string, run: () => Promise<T>): Promise<T> {
  const before = Deno.env.get("DPO_KERNELS_NOTEBOOK_MODE");
  Deno.env.set("DPO_KERNELS_NOTEBOOK_MODE", mode);
  try {
    return await run();
  } finally {
    if (before === undefined) Deno.env.delete("DPO_KERNELS_NOTEBOOK_MODE");
    else Deno.env.set("DPO_KERNELS_NOTEBOOK_MODE", before);
  }
}

Deno.test("findings: full mode writes them stamped with the notebook; quick mode writes nothing", async () => {
  const folder = await Deno.makeTempDir();
  await withMode("quick", () => recordFindings("09", [f("Fig. 8")], folder));
  assert.deepEqual([...Deno.readDirSync(folder)], []);
  await withMode("full", () => recordFindings("09", [f("Fig. 8")], folder));
  await withMode("full", () => recordFindings("04", [f("Table 3"), f("Fig. 3")], folder));
  const back = await loadFindings(folder);
  assert.deepEqual(back.map((x) => [x.notebook, x.paper]), [["04", "Table 3"], ["04", "Fig. 3"], [
    "09",
    "Fig. 8",
  ]]);
});

Deno.test("findings: bad input names the notebook, the file and the field", async () => {
  const folder = await Deno.makeTempDir();
  await assert.rejects(() => recordFindings("9", [f("Fig. 8")], folder), /notebook must be two digits/);
  await assert.rejects(() => recordFindings("09", [f("Fig. 14")], folder), /finding\.paper/);
  await Deno.writeTextFile(`${folder}/01.json`, "{}");
  await assert.rejects(() => loadFindings(folder), /01\.json: expected a JSON array/);
  await Deno.writeTextFile(`${folder}/01.json`, "[{");
  await assert.rejects(() => loadFindings(folder), /01\.json: not valid JSON/);
  await Deno.writeTextFile(
    `${folder}/01.json`,
    JSON.stringify([f("Fig. 1"), { ...f("Fig. 2"), verdict: "?" }]),
  );
  await assert.rejects(() => loadFindings(folder), /01\.json\[1\]: finding\.verdict/);
});

Deno.test("findings: the results document lists what is not covered", () => {
  assert.match(resultsDocument([f("Fig. 1")]), /Not covered: Fig\. 2, Fig\. 3,.*Table 4\./);
  const all = resultsDocument(PAPER_ITEMS.map(f));
  assert.match(all, /Every figure \(1–13\) and table \(1–4\) of the paper is covered\./);
  assert.match(all, /17 findings: 0 reproduced, 0 partly reproduced, 17 not reproduced/);
});
