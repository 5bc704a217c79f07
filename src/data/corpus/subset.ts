/**
 * A subset of a corpus written as a corpus of its own: the chosen samples' shards (byte copies),
 * its tokenizer and classes, a manifest that records where they came from, and the decoded cache
 * taken from the source's cache instead of decoding every image again.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { BadSamples } from "../bad-samples";
import { cachePath, type PairCache, shardFingerprint, writeCacheFile } from "../cache";
import { DEFAULT_MAX_PIXELS } from "../image";
import { readShards, ShardWriter, samplePair } from "../webdataset";
import { type DatasetManifest, readManifest } from "./write";

const DECODE = { fit: "contain", maxPixels: DEFAULT_MAX_PIXELS };

function sha256File(f: string): string {
  return createHash("sha256").update(fs.readFileSync(f)).digest("hex");
}

/** Writes the source samples whose keys are in `keep` (and its tokenizer / classes) as a dataset in `out`. */
export async function writeSubset(
  from: string,
  out: string,
  keep: Set<string>,
  label: string,
): Promise<void> {
  fs.rmSync(out, { recursive: true, force: true });
  const writer = new ShardWriter({ dir: out, samplesPerShard: 1000 });
  for await (const s of readShards(from, { bad: new BadSamples() }))
    if (keep.has(s.key)) writer.write({ key: s.key, files: s.files });
  const { shards } = await writer.close();
  const files: DatasetManifest["files"] = [];
  for (const extra of ["tokenizer.json", "classes.json"]) {
    const p = path.join(from, extra);
    if (!fs.existsSync(p)) continue;
    fs.copyFileSync(p, path.join(out, extra));
    files.push({ name: extra, bytes: fs.statSync(p).size, sha256: sha256File(p) });
  }
  const shardInfo = shards.map((f) => ({
    name: path.basename(f),
    bytes: fs.statSync(f).size,
    sha256: sha256File(f),
  }));
  const h = createHash("sha256");
  for (const f of [...shardInfo, ...files]) h.update(`${f.name}\0${f.sha256}\n`);
  const src = readManifest(from);
  const manifest = {
    ...(src ?? { format: "clipdown-dataset", role: "pre-training", sources: {}, licences: {}, imageSize: 0 }),
    name: `${src?.name ?? path.basename(from)}-${label}`,
    description: `${keep.size} pairs of ${src?.name ?? from} (${label})`,
    samples: writer.samples,
    shards: shardInfo,
    files,
    build: {
      builder: src?.build?.builder ?? 0,
      fingerprint: createHash("sha256")
        .update(JSON.stringify({ src: src?.contentHash ?? from, keys: [...keep].sort() }))
        .digest("hex"),
      params: { ...(src?.build?.params ?? {}), part: label },
      inputs: { source: src?.contentHash ?? "unknown" },
      samplesPerShard: 1000,
    },
    seen: writer.samples,
    bad: new BadSamples().toJSON(),
    contentHash: `sha256:${h.digest("hex")}`,
  };
  fs.writeFileSync(path.join(out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Writes `<dir>/cache-<size>.bin` for a corpus whose images are byte copies of `source`'s: pixels
 * come from the source's cache (by key), captions and metadata from the corpus' own shards, exactly
 * as `buildCache` would read them, so `ensureCache` accepts it without decoding anything.
 */
export async function writeCacheFromSource(dir: string, source: PairCache): Promise<PairCache> {
  const size = source.size;
  const px = size * size * 3;
  const at = new Map(source.keys.map((k, i) => [k, i]));
  const bad = new BadSamples();
  const keys: string[] = [];
  const captions: string[] = [];
  const meta: Record<string, unknown>[] = [];
  const rows: number[] = [];
  for await (const s of readShards(dir, { bad })) {
    const pair = samplePair(s, bad);
    if (!pair) continue;
    const j = at.get(pair.key);
    // A pair the source's cache skipped (undecodable image) is skipped here too.
    if (j === undefined) continue;
    keys.push(pair.key);
    captions.push(pair.caption);
    meta.push(pair.meta);
    rows.push(j);
  }
  const images = new Uint8Array(rows.length * px);
  rows.forEach((j, i) => {
    images.set(source.images.subarray(j * px, (j + 1) * px), i * px);
  });
  const cache: PairCache = { n: keys.length, size, images, captions, keys, meta };
  const { fingerprint, shards } = shardFingerprint(dir, DECODE);
  writeCacheFile(cachePath(dir, size), cache, {
    fingerprint,
    shards,
    decode: DECODE,
    seen: keys.length,
    bad: bad.toJSON(),
  });
  return cache;
}
