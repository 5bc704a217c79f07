/**
 * The shard → decode → cache pipeline on hostile input made in the test: exact samples, exact
 * bad-sample counts by reason, CMYK decoded to the right RGB, and nothing written outside the
 * output folder. Plus the cache's validity checks and its pixels against decodeImage.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import { BadSamples, TooManyBadSamplesError } from "../../src/data/bad-samples";
import { cachePath, ensureCache } from "../../src/data/cache";
import { decodeImage, decodeMany, ImageDecodeError } from "../../src/data/image";
import { convertToShards } from "../../src/data/shards-cli";
import { type PairSample, readShards, samplePair } from "../../src/data/webdataset";
import { HOSTILE_COUNTS, hostileShard, listTree, rawTar, solidPng, tmpDir } from "./fixtures";

const SIZE = 4;
const GREEN: [number, number, number] = [90, 140, 100]; // inside the CMYK gamut: round-trips within a few levels
const t = (s: string) => Buffer.from(s, "utf8");

/** A solid 8×8 colour encoded as a 4-channel CMYK JPEG. */
async function cmykJpeg(rgb: [number, number, number]): Promise<Buffer> {
  const raw = Buffer.alloc(8 * 8 * 3).map((_, i) => rgb[i % 3]!);
  return sharp(raw, { raw: { width: 8, height: 8, channels: 3 } })
    .toColourspace("cmyk")
    .jpeg({ quality: 95 })
    .toBuffer();
}

/** Good pairs (PNG + CMYK JPEG), a corrupt PNG, an empty caption, a `../evil` pair, a caption without image. */
async function mixedShard(): Promise<Buffer> {
  const red = await solidPng([255, 0, 0]);
  const blue = await solidPng([0, 0, 255]);
  return rawTar([
    { name: "a.png", data: red },
    { name: "a.txt", data: t("a red square") },
    { name: "a.json", data: t('{"label":3}') },
    { name: "b.jpg", data: await cmykJpeg(GREEN) },
    { name: "b.txt", data: t("a  green\nsquare ") },
    { name: "c.png", data: blue.subarray(0, blue.length - 20) }, // truncated
    { name: "c.txt", data: t("cut off") },
    { name: "d.png", data: red },
    { name: "d.txt", data: t("") },
    { name: "../evil.png", data: red },
    { name: "../evil.txt", data: t("escaped") },
    { name: "e.txt", data: t("a caption whose image is missing") },
    { name: "f.png", data: blue },
    { name: "f.txt", data: t("a blue square") },
  ]);
}
const MIXED_COUNTS = { "corrupt-image": 1, "empty-caption": 1, "unsafe-path": 2, "missing-image": 1 };

/** A test root holding `shards/<name>.tar` and an empty `abs/` the hostile shard aims at. */
async function setup(tag: string, make: (absDir: string) => Promise<Buffer>) {
  const root = tmpDir(tag);
  const shards = path.join(root, "shards");
  const abs = path.join(root, "abs");
  fs.mkdirSync(shards);
  fs.mkdirSync(abs);
  fs.writeFileSync(path.join(shards, "000.tar"), await make(abs));
  return { root, shards, abs };
}

function assertSolid(img: Uint8Array, rgb: readonly number[], tol: number, what: string): void {
  assert.equal(img.length, SIZE * SIZE * 3, what);
  for (let i = 0; i < img.length; i++) {
    const d = Math.abs(img[i]! - rgb[i % 3]!);
    assert.ok(d <= tol, `${what}: byte ${i} is ${img[i]}, expected ${rgb[i % 3]} ± ${tol}`);
  }
}

test("readShards + samplePair + decodeMany: exactly the good pairs, bad ones counted by reason", async () => {
  const { root, shards } = await setup("pipe-mixed", () => mixedShard());
  const before = listTree(root);
  const bad = new BadSamples(10);
  const pairs: PairSample[] = [];
  for await (const s of readShards(shards, { bad })) {
    const p = samplePair(s, bad);
    if (p) pairs.push(p);
  }
  const decoded = await decodeMany(
    pairs.map((p) => ({ data: p.image, ext: p.imageExt })),
    SIZE,
  );
  const good: { key: string; caption: string; img: Uint8Array }[] = [];
  decoded.forEach((d, i) => {
    if (d instanceof ImageDecodeError) bad.add(d.reason, pairs[i]!.key);
    else good.push({ key: pairs[i]!.key, caption: pairs[i]!.caption, img: d });
  });
  assert.deepEqual(
    good.map((g) => [g.key, g.caption]),
    [
      ["a", "a red square"],
      ["b", "a green square"], // whitespace normalised
      ["f", "a blue square"],
    ],
  );
  assert.deepEqual(pairs[0]!.meta, { label: 3 });
  assert.deepEqual(bad.counts(), MIXED_COUNTS);
  assert.deepEqual(bad.examples("corrupt-image"), ["c"]);
  assertSolid(good[0]!.img, [255, 0, 0], 0, "red PNG");
  assertSolid(good[2]!.img, [0, 0, 255], 0, "blue PNG");
  // The JPEG really is CMYK (4 channels), and decodes to RGB close to the colour it was made from.
  const meta = await sharp(pairs[1]!.image).metadata();
  assert.equal(meta.space, "cmyk");
  assert.equal(meta.channels, 4);
  assertSolid(good[1]!.img, GREEN, 12, "CMYK JPEG");
  assert.deepEqual(listTree(root), before); // reading writes nothing
  assert.equal(fs.existsSync(path.join(root, "evil.png")), false);
});

test("ensureCache on the hostile shard: exact counts, pixels equal decodeImage, nothing escapes", async () => {
  const { root, shards, abs } = await setup("pipe-hostile", hostileShard);
  const before = listTree(root);
  const logs: string[] = [];
  const cache = await ensureCache(shards, SIZE, { maxBadFraction: 1, log: (l) => logs.push(l) });
  assert.deepEqual(cache.keys, ["good1", "good2"]);
  assert.deepEqual(cache.captions, ["a red square", "a blue square"]);
  assert.deepEqual(cache.meta, [{ label: 0 }, {}]);
  assert.equal(cache.n, 2);
  assert.equal(cache.seen, 11);
  assert.deepEqual(cache.bad!.counts, HOSTILE_COUNTS);
  assert.equal(cache.bad!.total, 9);
  assert.equal(cache.images.length, 2 * SIZE * SIZE * 3);
  const red = await decodeImage(await solidPng([255, 0, 0]), "png", SIZE);
  const blue = await decodeImage(await solidPng([0, 0, 255]), "png", SIZE);
  assert.deepEqual(cache.images, Uint8Array.from([...red, ...blue]));
  assert.match(logs.join("\n"), /skipped 9 of 11 samples/);
  // Only the cache file was added, nothing in the absolute-path target, nothing beside the root.
  assert.deepEqual(listTree(root), [...before, "shards/cache-4.bin"].sort());
  assert.deepEqual(fs.readdirSync(abs), []);
  // `../evil` resolved against the shard folder or the root would land here:
  for (const dir of [root, path.dirname(root)]) {
    assert.equal(fs.existsSync(path.join(dir, "evil.png")), false, dir);
    assert.equal(fs.existsSync(path.join(dir, "evil.txt")), false, dir);
  }

  // The default 5 % threshold fails, naming the dataset and the flag.
  await assert.rejects(
    ensureCache(shards, SIZE, { force: true, quiet: true }),
    (e: unknown) =>
      e instanceof TooManyBadSamplesError &&
      e.message.includes(shards) &&
      /9 of 11 samples are bad/.test(e.message) &&
      /--max-bad-fraction/.test(e.message),
  );
});

test("ensureCache: CMYK and grey decoded to RGB; reused when valid, rebuilt when corrupt or stale", async () => {
  const { shards } = await setup("pipe-cache", () => mixedShard());
  const opts = { maxBadFraction: 1, quiet: true };
  const cache = await ensureCache(shards, SIZE, opts);
  assert.deepEqual(cache.keys, ["a", "b", "f"]);
  assert.deepEqual(cache.bad!.counts, MIXED_COUNTS);
  const px = SIZE * SIZE * 3;
  assertSolid(cache.images.subarray(0, px), [255, 0, 0], 0, "cached red");
  assertSolid(cache.images.subarray(px, 2 * px), GREEN, 12, "cached CMYK");
  assertSolid(cache.images.subarray(2 * px), [0, 0, 255], 0, "cached blue");

  const file = cachePath(shards, SIZE);
  const mtime = fs.statSync(file).mtimeMs;
  const logs: string[] = [];
  const again = await ensureCache(shards, SIZE, { ...opts, quiet: false, log: (l) => logs.push(l) });
  assert.deepEqual(logs, []); // loaded, not rebuilt
  assert.equal(fs.statSync(file).mtimeMs, mtime);
  assert.deepEqual(again.images, cache.images);
  assert.deepEqual(again.captions, cache.captions);

  // One flipped pixel byte → CRC mismatch → rebuilt with the same content.
  const buf = fs.readFileSync(file);
  buf[buf.length - 200]! ^= 0xff;
  fs.writeFileSync(file, buf);
  const logs2: string[] = [];
  const rebuilt = await ensureCache(shards, SIZE, { ...opts, quiet: false, log: (l) => logs2.push(l) });
  assert.match(logs2[0]!, /CRC-32 mismatch.*rebuilding/);
  assert.deepEqual(rebuilt.images, cache.images);

  // A changed shard makes the cache stale: a grey PNG replaces the shard.
  const grey = await sharp(Buffer.alloc(8 * 8, 77), { raw: { width: 8, height: 8, channels: 1 } })
    .png()
    .toBuffer();
  fs.writeFileSync(
    path.join(shards, "000.tar"),
    rawTar([
      { name: "g.png", data: grey },
      { name: "g.txt", data: t("grey") },
    ]),
  );
  const logs3: string[] = [];
  const fresh = await ensureCache(shards, SIZE, { ...opts, quiet: false, log: (l) => logs3.push(l) });
  assert.match(logs3[0]!, /stale/);
  assert.deepEqual(fresh.keys, ["g"]);
  assertSolid(fresh.images, [77, 77, 77], 0, "grey PNG as RGB");
});

test("convertToShards (clipdown shards) from the hostile shard: two clean samples, exact counts, only --out written", async () => {
  const { root, shards, abs } = await setup("pipe-convert", hostileShard);
  const before = listTree(root);
  const out = path.join(root, "out");
  const man = await convertToShards({ from: shards, out, maxBadFraction: 1, log: () => {} });
  assert.equal(man.kind, "shards");
  assert.equal(man.samples, 2);
  assert.equal(man.seen, 11);
  assert.deepEqual(man.bad.counts, HOSTILE_COUNTS);
  assert.deepEqual(listTree(root), [...before, "out", "out/manifest.json", "out/shard-000000.tar"].sort());
  assert.deepEqual(fs.readdirSync(abs), []);
  const back = [];
  const bad = new BadSamples();
  for await (const s of readShards(out, { bad })) back.push(samplePair(s, bad));
  assert.equal(bad.total, 0); // the output is clean
  assert.deepEqual(
    back.map((p) => [p!.key, p!.caption, p!.meta]),
    [
      ["good1", "a red square", { key: "good1", label: 0 }],
      ["good2", "a blue square", { key: "good2" }],
    ],
  );
  assert.ok(back[0]!.image.equals(await solidPng([255, 0, 0])));
});
