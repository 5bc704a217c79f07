/**
 * The dataset writer and `ensureData`: deterministic bytes, bad images skipped and counted, the
 * manifest, skip-if-built, rebuild when a file is damaged, stale temp folders and locks cleaned up.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import { ensureData } from "../../src/data/corpus/build";
import { listDatasource } from "../../src/data/corpus/datasource";
import { listLucide } from "../../src/data/corpus/lucide";
import { listOpenMoji } from "../../src/data/corpus/openmoji";
import { listTabler } from "../../src/data/corpus/tabler";
import type { SourceItem, SourceListing } from "../../src/data/corpus/types";
import { buildFingerprint, isUpToDate, readManifest, writeDataset } from "../../src/data/corpus/write";
import { readShards } from "../../src/data/webdataset";

const tmpRoot = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-build-"));

/** A real slice: a few items of four sources (SVG emoji, SVG line icons, PNG emoji) plus two bad ones. */
function slice(): SourceListing[] {
  const take = (l: SourceListing, n: number): SourceListing => ({
    ...l,
    items: l.items.filter((_, i) => i % 97 === 0).slice(0, n),
  });
  const bad: SourceItem[] = [
    {
      key: "bad-svg",
      caption: "broken",
      source: "test",
      style: "x",
      name: "broken",
      tags: [],
      data: Buffer.from("<svg><path"),
      ext: "svg",
    },
    {
      key: "bad-empty",
      caption: "empty",
      source: "test",
      style: "x",
      name: "empty",
      tags: [],
      data: Buffer.alloc(0),
      ext: "png",
    },
  ];
  return [
    take(listOpenMoji("color"), 4),
    take(listTabler(["outline"]), 4),
    take(listDatasource("twitter"), 3),
    take(listLucide(), 3),
    { source: "test", items: bad, skipped: {}, inputs: {}, licence: "none" },
  ];
}

const def = (name: string) => ({
  name,
  role: "pre-training" as const,
  description: "slice",
  params: { n: 1 },
  fingerprint: buildFingerprint(name, { n: 1 }, {}),
});

test("writeDataset: same inputs → same shard bytes and content hash; bad images counted, not fatal", async () => {
  const root = tmpRoot();
  const plan = { listings: slice(), size: 64, samplesPerShard: 5 };
  const a = await writeDataset(path.join(root, "a"), def("slice"), plan, { maxBadFraction: 0.5 });
  const b = await writeDataset(
    path.join(root, "b"),
    def("slice"),
    { ...plan, listings: slice() },
    { inFlight: 3, maxBadFraction: 0.5 },
  );
  assert.equal(a.contentHash, b.contentHash);
  assert.deepEqual(a.shards, b.shards);
  for (const s of a.shards)
    assert.ok(
      fs.readFileSync(path.join(root, "a", s.name)).equals(fs.readFileSync(path.join(root, "b", s.name))),
      s.name,
    );
  assert.equal(a.samples, 14);
  assert.equal(a.seen, 16);
  assert.deepEqual(a.bad.counts, { "unreadable-svg": 1, "empty-file": 1 });
  assert.deepEqual(Object.fromEntries(Object.entries(a.sources).map(([k, v]) => [k, v.samples])), {
    openmoji: 4,
    tabler: 4,
    twemoji: 3,
    lucide: 3,
    test: 0,
  });
  assert.deepEqual(
    a.shards.map((s) => s.name),
    ["shard-000000.tar", "shard-000001.tar", "shard-000002.tar"],
  );
  // Every stored image is a 64×64 RGB PNG; json carries the provenance; txt the caption.
  const samples = [];
  for await (const s of readShards(path.join(root, "a"))) samples.push(s);
  assert.equal(samples.length, 14);
  for (const s of samples) {
    const meta = await sharp(s.files.png!).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.channels], ["png", 64, 64, 3]);
    const j = JSON.parse(s.files.json!.toString());
    assert.ok(["openmoji", "tabler", "twemoji", "lucide"].includes(j.source));
    assert.ok(s.files.txt!.toString().startsWith(j.name));
  }
  // currentColor was rendered black: a tabler outline icon has dark pixels and a white background.
  const tab = samples.find((s) => s.key.startsWith("tabler-"))!;
  const { data } = await sharp(tab.files.png!).raw().toBuffer({ resolveWithObject: true });
  assert.equal(Math.min(...data), 0);
  assert.deepEqual([data[0], data[1], data[2]], [255, 255, 255]);
  assert.ok(isUpToDate(path.join(root, "a"), def("slice").fingerprint));
  assert.ok(!isUpToDate(path.join(root, "a"), buildFingerprint("slice", { n: 2 }, {})));
  fs.rmSync(root, { recursive: true, force: true });
});

test("writeDataset fails when too much is bad, and leaves no half-written folder", async () => {
  const root = tmpRoot();
  const plan = { listings: slice(), size: 32, samplesPerShard: 100 };
  await assert.rejects(
    writeDataset(path.join(root, "x"), def("x"), plan),
    /2 of 16 samples are bad .* --max-bad-fraction/,
  );
  assert.ok(!fs.existsSync(path.join(root, "x")));
  fs.rmSync(root, { recursive: true, force: true });
});

test("ensureData: builds a held-out set, skips it when built, rebuilds identically when forced or damaged", {
  timeout: 120_000,
}, async () => {
  const root = tmpRoot();
  // Leftovers of a killed build (a dead pid) are cleaned up; so is its lock.
  fs.mkdirSync(path.join(root, ".emoji-441.tmp-999999"));
  fs.writeFileSync(path.join(root, ".build.lock"), "999999");
  const first = await ensureData(root, { only: ["emoji-441"], quiet: true });
  assert.equal(first.datasets[0]!.status, "built");
  assert.ok(!fs.existsSync(path.join(root, ".emoji-441.tmp-999999")));
  assert.ok(!fs.existsSync(path.join(root, ".build.lock")));
  const dir = path.join(root, "emoji-441");
  const m = readManifest(dir)!;
  assert.equal(m.classes, 500);
  assert.equal(m.samples, 500);
  const classes: string[] = JSON.parse(fs.readFileSync(path.join(dir, "classes.json"), "utf8"));
  const labels = new Set<number>();
  for await (const s of readShards(dir)) {
    const j = JSON.parse(s.files.json!.toString());
    assert.equal(classes[j.label], j.name, s.key); // label ↔ class name ↔ CLDR name
    assert.ok(s.key.startsWith("noto-"));
    labels.add(j.label);
  }
  assert.equal(labels.size, 500);

  const t = performance.now();
  const second = await ensureData(root, { only: ["emoji-441"], quiet: true });
  assert.equal(second.datasets[0]!.status, "up-to-date");
  assert.ok(performance.now() - t < 1000, `up-to-date check took ${performance.now() - t} ms`);

  const forced = await ensureData(root, { only: ["emoji-441"], quiet: true, force: true });
  assert.equal(forced.datasets[0]!.contentHash, first.datasets[0]!.contentHash);

  fs.truncateSync(path.join(dir, m.shards[0]!.name), 1000); // a damaged shard is noticed without hashing
  const repaired = await ensureData(root, { only: ["emoji-441"], quiet: true });
  assert.equal(repaired.datasets[0]!.status, "built");
  assert.equal(repaired.datasets[0]!.contentHash, first.datasets[0]!.contentHash);
  await assert.rejects(ensureData(root, { only: ["nope"] }), /unknown dataset nope; valid: pictograms, noto/);
  fs.rmSync(root, { recursive: true, force: true });
});
