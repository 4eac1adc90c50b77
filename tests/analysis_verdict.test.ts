import { assert } from "./_assert.ts";
import {
  checkFinding,
  combineVerdicts,
  differenceVerdict,
  type Finding,
  PAPER_ITEMS,
  protocolVerdict,
  uncoveredItems,
  verdictTable,
} from "../mod.ts";

Deno.test("verdict: a difference is reproduced only when its whole interval is on the claimed side", () => {
  assert.equal(differenceVerdict({ estimate: 0.03, lower: 0.001, upper: 0.06 }), "reproduced");
  // An interval touching zero is not enough (strict inequality).
  assert.equal(differenceVerdict({ estimate: 0.03, lower: 0, upper: 0.06 }), "not reproduced");
  assert.equal(differenceVerdict({ estimate: 0.03, lower: -0.001, upper: 0.06 }), "not reproduced");
  // The opposite, significant effect is not a reproduction either.
  assert.equal(differenceVerdict({ estimate: -0.03, lower: -0.06, upper: -0.001 }), "not reproduced");
  assert.equal(differenceVerdict({ estimate: -0.03, lower: -0.06, upper: -0.001 }, "lower"), "reproduced");
  assert.equal(differenceVerdict({ estimate: 0.03, lower: 0.01, upper: 0.06 }, "lower"), "not reproduced");
});

Deno.test("verdict: bad intervals name the field", () => {
  assert.throws(() => differenceVerdict({ estimate: NaN, lower: 0, upper: 1 }), /difference\.estimate.*NaN/);
  assert.throws(
    () => differenceVerdict({ estimate: 0.5, lower: 1, upper: 0 }),
    /difference\.lower must be <= upper/,
  );
});

Deno.test("verdict: combining parts", () => {
  assert.equal(combineVerdicts(["reproduced", "reproduced"]), "reproduced");
  assert.equal(combineVerdicts(["not reproduced", "not reproduced"]), "not reproduced");
  assert.equal(combineVerdicts(["reproduced", "not reproduced"]), "partly reproduced");
  assert.equal(combineVerdicts(["partly reproduced"]), "partly reproduced");
  assert.equal(combineVerdicts(["reproduced", "not testable at this scale"]), "reproduced");
  assert.equal(combineVerdicts(["not testable at this scale"]), "not testable at this scale");
  assert.throws(() => combineVerdicts([]), /at least one/);
  assert.throws(() => combineVerdicts(["maybe" as never]), /verdicts\[0\].*"maybe"/);
});

const finding = (over: Partial<Finding> = {}): Finding => ({
  paper: "Fig. 8",
  claim: "The hybrid loss beats DPO",
  measured: "hybrid − DPO = −0.006",
  verdict: "not reproduced",
  ...over,
});

Deno.test("verdict: findings are checked field by field", () => {
  assert.deepEqual(checkFinding(finding()), finding());
  assert.throws(() => checkFinding(finding({ paper: "Figure 8" })), /finding\.paper.*"Figure 8"/);
  assert.throws(() => checkFinding(finding({ verdict: "yes" as never })), /finding\.verdict \(Fig\. 8\)/);
  assert.throws(() => checkFinding(finding({ measured: "  " })), /finding\.measured \(Fig\. 8\)/);
  assert.throws(
    () => checkFinding(finding({ interval: { estimate: 0, lower: -Infinity, upper: 1 } })),
    /finding\.interval\.lower/,
  );
});

Deno.test("verdict: the table is in the paper's order, escapes pipes, and counts verdicts", () => {
  const table = verdictTable([
    finding({ paper: "Table 1", claim: "a | b", verdict: "reproduced" }),
    finding({ paper: "Fig. 10", verdict: "partly reproduced" }),
    finding({ paper: "Fig. 2", verdict: "not testable at this scale" }),
  ]);
  const rows = table.split("\n").filter((l) => /^\| (Fig\.|Table) /.test(l)).map((l) => l.split(" | ")[0]);
  assert.deepEqual(rows, ["| Fig. 2", "| Fig. 10", "| Table 1"]);
  assert.match(table, /a \\\| b/);
  assert.match(
    table,
    /3 findings: 1 reproduced, 1 partly reproduced, 0 not reproduced, 1 not testable at this scale\./,
  );
});

Deno.test("verdict: coverage of Figs. 1–13 and Tables 1–4", () => {
  assert.equal(PAPER_ITEMS.length, 17);
  assert.equal(PAPER_ITEMS[12], "Fig. 13");
  assert.equal(PAPER_ITEMS[16], "Table 4");
  assert.deepEqual(uncoveredItems(PAPER_ITEMS.map((paper) => finding({ paper }))), []);
  assert.deepEqual(uncoveredItems([finding()]).includes("Fig. 8"), false);
  assert.equal(uncoveredItems([finding()]).length, 16);
});

Deno.test("verdict: under the protocol a DPO at chance makes a comparison not testable", () => {
  const up = { estimate: 0.05, lower: 0.01, upper: 0.09 };
  const flat = { estimate: 0.01, lower: -0.03, upper: 0.05 };
  const above = { estimate: 0.6, lower: 0.52, upper: 0.68 };
  const chance = { estimate: 0.55, lower: 0.5, upper: 0.6 }; // touching ½ is not above it
  assert.equal(protocolVerdict(up, above), "reproduced");
  assert.equal(protocolVerdict(flat, above), "not reproduced");
  assert.equal(protocolVerdict(up, chance), "not testable at this scale");
  assert.equal(protocolVerdict(flat, chance), "not testable at this scale");
  assert.throws(() => protocolVerdict(up, { estimate: 0.5, lower: NaN, upper: 1 }), /baseline\.lower/);
});
