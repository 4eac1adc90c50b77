import assert from "node:assert/strict";
import {
  firstMatchingRule,
  formatAgainst,
  formatThreshold,
  resolveThresholds,
} from "../lib/selection/rule_table.ts";

Deno.test("resolveThresholds fills defaults, keeps the defaults object untouched, names a bad threshold", () => {
  const defaults: Readonly<{ epsilon1: number; epsilon2: number }> = Object.freeze({
    epsilon1: 0.5,
    epsilon2: 0.3,
  });
  const t = resolveThresholds(defaults, { epsilon2: 0.7 });
  assert.deepEqual(t, { epsilon1: 0.5, epsilon2: 0.7 });
  assert.deepEqual(defaults, { epsilon1: 0.5, epsilon2: 0.3 });
  assert.throws(() => resolveThresholds(defaults, { epsilon1: -0.1 }), /thresholds\.epsilon1/);
  assert.throws(() => resolveThresholds(defaults, { epsilon1: Number.NaN }), /thresholds\.epsilon1/);
});

Deno.test("firstMatchingRule returns the first case that holds with its 1-based number; none is an error", () => {
  const rules = [
    { name: "a", test: (m: number, t: { x: number }) => m > t.x },
    { name: "b", test: (m: number) => m > 0 },
    { name: "c", test: () => true },
  ];
  assert.deepEqual(firstMatchingRule(rules, 5, { x: 1 }), { rule: rules[0], number: 1 });
  assert.deepEqual(firstMatchingRule(rules, 0.5, { x: 1 }), { rule: rules[1], number: 2 });
  assert.deepEqual(firstMatchingRule(rules, -1, { x: 1 }), { rule: rules[2], number: 3 });
  assert.throws(() => firstMatchingRule(rules.slice(0, 2), -1, { x: 1 }), /unreachable/);
});

Deno.test("formatAgainst shows which side of the threshold a value lies; thresholds print with 6 digits", () => {
  assert.equal(formatAgainst(0.30000001, 0.3), "0.30000001");
  assert.equal(formatAgainst(0.3, 0.3), "0.3");
  assert.equal(formatAgainst(1234.5678, Number.NaN), "1230");
  assert.equal(formatThreshold(1 / 3), "0.333333");
});
