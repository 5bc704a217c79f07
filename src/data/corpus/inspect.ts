/**
 * `clipdown data inspect <dir>`: what a dataset folder holds — samples per source, caption lengths
 * in words and in BPE tokens (and how many a context of 16 truncates), the bad-sample report, the
 * noise ground truth if any, quality scores if any, and which caches exist.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BpeTokenizer } from "../../text/bpe";
import { BadSamples } from "../bad-samples";
import { readCacheFile, shardFingerprint } from "../cache";
import { decodeImage, ImageDecodeError } from "../image";
import { loadQualityScores, QUALITY_FILE } from "../quality";
import { readShards, samplePair } from "../webdataset";
import { readManifest } from "./write";

export interface LengthStats {
  mean: number;
  median: number;
  p90: number;
  max: number;
}

export interface InspectReport {
  dir: string;
  manifest?: {
    name: string;
    role: string;
    samples: number;
    contentHash: string;
    classes?: number;
    licences: Record<string, string>;
  };
  samples: number;
  bySource: Record<string, number>;
  byNoise?: Record<string, number>;
  words: LengthStats;
  tokens?: LengthStats & { tokenizer: string; contextLength: number; truncated: number };
  /** Bad samples recorded when the folder was written: by `clipdown data build` or by `clipdown shards`. */
  bad?: ReturnType<BadSamples["toJSON"]> & { seen: number; when: "build" | "conversion" };
  readBad: ReturnType<BadSamples["toJSON"]>;
  caches: { file: string; bytes: number; status: string }[];
  quality?: { n: number; mean: number; min: number; max: number; scorer: string };
}

export function lengthStats(xs: number[]): LengthStats {
  if (!xs.length) return { mean: 0, median: 0, p90: 0, max: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return {
    mean: xs.reduce((a, b) => a + b, 0) / xs.length,
    median: q(0.5),
    p90: q(0.9),
    max: s[s.length - 1]!,
  };
}

/** The tokenizer to count with: `explicit`, else the dataset's own, else the pre-training corpus's beside it. */
function findTokenizer(dir: string, explicit?: string): string | undefined {
  for (const p of [
    explicit,
    path.join(dir, "tokenizer.json"),
    path.join(dir, "..", "pictograms", "tokenizer.json"),
  ])
    if (p && fs.existsSync(p)) return p;
  return undefined;
}

function cacheStatus(dir: string): InspectReport["caches"] {
  const out: InspectReport["caches"] = [];
  for (const f of fs
    .readdirSync(dir)
    .filter((f) => /^cache-\d+\.bin$/.test(f))
    .sort()) {
    const file = path.join(dir, f);
    let status: string;
    try {
      const { header } = readCacheFile(file);
      const now = shardFingerprint(dir, header.decode).fingerprint;
      status =
        header.fingerprint === now
          ? `valid, ${header.n} samples @${header.size}px`
          : "stale (shards changed; rebuilt on next use)";
    } catch (e) {
      status = `invalid (${(e as Error).message.split(": ").slice(1).join(": ")}; rebuilt on next use)`;
    }
    out.push({ file, bytes: fs.statSync(file).size, status });
  }
  return out;
}

/**
 * The bad-sample record of whoever wrote `dir`: `clipdown data build` (its manifest) or `clipdown
 * shards` (the manifest it writes beside a user's shards); undefined when there is none.
 */
function writtenRecord(dir: string): InspectReport["bad"] {
  const m = readManifest(dir);
  if (m) return m.bad ? { ...m.bad, seen: m.seen, when: "build" } : undefined;
  try {
    const s = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8"));
    if (s?.createdBy !== "clipdown shards" || typeof s.seen !== "number" || typeof s.bad !== "object")
      return undefined;
    return { ...s.bad, seen: s.seen, when: "conversion" };
  } catch {
    // No conversion manifest (or not ours): the folder has no conversion report.
    return undefined;
  }
}

export async function inspectDataset(
  dir: string,
  opts: { tokenizer?: string; contextLength?: number } = {},
): Promise<InspectReport> {
  if (!fs.existsSync(dir)) throw new Error(`${dir} does not exist; build it with \`clipdown data build\``);
  const m = readManifest(dir);
  const readBad = new BadSamples();
  const bySource: Record<string, number> = {};
  const byNoise: Record<string, number> = {};
  const captions: string[] = [];
  // The rules training applies (samplePair, then a decode), so "bad now" counts what training would skip.
  const pending: Promise<void>[] = [];
  for await (const s of readShards(dir, { bad: readBad })) {
    const pair = samplePair(s, readBad);
    if (!pair) continue;
    const where = `${pair.shard}: ${pair.key}.${pair.imageExt}`;
    pending.push(
      decodeImage(pair.image, pair.imageExt, 8).then(
        () => {
          captions.push(pair.caption);
          const src = typeof pair.meta.source === "string" ? pair.meta.source : "(no source)";
          bySource[src] = (bySource[src] ?? 0) + 1;
          if (typeof pair.meta.noise === "string")
            byNoise[pair.meta.noise] = (byNoise[pair.meta.noise] ?? 0) + 1;
        },
        (e: unknown) => readBad.add(e instanceof ImageDecodeError ? e.reason : "corrupt-image", where),
      ),
    );
    if (pending.length >= 16) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  const words = lengthStats(captions.map((c) => c.split(/[\s,]+/).filter(Boolean).length));
  const tokPath = findTokenizer(dir, opts.tokenizer);
  let tokens: InspectReport["tokens"];
  if (tokPath) {
    const tok = BpeTokenizer.load(tokPath);
    const ctx = opts.contextLength ?? 16;
    // Content tokens (sot/eot excluded), before truncation.
    const lens = captions.map((c) => tok.tokenize(c).length);
    tokens = {
      ...lengthStats(lens),
      tokenizer: tokPath,
      contextLength: ctx,
      truncated: lens.filter((l) => l > ctx - 2).length,
    };
  }
  let quality: InspectReport["quality"];
  if (fs.existsSync(path.join(dir, QUALITY_FILE))) {
    const { file } = loadQualityScores(dir);
    const xs = file.scores.filter((x) => Number.isFinite(x));
    quality = {
      n: file.n,
      mean: xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length),
      min: Math.min(...xs),
      max: Math.max(...xs),
      scorer: JSON.stringify(file.scorer),
    };
  }
  const written = writtenRecord(dir);
  return {
    dir,
    ...(m
      ? {
          manifest: {
            name: m.name,
            role: m.role,
            samples: m.samples,
            contentHash: m.contentHash,
            ...(m.classes ? { classes: m.classes } : {}),
            licences: m.licences,
          },
        }
      : {}),
    samples: captions.length,
    bySource,
    ...(Object.keys(byNoise).length ? { byNoise } : {}),
    words,
    ...(tokens ? { tokens } : {}),
    ...(written ? { bad: written } : {}),
    readBad: readBad.toJSON(),
    caches: cacheStatus(dir),
    ...(quality ? { quality } : {}),
  };
}

const f1 = (x: number): string => x.toFixed(1);
const statLine = (s: LengthStats): string =>
  `mean ${f1(s.mean)}, median ${s.median}, p90 ${s.p90}, max ${s.max}`;

export function formatInspect(r: InspectReport): string {
  const lines: string[] = [`${r.dir}`];
  if (r.manifest) {
    lines.push(
      `  ${r.manifest.name} (${r.manifest.role}): ${r.manifest.samples} samples` +
        `${r.manifest.classes ? `, ${r.manifest.classes} classes` : ""}, ${r.manifest.contentHash}`,
    );
  } else lines.push("  no manifest.json (not built by clipdown data build)");
  lines.push(`  samples read from shards: ${r.samples}`, "  per source:");
  for (const [s, n] of Object.entries(r.bySource).sort((a, b) => b[1] - a[1]))
    lines.push(`    ${s.padEnd(16)} ${String(n).padStart(7)}   ${r.manifest?.licences[s] ?? ""}`);
  if (r.byNoise)
    lines.push(
      `  noise ground truth: ${Object.entries(r.byNoise)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ")}`,
    );
  lines.push(`  caption words:  ${statLine(r.words)}`);
  if (r.tokens)
    lines.push(
      `  caption tokens: ${statLine(r.tokens)} (${path.basename(path.dirname(r.tokens.tokenizer))}/tokenizer.json); ` +
        `${r.tokens.truncated} (${f1((100 * r.tokens.truncated) / Math.max(1, r.samples))}%) longer than context ${r.tokens.contextLength}`,
    );
  else lines.push("  caption tokens: no tokenizer.json found (pass --tokenizer)");
  if (r.bad) lines.push(BadSamples.fromJSON(r.bad).format(r.bad.seen, `  bad samples at ${r.bad.when}`));
  else
    lines.push("  bad samples when written: no record (no manifest.json from clipdown data build or shards)");
  lines.push(
    BadSamples.fromJSON(r.readBad).format(
      r.samples + r.readBad.total,
      "  bad samples now (read, caption and image decode checks, as training applies them)",
    ),
  );
  if (r.caches.length)
    for (const c of r.caches)
      lines.push(`  cache ${path.basename(c.file)}: ${(c.bytes / 1e6).toFixed(1)} MB, ${c.status}`);
  else lines.push("  cache: none yet (built on first use, or warm it with clipdown train / ensureCache)");
  if (r.quality)
    lines.push(
      `  quality.json: ${r.quality.n} scores, mean ${r.quality.mean.toFixed(3)} [${r.quality.min.toFixed(3)}, ${r.quality.max.toFixed(3)}] from ${r.quality.scorer}`,
    );
  return lines.join("\n");
}
