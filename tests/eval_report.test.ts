import * as tf from "@tensorflow/tfjs";
import { aggregate, type GridResult, heatmapFigure, markdownTable, rankOf } from "../lib/eval/mod.ts";

import { figure, markdownRows, renderSvg, svgToPng } from "../lib/plot/mod.ts";

import { assert, assertClose } from "./_assert.ts";

await tf.setBackend("cpu");
function result(loss: string, seed: number, overall: number, safety: number): GridResult {
  return {
    loss: loss as GridResult["loss"],
    divergence: "kl",
    seed,
    preferenceF1: { overall, safety },
    preferenceAccuracy: { overall },
    generationF1: { overall, safety },
    daviesBouldin: 1,
    weightedAlpha: 2,
    weightedAlphaReference: 2,
    seconds: 1,
  };
}

Deno.test("aggregate: mean and sample standard deviation over seeds; table, heatmap and rank", async () => {
  const results = [
    result("dpo", 0, 0.5, 0.2),
    result("dpo", 1, 0.7, 0.4),
    result("rbf", 0, 0.9, 0.1),
    result("rbf", 1, 0.7, 0.3),
  ];
  const rows = aggregate(results, "generationF1");
  const dpo = rows.find((r) => r.loss === "dpo" && r.category === "overall")!;
  assertClose(dpo.mean, 0.6, 1e-12);
  assertClose(dpo.std, Math.sqrt(0.02), 1e-12); // sample std of {0.5, 0.7}
  assert.equal(dpo.n, 2);
  const table = markdownTable(rows);
  assert.match(table, /\| overall \| 0\.600 ± 0\.141 \| \*\*0\.800 ± 0\.141\*\* \|/);
  assert.deepEqual(rankOf(rows, { loss: "dpo", divergence: "kl" }), { rank: 2, of: 2 });
  assert.deepEqual(rankOf(rows, { loss: "dpo", divergence: "kl" }, "safety"), { rank: 1, of: 2 });
  const svg = renderSvg(heatmapFigure(rows, "test"));
  assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  const titled = renderSvg({ title: "T1", caption: "C1", marks: [] });
  assert.match(
    titled,
    /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>.*>T1<\/text>.*<svg.*>C1<\/text><\/svg>$/s,
  );
  const png = await svgToPng(svg);
  assert.deepEqual([...png.slice(0, 4)], [0x89, 0x50, 0x4e, 0x47]); // PNG magic
  const dir = await Deno.makeTempDir();
  const shown = await figure("heat", heatmapFigure(rows, "t"), dir);
  assert.match(shown[Symbol.for("Jupyter.display")]!()["image/svg+xml"]!, /<svg/);
  assert.ok((await Deno.stat(`${dir}/heat.png`)).size > 1000);
  assert.match(
    markdownRows([{ a: 1, b: 0.25 }])[Symbol.for("Jupyter.display")]!()["text/markdown"]!,
    /\| 1 \| 0\.250 \|/,
  );
  await Deno.remove(dir, { recursive: true });
});
