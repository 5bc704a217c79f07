/**
 * `clipdown data inspect` on a hand-made shard holding one good sample and one of each defect: every
 * defect is counted under the reason training would skip it for (the same samplePair rules plus an
 * image decode), nothing throws, and a folder without a manifest says it has no record of its build.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { formatInspect, inspectDataset } from "../../src/data/corpus/inspect";
import { writeTarFile } from "../../src/data/tar";
import { solidPng, tmpDir } from "./fixtures";

test("data inspect counts every defect training would skip; a null .json is corrupt-json, not a crash", async () => {
  const dir = tmpDir("inspect");
  const png = await solidPng([200, 30, 30]);
  const m = (name: string, data: Buffer | string) => ({ name, data: Buffer.from(data) });
  writeTarFile(path.join(dir, "shard-000000.tar"), [
    m("a.png", png),
    m("a.txt", "a red square"),
    m("a.json", '{"source":"hand"}'),
    m("b.png", png),
    m("b.txt", "null metadata"),
    m("b.json", "null"),
    m("c.png", png),
    m("c.txt", Buffer.from([0xff, 0xfe, 0x41])),
    m("d.png", Buffer.from("not a png at all")),
    m("d.txt", "a broken image"),
    m("e.png", png),
    m("f.txt", "a caption without an image"),
  ]);
  const r = await inspectDataset(dir);
  assert.equal(r.samples, 1);
  assert.deepEqual(r.bySource, { hand: 1 });
  assert.equal(r.readBad.total, 5);
  const counts = r.readBad.counts;
  assert.equal(counts["corrupt-json"], 1);
  assert.equal(counts["non-utf8-caption"], 1);
  assert.equal(counts["missing-caption"], 1);
  assert.equal(counts["missing-image"], 1);
  const imageReasons = Object.keys(counts).filter((k) => /image/.test(k) && k !== "missing-image");
  assert.equal(imageReasons.length, 1, JSON.stringify(counts));
  assert.equal(r.bad, undefined);
  const text = formatInspect(r);
  assert.match(text, /bad samples when written: no record/);
  assert.match(text, /bad samples now .*skipped 5 of 6 samples/);
  assert.doesNotMatch(text, /at build/);
});

test("data inspect reports the bad-sample record of a clipdown shards manifest", async () => {
  const dir = tmpDir("inspect-shards");
  writeTarFile(path.join(dir, "shard-000000.tar"), [
    { name: "a.png", data: await solidPng([1, 2, 3]) },
    { name: "a.txt", data: Buffer.from("a dark square") },
  ]);
  const bad = { total: 2, counts: { "missing-file": 2 }, examples: { "missing-file": ["x.png", "y.png"] } };
  fs.writeFileSync(
    path.join(dir, "manifest.json"),
    JSON.stringify({ format: "webdataset", createdBy: "clipdown shards", samples: 1, seen: 3, bad }),
  );
  const r = await inspectDataset(dir);
  assert.equal(r.bad?.when, "conversion");
  assert.equal(r.bad?.seen, 3);
  assert.match(formatInspect(r), /bad samples at conversion: skipped 2 of 3 samples/);
});
