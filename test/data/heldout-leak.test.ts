/**
 * Acceptance: no Noto image and no Noto sample key is in the pre-training shards (nor the OpenMoji
 * black-style images of the sketch set). Checked from the shard contents themselves, not from the
 * builder's manifests: keys and json provenance of every pre-training sample, and a hash of every
 * decoded pre-training image against hashes of the Noto images decoded from node_modules directly.
 * A positive control (the stored Noto set hashes to exactly the node_modules decodes) shows the
 * hashing would catch a leak.
 *
 * Uses the real `data/` (built by `ensureData` if missing, the same build train-real.test.ts uses).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, test } from "node:test";
import * as zlib from "node:zlib";
import { ensureData } from "../../src/data/corpus/build";
import { packageDir } from "../../src/data/corpus/packages";
import { decodeMany } from "../../src/data/image";
import { readShards } from "../../src/data/webdataset";

before(async () => {
  await ensureData("data", { quiet: true });
});

/**
 * Pixels of an 8-bit, non-interlaced gray or RGB PNG (the corpus's storage format), written out here
 * with all five scanline filters so the check does not lean on how the builder encodes.
 */
function pngPixels(png: Buffer): { width: number; height: number; channels: number; px: Buffer } {
  let pos = 8;
  const idat: Buffer[] = [];
  let width = 0;
  let height = 0;
  let channels = 0;
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString("latin1", pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (type === "IHDR") {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      assert.equal(data[8], 8, "bit depth");
      assert.equal(data[12], 0, "interlace");
      channels = { 0: 1, 2: 3 }[data[9]!] ?? 0;
      assert.ok(channels, `colour type ${data[9]}`);
    } else if (type === "IDAT") idat.push(data);
    pos += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const px = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)]!;
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= channels ? px[y * stride + i - channels]! : 0;
      const b = y > 0 ? px[(y - 1) * stride + i]! : 0;
      const c = y > 0 && i >= channels ? px[(y - 1) * stride + i - channels]! : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][f];
      assert.ok(pred !== undefined, `filter ${f}`);
      px[y * stride + i] = (x + pred) & 0xff;
    }
  }
  return { width, height, channels, px };
}

const sha1 = (b: Uint8Array): string => createHash("sha1").update(b).digest("hex");

async function shardImageHashes(
  dir: string,
): Promise<{ hashes: Map<string, string>; metas: Map<string, any> }> {
  const hashes = new Map<string, string>();
  const metas = new Map<string, any>();
  for await (const s of readShards(dir)) {
    const { width, height, channels, px } = pngPixels(s.files.png!);
    assert.deepEqual([width, height, channels], [64, 64, 3], s.key);
    hashes.set(s.key, sha1(px));
    metas.set(s.key, JSON.parse(s.files.json!.toString("utf8")));
  }
  return { hashes, metas };
}

test("no Noto (or OpenMoji black) image or key in the pre-training shards", {
  timeout: 600_000,
}, async () => {
  const pre = await shardImageHashes("data/pictograms");
  const noto = await shardImageHashes("data/noto");
  const sketch = await shardImageHashes("data/emoji-441-sketch");
  assert.ok(pre.hashes.size > 30_000);
  assert.equal(noto.hashes.size, 1911);

  // Keys and provenance as written into each sample.
  for (const [key, meta] of pre.metas) {
    assert.ok(!key.startsWith("noto-") && !noto.hashes.has(key) && !sketch.hashes.has(key), key);
    assert.notEqual(meta.source, "noto", key);
    assert.ok(!(meta.source === "openmoji" && meta.style === "black"), key);
  }

  // Pixels: every Noto PNG from node_modules, decoded here at 64 px (alpha on white, as the builder does).
  const dir = path.join(packageDir("emoji-datasource-google"), "img", "google", "64");
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".png"));
  const decoded = await decodeMany(
    files.map((f) => ({ data: fs.readFileSync(path.join(dir, f)), ext: "png" })),
    64,
    { inFlight: 8 },
  );
  const notoPixels = new Set(
    decoded.map((d) => (d instanceof Uint8Array ? sha1(d) : assert.fail(String(d)))),
  );
  // Positive control: the stored Noto set is exactly (a subset of) these decodes.
  for (const h of noto.hashes.values())
    assert.ok(notoPixels.has(h), "stored Noto image differs from its source");
  const preHashes = new Set(pre.hashes.values());
  const leaked = [...notoPixels].filter((h) => preHashes.has(h));
  assert.deepEqual(leaked, [], `${leaked.length} Noto images found in data/pictograms`);
  const sketchLeaks = [...sketch.hashes.values()].filter((h) => preHashes.has(h));
  assert.deepEqual(sketchLeaks, [], `${sketchLeaks.length} sketch images found in data/pictograms`);
});
