import { assert, assertClose } from "./_assert.ts";
import { minimalDetectableDifference, normalQuantile } from "../mod.ts";
import { normalQuantiles } from "./golden/protocol_values.ts";

Deno.test("normal quantile: scipy.stats.norm.ppf to 1e-12", () => {
  for (const [p, z] of normalQuantiles) assertClose(normalQuantile(p!), z!, 1e-12, 1e-14, `p=${p}`);
  assert.throws(() => normalQuantile(1), /p must lie in \(0, 1\), got 1/);
});

Deno.test("minimal detectable difference: (z₀.₉₇₅ + z₀.₈) · s / √n, the closed form", () => {
  const z = 1.959963984540054 + 0.8416212335729143; // scipy.stats.norm.ppf(0.975) + norm.ppf(0.8)
  const d = [0.5, -0.25, 1, 0, 0.25, -0.5, 0.75, 0, 0.5, 0.25];
  const m = d.reduce((s, x) => s + x, 0) / d.length;
  const s = Math.sqrt(d.reduce((a, x) => a + (x - m) ** 2, 0) / (d.length - 1));
  assertClose(minimalDetectableDifference(d), z * s / Math.sqrt(d.length), 1e-12);
  // The same differences four times over: n → 4n, s² → SS / (4n − 1).
  const n = d.length;
  assertClose(
    minimalDetectableDifference([...d, ...d, ...d, ...d]),
    z * s * Math.sqrt((n - 1) / (4 * n - 1)) / Math.sqrt(n),
    1e-12,
  );
  assert.ok(minimalDetectableDifference(d, { power: 0.9 }) > minimalDetectableDifference(d));
  assert.throws(() => minimalDetectableDifference([1]), /at least two values/);
  assert.throws(
    () => minimalDetectableDifference([1, 2], { alpha: 0 }),
    /options\.alpha must lie in \(0, 1\)/,
  );
});
