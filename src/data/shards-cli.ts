/**
 * `clipdown shards --from <manifest.csv|.tsv | image folder | shards> --out <dir>`: converts data a
 * user already has into WebDataset shards plus `manifest.json` (counts, options, bad-sample report).
 *
 * - CSV/TSV manifest (open_clip's `--csv-img-key/--csv-caption-key`): one sample per row, caption
 *   from the caption column, json `{ source, row }`.
 * - Image folder (`root/<class>/*.png`): caption from `--caption-template` ("{}" = the class name),
 *   json `{ label, class, folder, source }`, and `classes.json` (class names by label).
 * - Existing shards (a `.tar` or a folder of them): re-sharded and validated; hostile members
 *   (absolute or `..` paths, symlinks, duplicates) are dropped. No member name is ever used as an
 *   output path, so nothing can be written outside `--out`.
 *
 * Every image is decoded once to validate it (corrupt, truncated, empty, too large); with
 * `--image-size N` it is also stored re-encoded as an N×N PNG (what the corpora store).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type FlagSpecs, formatHelp, parseArgs, UsageError } from "../util/args";
import {
  BadSamples,
  DEFAULT_MAX_BAD_FRACTION,
  MAX_BAD_FRACTION_FLAG,
  TooManyBadSamplesError,
} from "./bad-samples";
import { DEFAULT_MAX_FILE_BYTES, RefusedFile, readBoundedFile } from "./files";
import { DEFAULT_MAX_PIXELS, decodeImage, encodePng, ImageDecodeError } from "./image";
import { readImageFolder } from "./image-folder";
import { readCsvManifest, separatorFor } from "./manifest-csv";
import { writeFileAtomic } from "./tar";
import { readShards, resolveShards, ShardWriter, samplePair } from "./webdataset";

const FLAGS: FlagSpecs = {
  from: { kind: "string", help: "a .csv/.tsv manifest, an image folder (root/<class>/*), or .tar shards" },
  out: { kind: "string", help: "output folder for <prefix>-NNNNNN.tar + manifest.json" },
  "csv-img-key": { kind: "string", help: "manifest column with image paths", default: "filepath" },
  "csv-caption-key": { kind: "string", help: "manifest column with captions", default: "caption" },
  "csv-separator": { kind: "string", help: "manifest separator (default: tab for .tsv/.tab, else comma)" },
  "class-map": { kind: "string", help: 'image folders: JSON file { "<folder>": "<class name>" }' },
  "caption-template": { kind: "string", help: 'image folders: caption, "{}" = class name', default: "{}" },
  "samples-per-shard": { kind: "number", help: "samples per shard", default: 1000 },
  prefix: { kind: "string", help: "shard file prefix", default: "shard" },
  "image-size": {
    kind: "number",
    help: "store images re-encoded as N×N PNG (0 = original bytes)",
    default: 0,
  },
  "max-pixels": { kind: "number", help: "largest input width×height accepted", default: DEFAULT_MAX_PIXELS },
  "max-bad-fraction": {
    kind: "number",
    help: "fail if more than this fraction of samples is bad",
    default: DEFAULT_MAX_BAD_FRACTION,
  },
  "max-file-bytes": {
    kind: "number",
    help: "largest image file read, in bytes (larger ones are counted as too-large-file)",
    default: DEFAULT_MAX_FILE_BYTES,
  },
  "in-flight": { kind: "number", help: "images read and decoded at once", default: 8 },
  quiet: { kind: "boolean", help: "print only errors", default: false },
  help: { kind: "boolean", help: "show this help", default: false },
};

const USAGE =
  "clipdown shards --from <manifest.csv|manifest.tsv|image folder|shards> --out <dir> " +
  "[--csv-img-key filepath] [--csv-caption-key caption] [--samples-per-shard 1000] [--image-size 0]";

/** One sample to convert: its key, caption, metadata and a way to get the image bytes. */
interface Item {
  key: string;
  ext: string;
  caption: string;
  meta: Record<string, unknown>;
  /** Source for messages. */
  where: string;
  read(): Promise<Buffer>;
}

export type ShardSourceKind = "csv" | "image-folder" | "shards";

/** What `--from` points at: a manifest by extension, a .tar, a folder of .tar files, or an image folder. */
export function sourceKind(from: string): ShardSourceKind {
  if (!fs.existsSync(from)) throw new UsageError(`--from ${from} does not exist`);
  const st = fs.statSync(from);
  if (st.isFile()) {
    if (/\.(csv|tsv|tab)$/i.test(from)) return "csv";
    if (/\.tar$/i.test(from)) return "shards";
    throw new UsageError(`--from ${from}: expected a .csv/.tsv manifest, a .tar shard or a folder`);
  }
  return fs.readdirSync(from).some((f) => f.endsWith(".tar")) ? "shards" : "image-folder";
}

export interface ShardsOptions {
  from: string;
  out: string;
  imgKey?: string;
  captionKey?: string;
  separator?: string;
  classMap?: string;
  captionTemplate?: string;
  samplesPerShard?: number;
  prefix?: string;
  imageSize?: number;
  maxPixels?: number;
  /** Largest image file read from a manifest or folder (default DEFAULT_MAX_FILE_BYTES). */
  maxFileBytes?: number;
  maxBadFraction?: number;
  inFlight?: number;
  log?: (line: string) => void;
}

export interface ShardsManifest {
  format: "webdataset";
  createdBy: "clipdown shards";
  kind: ShardSourceKind;
  from: string;
  samples: number;
  seen: number;
  shards: string[];
  samplesPerShard: number;
  imageSize: number;
  classes?: number;
  bad: ReturnType<BadSamples["toJSON"]>;
}

async function* csvItems(o: ShardsOptions, bad: BadSamples, counter: { seen: number }): AsyncGenerator<Item> {
  const m = readCsvManifest(o.from, {
    imgKey: o.imgKey,
    captionKey: o.captionKey,
    separator: o.separator ?? separatorFor(o.from),
    bad,
  });
  counter.seen += m.seen;
  for (const r of m.rows) {
    yield {
      key: String(r.row).padStart(9, "0"),
      ext: r.ext,
      caption: r.caption,
      meta: { source: r.relPath, row: r.row },
      where: `row ${r.row + 1}: ${r.relPath}`,
      read: () => readBoundedFile(r.image, o.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES),
    };
  }
}

async function* folderItems(
  o: ShardsOptions,
  bad: BadSamples,
  counter: { seen: number },
  classNames: string[],
): AsyncGenerator<Item> {
  const f = readImageFolder(o.from, { ...(o.classMap ? { classMap: o.classMap } : {}), bad });
  counter.seen += f.seen;
  classNames.push(...f.classNames);
  const template = o.captionTemplate ?? "{}";
  let i = 0;
  for (const s of f.samples) {
    const name = f.classNames[s.label]!;
    yield {
      key: String(i++).padStart(9, "0"),
      ext: s.ext,
      caption: template.replace(/\{\}/g, name),
      meta: { label: s.label, class: name, folder: f.folders[s.label], source: s.relPath },
      where: s.relPath,
      read: () => readBoundedFile(s.file, o.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES),
    };
  }
}

async function* shardItems(
  o: ShardsOptions,
  bad: BadSamples,
  counter: { seen: number },
): AsyncGenerator<Item> {
  // Read-side problems are counted apart: decode failures of yielded samples land in `bad` meanwhile.
  const readBad = new BadSamples();
  let ok = 0;
  for await (const s of readShards(o.from, { bad: readBad })) {
    const p = samplePair(s, readBad);
    if (!p) continue;
    ok++;
    yield {
      key: p.key,
      ext: p.imageExt,
      caption: p.caption,
      meta: p.meta,
      where: `${path.basename(p.shard)}: ${p.key}`,
      read: async () => p.image,
    };
  }
  // Each skipped member or sample counts as one seen (tar-level problems have no other unit).
  counter.seen += ok + readBad.total;
  bad.merge(readBad);
}

/** Reads, validates (and optionally re-encodes) one item; undefined after counting why it is bad. */
async function prepare(
  it: Item,
  o: ShardsOptions,
  bad: BadSamples,
): Promise<Record<string, Buffer> | undefined> {
  let data: Buffer;
  try {
    data = await it.read();
  } catch (e) {
    if (e instanceof RefusedFile) {
      bad.add(e.reason, `${it.where} (${e.message})`);
      return undefined;
    }
    const code = (e as NodeJS.ErrnoException).code;
    bad.add(code === "ENOENT" ? "missing-image" : "unreadable-file", `${it.where} (${code ?? String(e)})`);
    return undefined;
  }
  const size = o.imageSize ?? 0;
  let image: Buffer = data;
  let ext = it.ext;
  try {
    // Decoding is the validation: sharp reads the whole file, so truncation is caught.
    const rgb = await decodeImage(data, it.ext, size > 0 ? size : 8, {
      maxPixels: o.maxPixels ?? DEFAULT_MAX_PIXELS,
    });
    if (size > 0) {
      image = await encodePng(rgb, size);
      ext = "png";
    }
  } catch (e) {
    const reason = e instanceof ImageDecodeError ? e.reason : "corrupt-image";
    bad.add(reason, `${it.where}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
  return {
    [ext === "jpeg" ? "jpg" : ext]: image,
    txt: Buffer.from(it.caption, "utf8"),
    // The output key last: a sample's own `.json` must not rename it.
    json: Buffer.from(JSON.stringify({ ...it.meta, key: it.key }), "utf8"),
  };
}

/**
 * Converts a manifest, image folder or shards into WebDataset shards in `out` and writes
 * `manifest.json`. Throws TooManyBadSamplesError (after writing the shards, without the manifest)
 * when more than `maxBadFraction` of the samples is bad.
 */
export async function convertToShards(o: ShardsOptions): Promise<ShardsManifest> {
  const log = o.log ?? ((s: string) => console.error(s));
  const kind = sourceKind(o.from);
  const out = path.resolve(o.out);
  const from = path.resolve(o.from);
  if (out === from || (kind !== "csv" && out.startsWith(`${from}${path.sep}`))) {
    throw new UsageError(
      `--out ${o.out} must not be --from or inside it (the output would be read as input)`,
    );
  }
  if (kind === "shards" && resolveShards(o.from).some((s) => path.dirname(path.resolve(s)) === out)) {
    throw new UsageError(`--out ${o.out} holds the input shards; choose another folder`);
  }
  const bad = new BadSamples();
  const counter = { seen: 0 };
  const classNames: string[] = [];
  const items =
    kind === "csv"
      ? csvItems(o, bad, counter)
      : kind === "image-folder"
        ? folderItems(o, bad, counter, classNames)
        : shardItems(o, bad, counter);
  const samplesPerShard = o.samplesPerShard ?? 1000;
  const prefix = o.prefix ?? "shard";
  const writer = new ShardWriter({ dir: out, samplesPerShard, prefix, bad });
  const inFlight = Math.max(1, o.inFlight ?? 8);
  // A window of reads+decodes in flight, written in input order (so the output is deterministic).
  const window: { key: string; files: Promise<Record<string, Buffer> | undefined> }[] = [];
  const drain = async (): Promise<void> => {
    const w = window.shift()!;
    const files = await w.files;
    if (files) writer.write({ key: w.key, files });
  };
  for await (const it of items) {
    window.push({ key: it.key, files: prepare(it, o, bad) });
    if (window.length >= inFlight) await drain();
  }
  while (window.length) await drain();
  const { shards, samples } = await writer.close();
  const what = `${o.from} → ${o.out}`;
  if (bad.total) log(bad.format(counter.seen, what));
  bad.assertBelow(o.maxBadFraction ?? DEFAULT_MAX_BAD_FRACTION, counter.seen, o.from);
  const manifest: ShardsManifest = {
    format: "webdataset",
    createdBy: "clipdown shards",
    kind,
    from: o.from,
    samples,
    seen: counter.seen,
    shards: shards.map((s) => path.basename(s)),
    samplesPerShard,
    imageSize: o.imageSize ?? 0,
    ...(kind === "image-folder" ? { classes: classNames.length } : {}),
    bad: bad.toJSON(),
  };
  if (kind === "image-folder")
    writeFileAtomic(path.join(out, "classes.json"), `${JSON.stringify(classNames, null, 2)}\n`);
  writeFileAtomic(path.join(out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

export async function run(argv: string[]): Promise<number> {
  const { flags, positional } = parseArgs(argv, FLAGS);
  if (flags.help) {
    console.log(formatHelp(USAGE, FLAGS));
    return 0;
  }
  if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"; use --from and --out`);
  if (typeof flags.from !== "string")
    throw new UsageError("--from is required (a .csv/.tsv manifest, an image folder or shards)");
  if (typeof flags.out !== "string")
    throw new UsageError("--out is required (the folder to write shards into)");
  const spp = flags["samples-per-shard"] as number;
  if (!Number.isInteger(spp) || spp < 1)
    throw new UsageError(`--samples-per-shard must be a positive integer, got ${spp}`);
  const size = flags["image-size"] as number;
  if (!Number.isInteger(size) || size < 0)
    throw new UsageError(`--image-size must be 0 or a positive integer, got ${size}`);
  const maxFile = flags["max-file-bytes"] as number;
  if (!Number.isInteger(maxFile) || maxFile < 1)
    throw new UsageError(`--max-file-bytes must be a positive integer (bytes), got ${maxFile}`);
  const frac = flags["max-bad-fraction"] as number;
  if (!(frac >= 0 && frac <= 1))
    throw new UsageError(`${MAX_BAD_FRACTION_FLAG} must be in 0..1, got ${frac}`);
  const quiet = flags.quiet as boolean;
  const sep = flags["csv-separator"] as string | undefined;
  try {
    const m = await convertToShards({
      from: flags.from,
      out: flags.out,
      imgKey: flags["csv-img-key"] as string,
      captionKey: flags["csv-caption-key"] as string,
      ...(sep !== undefined ? { separator: sep === "\\t" || sep === "tab" ? "\t" : sep } : {}),
      ...(typeof flags["class-map"] === "string" ? { classMap: flags["class-map"] } : {}),
      captionTemplate: flags["caption-template"] as string,
      samplesPerShard: spp,
      prefix: flags.prefix as string,
      imageSize: size,
      maxPixels: flags["max-pixels"] as number,
      maxFileBytes: maxFile,
      maxBadFraction: frac,
      inFlight: flags["in-flight"] as number,
      log: quiet ? () => {} : (s) => console.error(s),
    });
    if (!quiet) {
      console.log(
        `wrote ${m.samples} samples in ${m.shards.length} shard(s) to ${flags.out} (${m.seen - m.samples} of ${m.seen} skipped); see ${path.join(flags.out, "manifest.json")}`,
      );
    }
    return 0;
  } catch (e) {
    if (e instanceof TooManyBadSamplesError) {
      console.error(`clipdown shards: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
