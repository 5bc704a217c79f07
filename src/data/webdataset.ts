/**
 * WebDataset shards as img2dataset writes them and open_clip reads them: ustar archives in which
 * the members of one sample share a key and sit next to each other —
 * `<key>.jpg|png|webp|svg` + `<key>.txt` (caption) + optional `<key>.json` (metadata).
 *
 * - `ShardWriter` writes deterministic shards (`<prefix>-000000.tar`, temp file + rename).
 * - `readShards` streams samples shard by shard (one shard's read chunk in memory, not the whole
 *   dataset), optionally with the shard order shuffled and a seeded shuffle buffer, as webdataset's
 *   `shardshuffle` + `shuffle(bufsize)`.
 * - `samplePair` turns a raw sample into an image–caption pair or a counted bad-sample reason.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { mixSeed, mulberry32, shuffleInPlace } from "../util/rng";
import { BadSamples } from "./bad-samples";
import { decodeCaption } from "./caption";
import { IMAGE_EXTENSIONS } from "./image";
import { readTarStream, safeMemberName, writeTarFile } from "./tar";

/** One sample: member contents by extension (lower case, no dot: "png", "txt", "json"). */
export interface WdsSample {
  key: string;
  files: Record<string, Buffer>;
  /** The shard file it came from. */
  shard: string;
}

/**
 * Splits a member name into sample key and extension the way webdataset does: the extension
 * starts at the first "." of the file name (`a/b.seg.png` → key `a/b`, ext `seg.png`).
 */
export function splitMemberName(name: string): { key: string; ext: string } | undefined {
  const slash = name.lastIndexOf("/");
  const dot = name.indexOf(".", slash + 1);
  if (dot <= slash + 1 || dot === name.length - 1) return undefined;
  return { key: name.slice(0, dot), ext: name.slice(dot + 1).toLowerCase() };
}

// ── writing ─────────────────────────────────────────────────────────────────────────────────

export interface ShardWriterOptions {
  dir: string;
  samplesPerShard: number;
  /** Shard file prefix: `<prefix>-000000.tar`. Default "shard". */
  prefix?: string;
  /** Where rejected samples (duplicate or unsafe keys) are counted; the writer makes one if absent. */
  bad?: BadSamples;
}

/** Writes samples into fixed-size shards; the same samples in the same order give the same bytes. */
export class ShardWriter {
  readonly bad: BadSamples;
  private readonly prefix: string;
  private readonly keys = new Set<string>();
  private members: { name: string; data: Buffer }[] = [];
  private inShard = 0;
  private readonly written: string[] = [];
  private count = 0;
  private closed = false;

  constructor(private readonly opts: ShardWriterOptions) {
    if (!Number.isInteger(opts.samplesPerShard) || opts.samplesPerShard < 1) {
      throw new Error(`ShardWriter: samplesPerShard must be a positive integer, got ${opts.samplesPerShard}`);
    }
    this.prefix = opts.prefix ?? "shard";
    if (!/^[A-Za-z0-9_.-]+$/.test(this.prefix)) {
      throw new Error(`ShardWriter: prefix "${this.prefix}" may use only letters, digits, "_", "." and "-"`);
    }
    this.bad = opts.bad ?? new BadSamples();
    fs.mkdirSync(opts.dir, { recursive: true });
  }

  /** Samples accepted so far. */
  get samples(): number {
    return this.count;
  }

  /**
   * Adds a sample. Files are stored sorted by extension. Returns false (and counts the reason)
   * when the key was already written (duplicate-key) or is not a safe relative name without a
   * "." in its last part (unsafe-path), or when an extension is empty or contains "/".
   */
  write(sample: { key: string; files: Record<string, Uint8Array> }): boolean {
    if (this.closed) throw new Error("ShardWriter: write() after close()");
    const { key } = sample;
    const base = key.slice(key.lastIndexOf("/") + 1);
    const exts = Object.keys(sample.files).sort();
    if (
      safeMemberName(key) !== key ||
      base.includes(".") ||
      exts.length === 0 ||
      exts.some((e) => e === "" || e.includes("/"))
    ) {
      this.bad.add("unsafe-path", `key ${JSON.stringify(key)} (${exts.join(",") || "no files"})`);
      return false;
    }
    if (this.keys.has(key)) {
      this.bad.add("duplicate-key", key);
      return false;
    }
    this.keys.add(key);
    for (const ext of exts) {
      const d = sample.files[ext]!;
      this.members.push({ name: `${key}.${ext}`, data: Buffer.from(d.buffer, d.byteOffset, d.length) });
    }
    this.count++;
    if (++this.inShard >= this.opts.samplesPerShard) this.flush();
    return true;
  }

  private flush(): void {
    if (this.inShard === 0) return;
    const name = `${this.prefix}-${String(this.written.length).padStart(6, "0")}.tar`;
    const file = path.join(this.opts.dir, name);
    writeTarFile(file, this.members);
    this.written.push(file);
    this.members = [];
    this.inShard = 0;
  }

  /**
   * Writes the last partial shard, removes shards of the same prefix left over from an earlier,
   * larger write into this folder (they would otherwise be read as part of this dataset), and
   * returns the shard paths in order.
   */
  async close(): Promise<{ shards: string[]; samples: number }> {
    if (!this.closed) {
      this.flush();
      this.closed = true;
      const mine = new RegExp(`^${this.prefix.replace(/\./g, "\\.")}-(\\d{6})\\.tar$`);
      for (const f of fs.readdirSync(this.opts.dir)) {
        const m = mine.exec(f);
        if (m && Number(m[1]) >= this.written.length) fs.rmSync(path.join(this.opts.dir, f));
      }
    }
    return { shards: [...this.written], samples: this.count };
  }
}

// ── reading ─────────────────────────────────────────────────────────────────────────────────

/** Expands webdataset's brace ranges: `shard-{000..002}.tar` → three names (zero padding kept). */
export function expandBraces(pattern: string): string[] {
  const m = /\{(\d+)\.\.(\d+)\}/.exec(pattern);
  if (!m) return [pattern];
  const [whole, a, b] = m as unknown as [string, string, string];
  const width = a.length;
  const out: string[] = [];
  for (let i = Number(a); i <= Number(b); i++) {
    const head = pattern.slice(0, m.index) + String(i).padStart(width, "0");
    for (const tail of expandBraces(pattern.slice(m.index + whole.length))) out.push(head + tail);
  }
  return out;
}

/**
 * Shard files of a dataset: a folder (its `*.tar`, sorted by name), a `.tar` file, a brace pattern,
 * or a list of any of these. Throws an error naming the path when nothing is found.
 */
export function resolveShards(dirOrFiles: string | readonly string[]): string[] {
  const out: string[] = [];
  for (const spec of typeof dirOrFiles === "string" ? [dirOrFiles] : dirOrFiles) {
    for (const p of expandBraces(spec)) {
      if (!fs.existsSync(p)) throw new Error(`shards: ${p} does not exist`);
      if (fs.statSync(p).isDirectory()) {
        const tars = fs
          .readdirSync(p)
          .filter((f) => f.endsWith(".tar") && !f.startsWith("."))
          .sort();
        if (tars.length === 0) {
          throw new Error(
            `shards: no *.tar shards in ${p}; build them with \`clipdown data build\` or \`clipdown shards --from ... --out ${p}\``,
          );
        }
        out.push(...tars.map((f) => path.join(p, f)));
      } else {
        out.push(p);
      }
    }
  }
  return out;
}

export interface ReadShardsOptions {
  /** Visit shards in a seeded random order (per epoch). Default false. */
  shuffleShards?: boolean;
  /** Shuffle samples through a buffer of this many (0 / undefined = stream order). */
  shuffleBuffer?: number;
  seed?: number;
  /** Mixed into the seed, so each epoch gets a fresh order. Default 0. */
  epoch?: number;
  /** Receives skipped members and samples (unsafe-path, non-regular-member, duplicate-key, corrupt-tar, ...). */
  bad?: BadSamples;
  /** Skip (and count) a key already yielded from any earlier shard. Default true. */
  dedupe?: boolean;
}

/** Groups one shard's consecutive members into samples. */
async function* shardSamples(shard: string, bad: BadSamples): AsyncGenerator<WdsSample, void, undefined> {
  let current: WdsSample | undefined;
  const closedKeys = new Set<string>(); // keys whose run of members has ended in this shard
  let skipping: string | undefined; // key of a duplicate run being dropped (counted once)
  for await (const m of readTarStream(shard, { bad, source: shard })) {
    const split = splitMemberName(m.name);
    if (!split) {
      bad.add("unknown-extension", `${shard}: member "${m.name}" has no extension`);
      continue;
    }
    if (skipping !== undefined) {
      if (split.key === skipping) continue;
      skipping = undefined;
    }
    if (current && current.key !== split.key) {
      closedKeys.add(current.key);
      yield current;
      current = undefined;
    }
    if (!current) {
      if (closedKeys.has(split.key)) {
        // The key's members are not adjacent: a second sample under a used key.
        bad.add("duplicate-key", `${shard}: ${split.key}.${split.ext}`);
        skipping = split.key;
        continue;
      }
      current = { key: split.key, files: {}, shard };
    }
    if (split.ext in current.files) {
      bad.add("duplicate-key", `${shard}: ${m.name} appears twice`);
      continue;
    }
    current.files[split.ext] = m.data;
  }
  if (current) yield current;
}

/**
 * Streams the samples of a WebDataset, shard by shard. Hostile members are skipped and counted in
 * `opts.bad` (see tar.ts); a sample whose key was already seen is skipped as duplicate-key.
 */
export async function* readShards(
  dirOrFiles: string | readonly string[],
  opts: ReadShardsOptions = {},
): AsyncGenerator<WdsSample, void, undefined> {
  const bad = opts.bad ?? new BadSamples();
  const seed = opts.seed ?? 0;
  const epoch = opts.epoch ?? 0;
  const shards = resolveShards(dirOrFiles);
  if (opts.shuffleShards) shuffleInPlace(shards, mulberry32(mixSeed(seed, epoch, 1)));
  const seen = opts.dedupe === false ? undefined : new Set<string>();
  const bufSize = Math.max(0, Math.floor(opts.shuffleBuffer ?? 0));
  const rng = mulberry32(mixSeed(seed, epoch, 2));
  const buffer: WdsSample[] = [];
  for (const shard of shards) {
    for await (const s of shardSamples(shard, bad)) {
      if (seen) {
        if (seen.has(s.key)) {
          bad.add("duplicate-key", `${shard}: ${s.key}`);
          continue;
        }
        seen.add(s.key);
      }
      if (bufSize <= 1) {
        yield s;
        continue;
      }
      if (buffer.length < bufSize) {
        buffer.push(s);
        continue;
      }
      // Reservoir-style: emit a random buffered sample, keep the new one in its place.
      const j = Math.floor(rng() * bufSize);
      const out = buffer[j]!;
      buffer[j] = s;
      yield out;
    }
  }
  shuffleInPlace(buffer, rng);
  yield* buffer;
}

// ── samples → pairs ─────────────────────────────────────────────────────────────────────────

/** An image–caption pair taken from a sample. */
export interface PairSample {
  key: string;
  image: Buffer;
  /** Extension of the image member ("png", "jpg", ...). */
  imageExt: string;
  /** Caption ("" only when `requireCaption` is false and the sample has none). */
  caption: string;
  /** The sample's parsed .json (an object), {} if it has none. */
  meta: Record<string, unknown>;
  shard: string;
}

/** Preference when a sample carries several images (webdataset's usual `jpg;png;webp` order, then the rest). */
const IMAGE_PREFERENCE = ["jpg", "jpeg", "png", "webp", ...IMAGE_EXTENSIONS];

/**
 * The image, caption and metadata of a sample, or undefined after counting why not:
 * missing-image / unknown-extension / empty-file / missing-caption / non-utf8-caption /
 * empty-caption / corrupt-json. (Decoding the image is left to the caller.)
 */
export function samplePair(
  s: WdsSample,
  bad: BadSamples,
  opts: { requireCaption?: boolean } = {},
): PairSample | undefined {
  const where = `${s.shard}: ${s.key}`;
  const imageExt = IMAGE_PREFERENCE.find((e) => e in s.files);
  if (!imageExt) {
    const other = Object.keys(s.files).filter((e) => e !== "txt" && e !== "json" && e !== "cls");
    if (other.length) bad.add("unknown-extension", `${where} (.${other.join(", .")})`);
    else bad.add("missing-image", where);
    return undefined;
  }
  const image = s.files[imageExt]!;
  if (image.length === 0) {
    bad.add("empty-file", `${where}.${imageExt}`);
    return undefined;
  }
  let caption = "";
  const txt = s.files.txt;
  if (txt === undefined) {
    if (opts.requireCaption !== false) {
      bad.add("missing-caption", where);
      return undefined;
    }
  } else {
    const c = decodeCaption(txt);
    if ("reason" in c) {
      bad.add(c.reason, `${where}.txt`);
      return undefined;
    }
    caption = c.caption;
  }
  let meta: Record<string, unknown> = {};
  if (s.files.json !== undefined) {
    try {
      const parsed: unknown = JSON.parse(s.files.json.toString("utf8"));
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
        throw new Error("not an object");
      meta = parsed as Record<string, unknown>;
    } catch {
      // A corrupt JSON member is a bad sample: counted and skipped, not thrown.
      bad.add("corrupt-json", `${where}.json`);
      return undefined;
    }
  }
  return { key: s.key, image, imageExt, caption, meta, shard: s.shard };
}
