import { assert } from "./_assert.ts";
import { formatNumber, formatValue, md, mdText } from "../lib/plot/mod.ts";

Deno.test("prose: numbers", () => {
  assert.equal(formatNumber(0.12345), "0.123");
  assert.equal(formatNumber(0.12345, 2), "0.12");
  assert.equal(formatNumber(-0.0395), "-0.040");
  assert.equal(formatNumber(7), "7");
  assert.equal(formatNumber(9999), "9999");
  assert.equal(formatNumber(120576), "120,576");
  assert.equal(formatNumber(0.0004), "4.00e-4");
  assert.equal(formatNumber(123456.7), "1.23e+5");
  assert.equal(formatNumber(NaN), "NaN");
  assert.equal(formatNumber(-Infinity), "−∞");
});

Deno.test("prose: intervals and paired differences", () => {
  assert.equal(formatValue({ estimate: 0.5, lower: 0.45, upper: 0.55 }), "0.500 [0.450, 0.550]");
  assert.equal(
    formatValue({ estimate: 0.012, lower: -0.01, upper: 0.03, pValue: 0.234 }),
    "+0.012 [-0.010, 0.030], p 0.23",
  );
  assert.equal(
    formatValue({ estimate: -0.2, lower: -0.3, upper: -0.1, pValue: 0.0001 }),
    "-0.200 [-0.300, -0.100], p < 0.001",
  );
  assert.equal(formatValue([0.1, 2]), "0.100, 2");
  assert.equal(formatValue("rbf"), "rbf");
});

Deno.test("prose: md interpolates every value in order and displays as Markdown", () => {
  const a = 0.5751, n = 250;
  assert.equal(mdText`acc ${a} on ${n} pairs, ${"rbf"}`, "acc 0.575 on 250 pairs, rbf");
  assert.equal(mdText`no values`, "no values");
  const bundle = md`x = ${1.5}`[Symbol.for("Jupyter.display")]!();
  assert.equal(bundle["text/markdown"], "x = 1.500");
  assert.equal(bundle["text/plain"], "x = 1.500");
});
