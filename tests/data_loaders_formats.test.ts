// Reading raw rows by format: parquet's INT64 columns.
import { assert } from "./_assert.ts";

import { parquetWriteBuffer } from "hyparquet-writer";
import { readParquetRows } from "../lib/data/mod.ts";

Deno.test("readParquetRows: safe INT64 become numbers, larger stay BigInt; bad bytes name the file", async () => {
  const bytes = new Uint8Array(parquetWriteBuffer({
    columnData: [
      { name: "id", data: [7n, 2n ** 60n], type: "INT64" },
      { name: "ok", data: [true, null], type: "BOOLEAN" },
    ],
  }));
  const rows = await readParquetRows(bytes, "ids.parquet");
  assert.deepEqual(rows, [{ id: 7, ok: true }, { id: 2n ** 60n, ok: null }]);
  await assert.rejects(
    readParquetRows(new Uint8Array([1, 2, 3]), "bad.parquet"),
    /bad\.parquet: cannot read/,
  );
});
