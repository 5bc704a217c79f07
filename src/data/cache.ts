/**
 * The preprocessed cache: a dataset decoded once at one resolution into a single binary file
 * `<dataDir>/cache-<size>.bin`, so an epoch never decodes an image again.
 *
 * Layout (little-endian):
 *   0   "CLPDCACH"                         magic (8 bytes)
 *   8   u32 version                        CACHE_VERSION
 *   12  u32 H                              header JSON length
 *   16  header JSON (H bytes)              n, size, fingerprint of the shards, byte lengths, CRC-32s, bad-sample report
 *   ... zero padding to a multiple of 8
 *   I   images: n × size × size × 3        uint8, HWC RGB, sample after sample
 *   I+n·s²·3  text JSON                    { captions, keys, meta }
 *
 * A file is used only if every check passes: magic, version, header, exact file length, both
 * CRC-32s, and a fingerprint equal to the shards' current one (name, byte size and mtime of each
 * shard + the decode options). Otherwise it is rebuilt from the shards and written atomically
 * (temp file + rename), so a crash or a concurrent build never leaves a half-written cache.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { Progress } from "../util/progress";
import { type BadSampleReport, BadSamples, DEFAULT_MAX_BAD_FRACTION } from "./bad-samples";
import { DEFAULT_MAX_PIXELS, type DecodeOptions, decodeImage, ImageDecodeError } from "./image";
import { writeFileAtomic } from "./tar";
import { readShards, resolveShards, samplePair } from "./webdataset";

/** The sample count a built dataset's manifest.json states (the cache's progress total), if any. */
function manifestSamples(dataDir: string): number | undefined {
  try {
    const n = JSON.parse(fs.readFileSync(path.join(dataDir, "manifest.json"), "utf8")).samples;
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    // No readable manifest: the progress bar runs without a total.
    return undefined;
  }
}

/** Bump when the layout or the decoding changes: older files are then rebuilt. */
export const CACHE_VERSION = 1;
const MAGIC = Buffer.from("CLPDCACH", "latin1");

/** A decoded dataset held in memory. */
export interface PairCache {
  n: number;
  size: number;
  /** n × size × size × 3, HWC RGB uint8, sample i at offset i·size²·3. */
  images: Uint8Array;
  captions: string[];
  keys: string[];
  /** Each sample's .json ({} if none). */
  meta: Record<string, unknown>[];
  /** What was skipped while building (absent for caches made in memory). */
  bad?: BadSampleReport;
  /** Samples looked at while building, the bad ones included. */
  seen?: number;
}

export interface CacheHeader {
  version: number;
  n: number;
  size: number;
  fingerprint: string;
  shards: { name: string; bytes: number; mtimeMs: number }[];
  decode: { fit: string; maxPixels: number };
  imageBytes: number;
  textBytes: number;
  imageCrc32: number;
  textCrc32: number;
  seen: number;
  bad: BadSampleReport;
}

export interface EnsureCacheOptions extends DecodeOptions {
  /** Fail when more than this fraction of samples is bad (default 0.05). */
  maxBadFraction?: number;
  /** Decodes in flight while building (default 8). */
  inFlight?: number;
  /** Rebuild even if the file is valid. */
  force?: boolean;
  /** Skip samples without a .txt caption (default true; false for classification sets). */
  requireCaption?: boolean;
  /** Progress and the bad-sample report go here (default: stderr); `quiet` silences them. */
  log?: (line: string) => void;
  quiet?: boolean;
}

/** Why a cache file cannot be used. */
export class CacheInvalidError extends Error {
  constructor(
    readonly file: string,
    why: string,
  ) {
    super(`${file}: ${why}`);
    this.name = "CacheInvalidError";
  }
}

/** `<dataDir>/cache-<size>.bin`. */
export function cachePath(dataDir: string, size: number): string {
  return path.join(dataDir, `cache-${size}.bin`);
}

/** CRC-32 (zlib.crc32 where Node has it, ≥ 20.15; else a table-driven fallback). */
const crcTable = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();
export function crc32(data: Uint8Array): number {
  const native = (zlib as unknown as { crc32?: (d: Uint8Array) => number }).crc32;
  if (native) return native(data) >>> 0;
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The shards' identity for staleness checks: name, byte size and mtime of each + decode options. */
export function shardFingerprint(
  dataDir: string,
  decode: CacheHeader["decode"],
): { fingerprint: string; shards: CacheHeader["shards"] } {
  const shards = resolveShards(dataDir).map((f) => {
    const st = fs.statSync(f);
    return { name: path.basename(f), bytes: st.size, mtimeMs: Math.floor(st.mtimeMs) };
  });
  const fingerprint = createHash("sha256")
    .update(JSON.stringify({ v: CACHE_VERSION, shards, decode }))
    .digest("hex");
  return { fingerprint, shards };
}

/** Serialises a cache into the file layout above and writes it atomically. */
export function writeCacheFile(
  file: string,
  cache: PairCache,
  header: Omit<
    CacheHeader,
    "imageBytes" | "textBytes" | "imageCrc32" | "textCrc32" | "version" | "n" | "size"
  >,
): void {
  const imageBytes = cache.n * cache.size * cache.size * 3;
  if (cache.images.length < imageBytes)
    throw new Error(`writeCacheFile: images hold ${cache.images.length} bytes, need ${imageBytes}`);
  const images = cache.images.subarray(0, imageBytes);
  const text = Buffer.from(
    JSON.stringify({ captions: cache.captions, keys: cache.keys, meta: cache.meta }),
    "utf8",
  );
  const full: CacheHeader = {
    version: CACHE_VERSION,
    n: cache.n,
    size: cache.size,
    ...header,
    imageBytes,
    textBytes: text.length,
    imageCrc32: crc32(images),
    textCrc32: crc32(text),
  };
  const headerJson = Buffer.from(JSON.stringify(full), "utf8");
  const imageOffset = Math.ceil((16 + headerJson.length) / 8) * 8;
  const out = Buffer.alloc(imageOffset + imageBytes + text.length);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(CACHE_VERSION, 8);
  out.writeUInt32LE(headerJson.length, 12);
  headerJson.copy(out, 16);
  out.set(images, imageOffset);
  text.copy(out, imageOffset + imageBytes);
  writeFileAtomic(file, out);
}

/** Reads and fully validates a cache file; throws CacheInvalidError saying what is wrong. */
export function readCacheFile(file: string): { cache: PairCache; header: CacheHeader } {
  const buf = fs.readFileSync(file);
  const fail = (why: string): never => {
    throw new CacheInvalidError(file, why);
  };
  if (buf.length < 16 || !buf.subarray(0, 8).equals(MAGIC)) fail("not a clipdown cache (bad magic)");
  const version = buf.readUInt32LE(8);
  if (version !== CACHE_VERSION) fail(`cache version ${version}, this code writes ${CACHE_VERSION}`);
  const hLen = buf.readUInt32LE(12);
  if (16 + hLen > buf.length) fail("truncated header");
  let header: CacheHeader;
  try {
    header = JSON.parse(buf.toString("utf8", 16, 16 + hLen)) as CacheHeader;
  } catch {
    return fail("corrupt header JSON");
  }
  const { n, size, imageBytes, textBytes } = header;
  if (
    !Number.isInteger(n) ||
    !Number.isInteger(size) ||
    n < 0 ||
    size < 1 ||
    imageBytes !== n * size * size * 3
  ) {
    fail(`inconsistent header (n ${n}, size ${size}, imageBytes ${imageBytes})`);
  }
  const imageOffset = Math.ceil((16 + hLen) / 8) * 8;
  const expected = imageOffset + imageBytes + textBytes;
  if (buf.length !== expected)
    fail(`file is ${buf.length} bytes, header says ${expected} (truncated or appended)`);
  const images = new Uint8Array(buf.buffer, buf.byteOffset + imageOffset, imageBytes);
  if (crc32(images) !== header.imageCrc32) fail("image data CRC-32 mismatch (corrupt)");
  const textBuf = buf.subarray(imageOffset + imageBytes);
  if (crc32(textBuf) !== header.textCrc32) fail("text CRC-32 mismatch (corrupt)");
  const text = JSON.parse(textBuf.toString("utf8")) as Pick<PairCache, "captions" | "keys" | "meta">;
  if (text.captions.length !== n || text.keys.length !== n || text.meta.length !== n)
    fail("text section does not hold n entries");
  return {
    cache: {
      n,
      size,
      images,
      captions: text.captions,
      keys: text.keys,
      meta: text.meta,
      bad: header.bad,
      seen: header.seen,
    },
    header,
  };
}

/**
 * Decodes every sample of the shards in `dataDir` to size×size RGB, skipping and counting bad
 * ones, and fails (TooManyBadSamplesError) if more than `maxBadFraction` of them are bad.
 */
export async function buildCache(
  dataDir: string,
  size: number,
  opts: EnsureCacheOptions = {},
): Promise<{ cache: PairCache; seen: number; bad: BadSamples }> {
  const log = opts.quiet ? () => {} : (opts.log ?? ((s: string) => console.error(s)));
  const bad = new BadSamples();
  const px = size * size * 3;
  const CHUNK = 1024;
  const chunks: Uint8Array[] = [];
  const captions: string[] = [];
  const keys: string[] = [];
  const meta: Record<string, unknown>[] = [];
  const inFlight = Math.max(1, opts.inFlight ?? 8);
  type Pending = {
    key: string;
    caption: string;
    meta: Record<string, unknown>;
    ext: string;
    img: Promise<Uint8Array | ImageDecodeError>;
  };
  const queue: Pending[] = [];
  const decodeOpts: DecodeOptions = {
    ...(opts.fit ? { fit: opts.fit } : {}),
    ...(opts.maxPixels ? { maxPixels: opts.maxPixels } : {}),
  };
  const progress = new Progress({
    label: `cache ${dataDir} @${size}px`,
    unit: "images",
    total: manifestSamples(dataDir),
    quiet: opts.quiet,
    ...(opts.log ? { log: opts.log } : {}),
  });

  const drainOne = async (): Promise<void> => {
    const p = queue.shift()!;
    const img = await p.img;
    if (img instanceof ImageDecodeError) {
      bad.add(img.reason, `${p.key}.${p.ext}: ${img.message}`);
      return;
    }
    const i = keys.length;
    if (i % CHUNK === 0) chunks.push(new Uint8Array(CHUNK * px));
    chunks[chunks.length - 1]!.set(img, (i % CHUNK) * px);
    keys.push(p.key);
    captions.push(p.caption);
    meta.push(p.meta);
    progress.update(keys.length + bad.total);
  };

  for await (const s of readShards(dataDir, { bad })) {
    const pair = samplePair(s, bad, { requireCaption: opts.requireCaption !== false });
    if (!pair) continue;
    const img = decodeImage(pair.image, pair.imageExt, size, decodeOpts).catch((e: unknown) =>
      e instanceof ImageDecodeError ? e : new ImageDecodeError("corrupt-image", String(e)),
    );
    queue.push({ key: pair.key, caption: pair.caption, meta: pair.meta, ext: pair.imageExt, img });
    if (queue.length >= inFlight) await drainOne();
  }
  while (queue.length) await drainOne();
  progress.finish();

  const n = keys.length;
  const seen = n + bad.total;
  if (bad.total > 0) log(bad.format(seen, `cache ${dataDir} @${size}px`));
  bad.assertBelow(opts.maxBadFraction ?? DEFAULT_MAX_BAD_FRACTION, seen, dataDir);
  const images = new Uint8Array(n * px);
  chunks.forEach((c, k) => {
    images.set(c.subarray(0, Math.min(CHUNK, n - k * CHUNK) * px), k * CHUNK * px);
  });
  return { cache: { n, size, images, captions, keys, meta, bad: bad.toJSON(), seen }, seen, bad };
}

/**
 * The dataset in `dataDir` decoded at `size`: loads `<dataDir>/cache-<size>.bin` when it is valid
 * and matches the current shards, else (re)builds and writes it. A truncated, corrupt or stale
 * cache is reported in one line and rebuilt; if the folder is read-only the rebuilt cache is
 * returned without being saved.
 */
export async function ensureCache(
  dataDir: string,
  size: number,
  opts: EnsureCacheOptions = {},
): Promise<PairCache> {
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`ensureCache: size must be a positive integer, got ${size}`);
  const log = opts.quiet ? () => {} : (opts.log ?? ((s: string) => console.error(s)));
  const decode = { fit: opts.fit ?? "contain", maxPixels: opts.maxPixels ?? DEFAULT_MAX_PIXELS };
  const { fingerprint, shards } = shardFingerprint(dataDir, decode);
  const file = cachePath(dataDir, size);
  if (!opts.force && fs.existsSync(file)) {
    try {
      const { cache, header } = readCacheFile(file);
      if (header.fingerprint === fingerprint) return cache;
      log(`cache ${file} is stale (shards or decode options changed); rebuilding`);
    } catch (e) {
      log(`cache ${e instanceof Error ? e.message : String(e)}; rebuilding`);
    }
  }
  const t0 = performance.now();
  const { cache, seen, bad } = await buildCache(dataDir, size, opts);
  try {
    writeCacheFile(file, cache, { fingerprint, shards, decode, seen, bad: bad.toJSON() });
    log(`cache ${file}: ${cache.n} samples @${size}px in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } catch (e) {
    log(
      `cache: could not write ${file} (${e instanceof Error ? e.message : String(e)}); using it in memory only`,
    );
  }
  return cache;
}
