// The DATASETS table: every entry complete, and the files of a split.
import { assert } from "./_assert.ts";

import { datasetFiles, DATASETS } from "../lib/data/mod.ts";

Deno.test("registry: every dataset names a repo, a default split, a normalizer and a license", () => {
  assert.ok(Object.keys(DATASETS).length >= 13);
  for (const [name, spec] of Object.entries(DATASETS)) {
    assert.ok(spec.repo.includes("/"), name);
    assert.ok(spec.defaultSplit in spec.splits, name);
    assert.equal(typeof spec.normalize, "function", name);
    assert.ok(spec.license.length > 0, name);
    assert.ok(datasetFiles(name).length > 0, name);
  }
  assert.equal(DATASETS["hh-rlhf-harmless"]?.category, "safety");
  assert.equal(DATASETS["prm800k"]?.category, "reasoning");
  assert.throws(
    () => datasetFiles("nope"),
    (e: unknown) => e instanceof TypeError && /got "nope"/.test(e.message),
  );
  assert.throws(() => datasetFiles("helpsteer", { split: "dev" }), {
    name: "RangeError",
    message: 'options.split must be one of train, validation for "helpsteer", got "dev"',
  });
  assert.throws(() => datasetFiles("shp-2", { subset: "../x" }), RangeError);
});
