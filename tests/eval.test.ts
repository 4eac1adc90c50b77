import * as tf from "@tensorflow/tfjs";
import {
  aggregate,
  evaluatePolicy,
  greedyDecode,
  type GridResult,
  heatmapFigure,
  markdownTable,
  rankOf,
  runGrid,
} from "../lib/eval/mod.ts";
import { ByteTokenizer } from "../lib/tokenizer/mod.ts";
import { figure, markdownRows, renderSvg, svgToPng } from "../lib/plot/mod.ts";
import { Gpt } from "../lib/model/mod.ts";
import { judge, readSyntheticJsonl } from "../lib/data/mod.ts";
import { assert, assertClose } from "./_assert.ts";

await tf.setBackend("cpu");
const TINY = { vocabSize: 256, dModel: 16, layers: 1, heads: 2, contextLength: 48 };

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

Deno.test("greedy decoding is deterministic, bounded, and stops at the stop text", async () => {
  const model = new Gpt(TINY, { seed: 1 });
  const tok = new ByteTokenizer();
  const a = await greedyDecode(model, tok, ["2+2=", "Hello "], { maxTokens: 5, stop: "\u0000" });
  const b = await greedyDecode(model, tok, ["2+2=", "Hello "], {
    maxTokens: 5,
    stop: "\u0000",
    batchSize: 1,
  });
  assert.deepEqual(a, b, "batched and one-by-one decoding agree (right padding is causal-safe)");
  assert.ok(a.every((s) => [...s].length <= 5), `at most 5 tokens each: ${JSON.stringify(a)}`);
  model.dispose();
});

Deno.test("evaluatePolicy and a resumable grid on the synthetic suite", async () => {
  const train = (await readSyntheticJsonl("data/synthetic_train.jsonl")).slice(0, 60);
  const test = (await readSyntheticJsonl("data/synthetic_test.jsonl")).slice(0, 30);
  const out = await Deno.makeTempDir();
  const options = {
    train,
    test,
    out,
    losses: ["dpo", "hmk"] as const,
    seeds: [0],
    sftSteps: 2,
    base: { model: TINY, backend: "cpu" as const, steps: 2, batchSize: 4 },
    evaluate: { judge: judge as never, decode: { maxTokens: 4 } },
  };
  const first = await runGrid({ ...options, losses: [...options.losses] });
  assert.equal(first.length, 2);
  for (const r of first) {
    assert.ok(r.generationF1.overall! >= 0 && r.generationF1.overall! <= 1);
    assert.ok(Number.isFinite(r.daviesBouldin) && Number.isFinite(r.weightedAlpha));
    assert.ok(Object.keys(r.preferenceF1).includes("safety"));
  }
  assert.ok(first[1]!.kernelWeights !== undefined, "HMK logs its weights");
  const cachedAt = (await Deno.stat(`${out}/results/dpo-kl-seed0.json`)).mtime;
  const again = await runGrid({ ...options, losses: [...options.losses] });
  assert.deepEqual(again, first, "a second run reads the cached cells");
  assert.deepEqual((await Deno.stat(`${out}/results/dpo-kl-seed0.json`)).mtime, cachedAt);
  const model = new Gpt(TINY, { seed: 2 });
  const ev = await evaluatePolicy(model, model, new ByteTokenizer(), test, {
    judge: judge as never,
    decode: { maxTokens: 3 },
  });
  assert.equal(ev.preference.overall.accuracy, 0, "a policy equal to its reference has zero margins");
  assert.equal(ev.generation?.samples.length, test.length);
  model.dispose();
  await Deno.remove(out, { recursive: true });
});
