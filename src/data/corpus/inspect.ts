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
import { loadQualityScores, QUALITY_FILE } from "../quality";
import { readShards } from "../webdataset";
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
  bad: ReturnType<BadSamples["toJSON"]> & { seen: number };
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
  for await (const s of readShards(dir, { bad: readBad })) {
    const caption = s.files.txt?.toString("utf8") ?? "";
    captions.push(caption);
    let meta: Record<string, unknown> = {};
    try {
      meta = s.files.json ? JSON.parse(s.files.json.toString("utf8")) : {};
    } catch {
      readBad.add("corrupt-json", s.key);
    }
    const src = typeof meta.source === "string" ? meta.source : "(no source)";
    bySource[src] = (bySource[src] ?? 0) + 1;
    if (typeof meta.noise === "string") byNoise[meta.noise] = (byNoise[meta.noise] ?? 0) + 1;
  }
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
    bad: { ...(m?.bad ?? { total: 0, counts: {}, examples: {} }), seen: m?.seen ?? captions.length },
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
  lines.push(BadSamples.fromJSON(r.bad).format(r.bad.seen, "  bad samples at build"));
  if (r.readBad.total)
    lines.push(BadSamples.fromJSON(r.readBad).format(r.samples + r.readBad.total, "  bad samples now"));
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
