/**
 * `clipdown embed --checkpoint R --images DIR|CSV --out embeddings.npy|.jsonl` (or `--texts FILE`):
 * embeds a folder of images (every image file under it, sorted), the images of an open_clip CSV/TSV
 * manifest (`filepath`, `caption`; the captions are kept for search), or the lines of a text file.
 * An image that cannot be decoded is skipped and counted, never the end of a long run.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isImageExtension } from "../data/image";
import { readCsvManifest } from "../data/manifest-csv";
import type { Emb } from "../eval/embeddings";
import { type FlagSpecs, formatHelp, parseArgs, UsageError } from "../util/args";
import { type EmbeddingIndex, writeIndex } from "./embedding-index";
import { CHECKPOINT_FLAG, DATA_DIR_FLAG } from "./flags";
import type { Clip } from "./index";

const SPECS: FlagSpecs = {
  checkpoint: CHECKPOINT_FLAG,
  images: { kind: "string", help: "a folder of images, or a CSV/TSV manifest (filepath, caption columns)" },
  texts: { kind: "string", help: "a text file, one text per line (instead of --images)" },
  out: { kind: "string", help: "embeddings.npy (with embeddings.json naming the rows) or embeddings.jsonl" },
  "csv-img-key": {
    kind: "string",
    help: "manifest column with the image path (open_clip's name)",
    default: "filepath",
  },
  "csv-caption-key": {
    kind: "string",
    help: "manifest column with the caption (open_clip's name)",
    default: "caption",
  },
  "data-dir": DATA_DIR_FLAG,
  quiet: { kind: "boolean", help: "no progress output" },
  help: { kind: "boolean", help: "show this help" },
};

/** Image files under `dir`, relative paths sorted (the row order of the index). */
export function listImages(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (isImageExtension(path.extname(e.name).slice(1))) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

export async function run(argv: string[]): Promise<number> {
  const { flags, positional } = parseArgs(argv, SPECS);
  if (flags.help) {
    console.log(
      formatHelp(
        "clipdown embed --checkpoint RUN --images DIR|CSV | --texts FILE --out X.npy|X.jsonl",
        SPECS,
      ),
    );
    return 0;
  }
  if (positional.length)
    throw new UsageError(`unexpected argument "${positional[0]}"; all options are --flags`);
  if (typeof flags.checkpoint !== "string")
    throw new UsageError("--checkpoint RUN is required (a run directory)");
  if (typeof flags.out !== "string")
    throw new UsageError("--out is required: embeddings.npy or embeddings.jsonl");
  if (!/\.(npy|jsonl)$/i.test(flags.out)) throw new UsageError(`--out ${flags.out}: name it .npy or .jsonl`);
  const images = flags.images as string | undefined;
  const texts = flags.texts as string | undefined;
  if ((images === undefined) === (texts === undefined))
    throw new UsageError("give exactly one of --images DIR|CSV and --texts FILE");
  const source = (images ?? texts)!;
  if (!fs.existsSync(source))
    throw new UsageError(`${images ? "--images" : "--texts"} ${source}: no such file or folder`);
  const log = flags.quiet ? () => {} : (s: string) => console.error(s);

  const { loadClip } = await import(".");
  const clip = await loadClip(
    flags.checkpoint,
    typeof flags["data-dir"] === "string" ? { dataDir: flags["data-dir"] } : {},
  );
  try {
    const meta = { checkpoint: clip.checkpoint, model: clip.config.model };
    let index: EmbeddingIndex;
    if (texts !== undefined) {
      const lines = fs
        .readFileSync(texts, "utf8")
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean);
      if (lines.length === 0) throw new Error(`--texts ${texts}: no non-blank lines to embed`);
      index = { kind: "text", ...meta, items: lines, emb: await clip.encodeTexts(lines) };
    } else {
      let files: string[];
      let captions: string[] | undefined;
      if (fs.statSync(source).isDirectory()) files = listImages(source);
      else {
        const m = readCsvManifest(source, {
          imgKey: flags["csv-img-key"] as string,
          captionKey: flags["csv-caption-key"] as string,
        });
        files = m.rows.map((r) => r.image);
        captions = m.rows.map((r) => r.caption);
      }
      if (files.length === 0) throw new Error(`--images ${source}: no image files found`);
      if (captions && new Set(files).size !== files.length)
        log(`embed: ${source} lists some images more than once`);
      const { emb, kept, skipped } = await embedFiles(clip, files, log);
      if (skipped.length)
        log(`embed: skipped ${skipped.length} image(s) that do not decode, e.g. ${skipped[0]}`);
      index = {
        kind: "image",
        ...meta,
        items: kept.map((i) => files[i]!),
        ...(captions ? { captions: kept.map((i) => captions![i]!) } : {}),
        emb,
      };
    }
    const written = writeIndex(flags.out, index);
    log(`embed: ${index.emb.n} ${index.kind} embeddings of ${index.emb.d} dims → ${written.join(", ")}`);
    return 0;
  } finally {
    clip.dispose();
  }
}

/** Embeds files in chunks (bounded memory); a file that fails to decode is skipped and reported. */
async function embedFiles(
  clip: Clip,
  files: string[],
  log: (s: string) => void,
): Promise<{ emb: Emb; kept: number[]; skipped: string[] }> {
  const CHUNK = 512;
  const per = clip.imageSize * clip.imageSize * 3;
  const parts: Emb[] = [];
  const kept: number[] = [];
  const skipped: string[] = [];
  for (let i = 0; i < files.length; i += CHUNK) {
    const chunk = files.slice(i, i + CHUNK);
    const px = new Uint8Array(chunk.length * per);
    let m = 0;
    for (let j = 0; j < chunk.length; j++) {
      try {
        px.set(await clip.preprocess([chunk[j]!]), m * per);
        kept.push(i + j);
        m++;
      } catch (e) {
        skipped.push((e as Error).message);
      }
    }
    if (m) parts.push(await clip.encodePixels(px.subarray(0, m * per), m));
    log(`embed: ${Math.min(i + CHUNK, files.length)}/${files.length} images`);
  }
  const d = parts[0]?.d ?? 0;
  const data = new Float32Array(kept.length * d);
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.data.length;
  }
  return { emb: { data, n: kept.length, d }, kept, skipped };
}
