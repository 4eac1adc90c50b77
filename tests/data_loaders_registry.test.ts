// The registry end to end against a fake hub (no network): each file is served in its dataset's own format
// (gzipped JSONL, parquet written with hyparquet-writer, CSV, JSON), then cached; plus the offline error.
import { assert } from "./_assert.ts";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { DATA_DIR_ENV, DataLineError, loadDataset, readParquetRows } from "../lib/data/mod.ts";

const ENDPOINT = "https://hub.test";

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A fake hub serving `files` (URL path after the endpoint → bytes), recording the URLs asked for. */
function fakeHub(files: Record<string, Uint8Array | string>) {
  const asked: string[] = [];
  const fetch = (url: string): Promise<Response> => {
    asked.push(url);
    const body = files[url.slice(ENDPOINT.length)];
    if (body === undefined) return Promise.resolve(new Response("not found", { status: 404 }));
    return Promise.resolve(new Response(typeof body === "string" ? body : body.slice()));
  };
  return { fetch, asked };
}

async function withTempDir(f: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "data_loaders_" });
  try {
    await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("loadDataset: HH-RLHF gzipped JSONL from the hub, then from the cache", async () => {
  await withTempDir(async (dir) => {
    const t = (h: string, a: string) => `\n\nHuman: ${h}\n\nAssistant: ${a}`;
    const rows = [
      { chosen: t("Steal a car?", "No."), rejected: t("Steal a car?", "Sure, first...") },
      { chosen: t("Steal a car?", "No."), rejected: t("Steal a car?", "Sure, first...") },
      { chosen: t("Hi", "Hello"), rejected: t("Hey", "Hello") },
    ];
    const hub = fakeHub({
      "/datasets/Anthropic/hh-rlhf/resolve/main/harmless-base/test.jsonl.gz": await gzip(
        rows.map((r) => JSON.stringify(r)).join("\n") + "\n",
      ),
    });
    const opts = { split: "test", cacheDir: dir, endpoint: ENDPOINT, fetch: hub.fetch };
    const d = await loadDataset("hh-rlhf-harmless", opts);
    assert.deepEqual(hub.asked, [
      `${ENDPOINT}/datasets/Anthropic/hh-rlhf/resolve/main/harmless-base/test.jsonl.gz`,
    ]);
    assert.deepEqual(d.pairs, [{
      prompt: "Human: Steal a car?",
      chosen: "No.",
      rejected: "Sure, first...",
      source: "hh-rlhf/harmless-base/test",
      category: "safety",
    }]);
    assert.deepEqual(d.dropped, { duplicate: 1, prefix_mismatch: 1 });
    assert.equal(d.rows, 3);
    assert.deepEqual(d.files, [join(dir, "datasets", "Anthropic/hh-rlhf", "harmless-base/test.jsonl.gz")]);
    const again = await loadDataset("hh-rlhf-harmless", opts);
    assert.equal(hub.asked.length, 1, "second load reads the cache");
    assert.deepEqual(again.pairs, d.pairs);
  });
});

Deno.test("loadDataset: Chatbot Arena 2023 parquet with nested conversations and INT64 columns", async () => {
  await withTempDir(async (dir) => {
    const q = { role: "user", content: "Capital of Peru?" };
    const conv = (t: string) => [q, { role: "assistant", content: t }];
    const parquet = new Uint8Array(parquetWriteBuffer({
      columnData: [
        { name: "question_id", data: ["q1", "q2", "q3"], type: "STRING" },
        { name: "model_a", data: ["m1", "m1", "m2"], type: "STRING" },
        { name: "model_b", data: ["m2", "m3", "m3"], type: "STRING" },
        { name: "winner", data: ["model_b", "tie", "model_a"], type: "STRING" },
        { name: "conversation_a", data: [conv("Quito"), conv("Lima"), conv("Lima.")] },
        { name: "conversation_b", data: [conv("Lima"), conv("Lima!"), conv("Cusco")] },
        { name: "turn", data: [1n, 1n, 1n], type: "INT64" },
        { name: "tstamp", data: [1682351591n, 1682351592n, 1682351593n], type: "INT64" },
      ],
    }));
    const file = "/datasets/lmsys/chatbot_arena_conversations/resolve/main/data/" +
      "train-00000-of-00001-cced8514c7ed782a.parquet";
    const hub = fakeHub({ [file]: parquet });
    const d = await loadDataset("chatbot-arena-2023", {
      cacheDir: dir,
      endpoint: ENDPOINT,
      fetch: hub.fetch,
    });
    assert.deepEqual(d.pairs.map((p) => [p.prompt, p.chosen, p.rejected]), [
      ["Capital of Peru?", "Lima", "Quito"],
      ["Capital of Peru?", "Lima.", "Cusco"],
    ]);
    assert.equal(d.pairs[0]?.source, "chatbot_arena_conversations/train");
    assert.deepEqual(d.dropped, { tie: 1 });
    const raw = await readParquetRows(parquet, "x.parquet") as Record<string, unknown>[];
    assert.equal(raw[0]?.tstamp, 1682351591);
  });
});

Deno.test("loadDataset: Chatbot Arena 2024 CSV with quoted multi-line fields", async () => {
  await withTempDir(async (dir) => {
    const csv = [
      "id,model_a,model_b,prompt,response_a,response_b,winner_model_a,winner_model_b,winner_tie",
      '1,a,b,"[""Write, please:\\nA poem""]","[""Roses\\nare red""]","[""No""]",1,0,0',
      '2,a,b,"[""Q""]","[""x""]","[""y""]",0,0,1',
      '3,a,b,"[""Q""]","[""x""]","[""y""]",0,1,0',
    ].join("\r\n") + "\r\n";
    const hub = fakeHub({ "/datasets/lmarena-ai/arena-human-preference-55k/resolve/main/train.csv": csv });
    const d = await loadDataset("chatbot-arena-2024", {
      cacheDir: dir,
      endpoint: ENDPOINT,
      fetch: hub.fetch,
    });
    assert.deepEqual(d.pairs.map((p) => [p.prompt, p.chosen, p.rejected]), [
      ["Write, please:\nA poem", "Roses\nare red", "No"],
      ["Q", "y", "x"],
    ]);
    assert.deepEqual(d.dropped, { tie: 1 });
  });
});

Deno.test("loadDataset: AlpacaFarm JSON array; SHP-2 JSON Lines per subset with a limit", async () => {
  await withTempDir(async (dir) => {
    const alpaca = [
      { instruction: "Sum", input: "1+1", output_1: "2", output_2: "3", preference: 1 },
      { instruction: "Sum", input: "1+2", output_1: "4", output_2: "3", preference: 2 },
    ];
    const shp = [1, 0, 1].map((labels, i) => ({
      history: `Post ${i}`,
      human_ref_A: `A${i}`,
      human_ref_B: `B${i}`,
      labels,
      score_ratio: 2.5,
    }));
    const hub = fakeHub({
      "/datasets/tatsu-lab/alpaca_farm/resolve/main/alpaca_human_preference.json": JSON.stringify(alpaca),
      "/datasets/stanfordnlp/SHP-2/resolve/main/stackexchange/stack_codereview/test.json": shp
        .map((r) => JSON.stringify(r)).join("\n"),
    });
    const base = { cacheDir: dir, endpoint: ENDPOINT, fetch: hub.fetch };
    const a = await loadDataset("alpacafarm-human", base);
    assert.deepEqual(a.pairs.map((p) => p.chosen), ["2", "3"]);
    assert.equal(a.pairs[0]?.source, "alpaca_farm/alpaca_human_preference/preference");
    const s = await loadDataset("shp-2", {
      ...base,
      split: "test",
      subset: "stackexchange/stack_codereview",
      limit: 2,
    });
    assert.deepEqual(s.pairs.map((p) => [p.prompt, p.chosen]), [["Post 0", "A0"], ["Post 1", "B1"]]);
    assert.equal(s.pairs[0]?.source, "shp-2/stackexchange/stack_codereview/test");
  });
});

Deno.test("loadDataset: a malformed row names the downloaded file and the row", async () => {
  await withTempDir(async (dir) => {
    const hub = fakeHub({
      "/datasets/Intel/orca_dpo_pairs/resolve/main/orca_rlhf.jsonl":
        '{"system":"","question":"Q","chosen":"a","rejected":"b"}\n{"system":"","question":"Q","chosen":3}\n',
    });
    await assert.rejects(
      loadDataset("orca-dpo-pairs", { cacheDir: dir, endpoint: ENDPOINT, fetch: hub.fetch }),
      (e: unknown) =>
        e instanceof DataLineError && e.line === 2 && e.file.endsWith("orca_rlhf.jsonl") &&
        /orca_rlhf\.jsonl:2: field "chosen" must be a string, got 3/.test(e.message),
    );
  });
});

Deno.test("loadDataset offline: the error names the dataset and suggests the local copy", async () => {
  await withTempDir(async (dir) => {
    const fetch = (): Promise<Response> =>
      Promise.reject(new TypeError("error sending request: dns failure"));
    await assert.rejects(
      loadDataset("ultrafeedback", { split: "test", cacheDir: dir, endpoint: ENDPOINT, fetch }),
      (e: unknown) => {
        const m = (e as Error).message;
        return m.startsWith('dataset "ultrafeedback" (trl-lib/ultrafeedback_binarized: ') &&
          m.includes("dns failure") && m.includes('loadLocalDataset("ultrafeedback.jsonl")') &&
          m.includes(DATA_DIR_ENV);
      },
    );
    await assert.rejects(
      loadDataset("helpsteer", { cacheDir: dir, endpoint: ENDPOINT, fetch }),
      /dataset "helpsteer" .*loadLocalDataset\("path\/to\/helpsteer\.jsonl"\)/,
    );
  });
});
