// The verdict table (issue 12, item 8): every notebook that reproduces a figure or table of the paper records its
// findings in notebooks/results/NN.json from its full-mode run; notebook 15 turns them into docs/results.md. These
// tests keep the committed pieces in step: the document is exactly the findings' document, every figure and table
// is covered, and each notebook's results file holds that notebook's findings.
import { assert } from "./_assert.ts";
import { uncoveredItems } from "../mod.ts";
import { loadFindings, resultsDocument } from "../lib/plot/mod.ts";

const ROOT = new URL("..", import.meta.url);
const RESULTS = new URL("notebooks/results/", ROOT).pathname;

/** Notebooks that reproduce a figure or table of the paper (00 is a tour, 14 scales out, 15 is the table). */
const MEASURING = ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13"];

Deno.test("results: docs/results.md is exactly the document of the committed findings", async () => {
  const findings = await loadFindings(RESULTS);
  const committed = await Deno.readTextFile(new URL("docs/results.md", ROOT));
  assert.equal(
    committed,
    resultsDocument(findings),
    "docs/results.md is out of step with notebooks/results/*.json: re-run notebooks/15_verdicts.ipynb in full mode",
  );
});

Deno.test("results: every figure (1–13) and table (1–4) of the paper has a finding", async () => {
  assert.deepEqual(uncoveredItems(await loadFindings(RESULTS)), []);
});

Deno.test("results: each measuring notebook records its own findings, and only they write results", async () => {
  const files = [...Deno.readDirSync(RESULTS)].map((e) => e.name).filter((n) => n.endsWith(".json")).sort();
  assert.deepEqual(files, MEASURING.map((n) => `${n}.json`));
  const notebooks = [...Deno.readDirSync(new URL("notebooks/", ROOT))].map((e) => e.name);
  for (const n of MEASURING) {
    const name = notebooks.find((f) => f.startsWith(`${n}_`) && f.endsWith(".ipynb"));
    assert.ok(name !== undefined, `notebook ${n} is missing`);
    const text = await Deno.readTextFile(new URL(`notebooks/${name}`, ROOT));
    assert.match(
      text,
      new RegExp(String.raw`P\.recordFindings\(\\"${n}\\"`),
      `${name} must call P.recordFindings("${n}", …)`,
    );
    const own = JSON.parse(await Deno.readTextFile(`${RESULTS}${n}.json`)) as { notebook?: string }[];
    assert.ok(own.length > 0, `${n}.json holds no finding`);
    for (const f of own) assert.equal(f.notebook, n, `${n}.json holds a finding of notebook ${f.notebook}`);
  }
});
