/**
 * Noise injection: turns a clean corpus into a web-like one with a KNOWN fraction of bad captions, so
 * that a quality filter (CLIP-score ranking, *Scaling (Down) CLIP* §4) can be measured against ground
 * truth. Three corruptions, as found in alt-text scraped from the web:
 *
 * - `swap`: the caption of another, randomly chosen sample (a mismatched pair);
 * - `truncate`: one keyword of the sample's own caption (degraded, but not wrong);
 * - `generic`: a content-free phrase ("image", "icon", "picture of stuff", …).
 *
 * Exactly round(fraction · n) samples are corrupted, split between the kinds by `mix` (largest
 * remainder, so counts are exact); which ones is a seeded choice. Images are copied byte for byte;
 * each sample's json gains `noise` ("none" | kind) and, when corrupted, `cleanCaption`.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { mulberry32, permutation } from "../../util/rng";
import { BadSamples } from "../bad-samples";
import { writeFileAtomic } from "../tar";
import { readShards, ShardWriter } from "../webdataset";
import { type DatasetManifest, MANIFEST_FORMAT, readManifest } from "./write";

/** The corruptions, in the order `assignNoise` hands them out. */
export const NOISE_KINDS = ["swap", "truncate", "generic"] as const;
export type NoiseKind = (typeof NOISE_KINDS)[number];
/** Ground truth stored in each sample's json: "none" for a clean pair. */
export type NoiseLabel = NoiseKind | "none";

/** Content-free captions for the `generic` corruption (typical alt-text of scraped images). */
export const GENERIC_PHRASES = [
  "image",
  "icon",
  "picture",
  "picture of stuff",
  "photo",
  "clipart",
  "graphic",
  "untitled",
  "img",
  "drawing",
  "stock image",
  "click here",
];

export interface NoiseOptions {
  /** Fraction of samples to corrupt, in [0, 1]. */
  fraction: number;
  seed: number;
  /** Relative weights of the corruptions (default equal thirds). */
  mix?: Partial<Record<NoiseKind, number>>;
  samplesPerShard?: number;
  log?: (line: string) => void;
}

/** Splits `k` into integer counts proportional to `weights` (largest remainder; ties to the earlier kind). */
export function apportion(k: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (!(sum > 0) || weights.some((w) => !(w >= 0)))
    throw new Error(`noise mix weights must be ≥ 0 with a positive sum, got ${weights.join(", ")}`);
  const exact = weights.map((w) => (k * w) / sum);
  const out = exact.map(Math.floor);
  const order = exact
    .map((e, i) => [e - Math.floor(e), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let r = k - out.reduce((a, b) => a + b, 0), j = 0; r > 0; r--, j++) out[order[j]![1]]!++;
  return out;
}

/**
 * Which sample gets which label: a seeded permutation's first round(fraction·n) indices are corrupted,
 * the first block of them by the first kind of the mix, and so on.
 */
export function assignNoise(n: number, opts: Pick<NoiseOptions, "fraction" | "seed" | "mix">): NoiseLabel[] {
  if (!(opts.fraction >= 0 && opts.fraction <= 1))
    throw new Error(`noise fraction must be in [0, 1], got ${opts.fraction}`);
  for (const k of Object.keys(opts.mix ?? {}))
    if (!(NOISE_KINDS as readonly string[]).includes(k))
      throw new Error(`unknown noise kind "${k}"; valid: ${NOISE_KINDS.join(", ")}`);
  const weights = NOISE_KINDS.map((k) => opts.mix?.[k] ?? (opts.mix ? 0 : 1));
  const counts = apportion(Math.round(opts.fraction * n), weights);
  const labels: NoiseLabel[] = new Array(n).fill("none");
  const perm = permutation(n, opts.seed);
  let at = 0;
  NOISE_KINDS.forEach((kind, c) => {
    for (let j = 0; j < counts[c]!; j++) labels[perm[at++]!] = kind;
  });
  return labels;
}

/** The parts of a caption a truncation can keep: its keywords, or the name's words when it has none. */
function keywordsOf(caption: string, meta: Record<string, unknown>): string[] {
  const tags = Array.isArray(meta.tags)
    ? meta.tags.filter((t): t is string => typeof t === "string" && t.trim() !== "")
    : [];
  if (tags.length) return tags;
  const parts = caption
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length > 1) return parts.slice(1);
  return caption.split(/\s+/).filter(Boolean);
}

/** The corrupted caption for sample `i` (deterministic given the rng state). */
export function corruptCaption(
  kind: NoiseKind,
  i: number,
  captions: readonly string[],
  metas: readonly Record<string, unknown>[],
  rng: () => number,
): string {
  if (kind === "generic") return GENERIC_PHRASES[Math.floor(rng() * GENERIC_PHRASES.length)]!;
  if (kind === "truncate") {
    const kw = keywordsOf(captions[i]!, metas[i]!);
    return kw[Math.floor(rng() * kw.length)]!;
  }
  // swap: another sample's caption that differs from this one (skin-tone variants share captions).
  for (let tries = 0; tries < 100; tries++) {
    const j = Math.floor(rng() * captions.length);
    if (j !== i && captions[j] !== captions[i]) return captions[j]!;
  }
  throw new Error("noise: cannot find a different caption to swap in (all captions identical?)");
}

/**
 * Writes a noisy copy of the dataset in `from` to `out` (shards, manifest.json with the noise counts,
 * and the source's tokenizer.json / classes.json so it trains and evaluates like the original).
 */
export async function injectNoise(from: string, out: string, opts: NoiseOptions): Promise<DatasetManifest> {
  const log = opts.log ?? (() => {});
  if (path.resolve(from) === path.resolve(out))
    throw new Error(`noise: --out must differ from --from (${from})`);
  const src = readManifest(from);
  const bad = new BadSamples();
  // Pass 1: captions and metadata only (images stay on disk).
  const keys: string[] = [];
  const captions: string[] = [];
  const metas: Record<string, unknown>[] = [];
  for await (const s of readShards(from, { bad })) {
    keys.push(s.key);
    captions.push((s.files.txt ?? Buffer.alloc(0)).toString("utf8").trim());
    metas.push(s.files.json ? (JSON.parse(s.files.json.toString("utf8")) as Record<string, unknown>) : {});
  }
  const n = keys.length;
  const labels = assignNoise(n, opts);
  const rng = mulberry32(opts.seed ^ 0x5eed);
  const noisy = labels.map((l, i) =>
    l === "none" ? captions[i]! : corruptCaption(l, i, captions, metas, rng),
  );

  // Pass 2: copy every sample with its (possibly corrupted) caption and the ground truth.
  const parent = path.dirname(path.resolve(out));
  fs.mkdirSync(parent, { recursive: true });
  const tmp = path.join(parent, `.${path.basename(out)}.tmp-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  const writer = new ShardWriter({ dir: tmp, samplesPerShard: opts.samplesPerShard ?? 1000, bad });
  let i = 0;
  for await (const s of readShards(from, { bad: new BadSamples() })) {
    if (s.key !== keys[i])
      throw new Error(`noise: ${from} changed while reading (sample ${i} is ${s.key}, was ${keys[i]})`);
    const meta = {
      ...metas[i],
      noise: labels[i],
      ...(labels[i] !== "none" ? { cleanCaption: captions[i] } : {}),
    };
    const files: Record<string, Buffer> = {
      ...s.files,
      txt: Buffer.from(noisy[i]!, "utf8"),
      json: Buffer.from(JSON.stringify(meta)),
    };
    writer.write({ key: s.key, files });
    i++;
  }
  const { shards } = await writer.close();
  const files: DatasetManifest["files"] = [];
  for (const extra of ["tokenizer.json", "classes.json"]) {
    const p = path.join(from, extra);
    if (!fs.existsSync(p)) continue;
    const b = fs.readFileSync(p);
    fs.writeFileSync(path.join(tmp, extra), b);
    files.push({ name: extra, bytes: b.length, sha256: createHash("sha256").update(b).digest("hex") });
  }
  const shardInfo = shards.map((f) => {
    const b = fs.readFileSync(f);
    return { name: path.basename(f), bytes: b.length, sha256: createHash("sha256").update(b).digest("hex") };
  });
  const h = createHash("sha256");
  for (const f of [...shardInfo, ...files]) h.update(`${f.name}\0${f.sha256}\n`);
  const counts: Record<string, number> = {};
  for (const l of labels) counts[l] = (counts[l] ?? 0) + 1;
  const params = {
    from: path.resolve(from),
    fraction: opts.fraction,
    seed: opts.seed,
    mix: opts.mix ?? null,
    counts,
  };
  const manifest: DatasetManifest = {
    format: MANIFEST_FORMAT,
    name: path.basename(out),
    role: src?.role ?? "pre-training",
    description: `${src?.name ?? from} with ${counts.swap ?? 0} swapped, ${counts.truncate ?? 0} truncated and ${counts.generic ?? 0} generic captions (clipdown data noise)`,
    samples: n,
    imageSize: src?.imageSize ?? 0,
    ...(src?.classes ? { classes: src.classes } : {}),
    sources: src?.sources ?? {},
    licences: src?.licences ?? {},
    shards: shardInfo,
    files,
    build: {
      builder: src?.build.builder ?? 0,
      fingerprint: createHash("sha256")
        .update(JSON.stringify({ src: src?.contentHash, params }))
        .digest("hex"),
      params: { ...params, from: src?.name ?? from },
      inputs: { source: src?.contentHash ?? "unknown" },
      samplesPerShard: opts.samplesPerShard ?? 1000,
    },
    seen: n + bad.total,
    bad: bad.toJSON(),
    contentHash: `sha256:${h.digest("hex")}`,
  };
  writeFileAtomic(path.join(tmp, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  const old = path.join(parent, `.${path.basename(out)}.old-${process.pid}`);
  if (fs.existsSync(out)) fs.renameSync(out, old);
  fs.renameSync(tmp, out);
  fs.rmSync(old, { recursive: true, force: true });
  log(`noise: ${out}: ${n} samples, ${JSON.stringify(counts)}`);
  return manifest;
}
