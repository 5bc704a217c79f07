/**
 * The `noise` run kind: a noise-injected copy of a clean corpus, written to `<run>/corpus/`, so a
 * quality filter (*Scaling (Down) CLIP* §4) can be scored against a known ground truth. Train specs
 * of the sweep name it as `data: "run:<hash>"` and repeat its `fraction` as their `noise` label.
 *
 * A spec can also take one side of a fixed seeded split of the source (`part`): `scorer` is a
 * held-in share that a scoring CLIP trains on (with `fraction: 0` it stays clean), `pool` is the
 * rest, the corpus that is corrupted, scored and filtered. The two never share a pair, so the
 * scorer ranks captions it has never seen (as an external CLIP does for web data). `limit` keeps a
 * prefix of the part in the split's seeded order (smaller limits nest in larger ones).
 *
 * Images are copied byte for byte, and the decoded cache (`cache-<imageSize>.bin`) is written from
 * the source's cache instead of decoding every image again (about 90 s for the whole corpus here).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureCache } from "../data/cache";
import { corpusIdentity } from "../data/corpus/identity";
import { injectNoise, NOISE_KINDS, type NoiseKind } from "../data/corpus/noise";
import { writeCacheFromSource, writeSubset } from "../data/corpus/subset";
import { readManifest } from "../data/corpus/write";
import { resolveShards } from "../data/webdataset";
import type { RunContext, RunKind, RunOutput } from "../sweep/kinds";
import type { Json, RunSpec } from "../sweep/spec";
import { permutation } from "../util/rng";
import { CORPUS_DIR } from "./train";

export const NOISE_PARTS = ["all", "scorer", "pool"] as const;
export type NoisePart = (typeof NOISE_PARTS)[number];

export interface NoiseSpec extends RunSpec {
  kind: "noise";
  /** Clean source corpus (WebDataset shards + manifest). */
  from: string;
  /** Fraction of the (part's) pairs whose caption is corrupted, in [0, 1). */
  fraction: number;
  /** Which pairs are corrupted and how. */
  seed: number;
  /** Relative weights of swap / truncate / generic; null = equal thirds. */
  mix: { [k: string]: number } | null;
  part: NoisePart;
  /** Share of the source that is the `scorer` part (the rest is `pool`); unused for `all`. */
  scorerShare: number;
  /** Seed of the scorer / pool split (the same for every run of a sweep). */
  splitSeed: number;
  /** Keep at most this many pairs of the part (0 = all). */
  limit: number;
  /** Resolution of the cache written beside the shards (the train runs' image size). */
  imageSize: number;
}

const DEFAULTS: Omit<NoiseSpec, "kind"> = {
  from: "data/pictograms",
  fraction: 0.5,
  seed: 0,
  mix: null,
  part: "all",
  scorerShare: 0.2,
  splitSeed: 0,
  limit: 0,
  imageSize: 32,
};

/** The decode options every cache of the project uses (ensureCache's defaults). */

/** Validates a raw noise spec and fills its defaults; errors name the field and what is allowed. */
export function normalizeNoiseSpec(raw: Record<string, unknown>): NoiseSpec {
  const out: Record<string, unknown> = { ...DEFAULTS };
  for (const [k, v] of Object.entries(raw)) {
    if (k === "kind") continue;
    if (!(k in DEFAULTS))
      throw new Error(`unknown noise spec field "${k}"; valid fields: ${Object.keys(DEFAULTS).join(", ")}`);
    out[k] = v;
  }
  const s = out as Omit<NoiseSpec, "kind">;
  if (typeof s.from !== "string" || !s.from) throw new Error(`noise: from must be a dataset folder`);
  if (typeof s.fraction !== "number" || !(s.fraction >= 0 && s.fraction < 1))
    throw new Error(`noise: fraction must be in [0, 1), got ${JSON.stringify(s.fraction)}`);
  for (const f of ["seed", "splitSeed", "limit"] as const)
    if (!Number.isInteger(s[f]) || (s[f] as number) < 0)
      throw new Error(`noise: ${f} must be an integer ≥ 0, got ${JSON.stringify(s[f])}`);
  const size = s.imageSize as number;
  if (!Number.isInteger(size) || size < 8 || size > 512)
    throw new Error(`noise: imageSize must be an integer in [8, 512], got ${JSON.stringify(s.imageSize)}`);
  if (!(NOISE_PARTS as readonly unknown[]).includes(s.part))
    throw new Error(`noise: part must be one of ${NOISE_PARTS.join(", ")}, got ${JSON.stringify(s.part)}`);
  if (typeof s.scorerShare !== "number" || !(s.scorerShare > 0 && s.scorerShare < 1))
    throw new Error(`noise: scorerShare must be in (0, 1), got ${JSON.stringify(s.scorerShare)}`);
  if (s.mix !== null) {
    if (typeof s.mix !== "object" || Array.isArray(s.mix))
      throw new Error(`noise: mix must be null or weights like {"swap": 1, "generic": 2}`);
    for (const [k, w] of Object.entries(s.mix)) {
      if (!(NOISE_KINDS as readonly string[]).includes(k))
        throw new Error(`noise: unknown mix kind "${k}"; valid: ${NOISE_KINDS.join(", ")}`);
      if (typeof w !== "number" || !(w >= 0)) throw new Error(`noise: mix weight of ${k} must be ≥ 0`);
    }
  }
  return { kind: "noise", ...s } as NoiseSpec;
}

/**
 * Indices (into `n` source pairs, ascending) of a part: a seeded permutation's first
 * round(n·share) are the scorer part, the rest the pool; `limit` keeps a prefix in permutation order.
 */
export function partIndices(
  n: number,
  spec: Pick<NoiseSpec, "part" | "scorerShare" | "splitSeed" | "limit">,
): Int32Array {
  const perm = permutation(n, spec.splitSeed);
  const k = Math.round(n * spec.scorerShare);
  let idx = spec.part === "all" ? perm : spec.part === "scorer" ? perm.subarray(0, k) : perm.subarray(k);
  if (spec.limit > 0 && spec.limit < idx.length) idx = idx.subarray(0, spec.limit);
  else if (spec.limit > idx.length)
    throw new Error(`noise: limit ${spec.limit} exceeds the ${idx.length} pairs of part "${spec.part}"`);
  return Int32Array.from(idx).sort();
}

export const noiseKind: RunKind = {
  name: "noise",
  normalize: normalizeNoiseSpec,
  needs: () => [],

  async execute(raw, ctx: RunContext): Promise<RunOutput> {
    const spec = raw as NoiseSpec;
    const source = await ensureCache(spec.from, spec.imageSize, { log: ctx.log });
    const corpus = path.join(ctx.dir, CORPUS_DIR);
    const partDir = path.join(ctx.dir, ".part");
    let from = spec.from;
    if (spec.part !== "all" || spec.limit > 0) {
      const idx = partIndices(source.n, spec);
      await writeSubset(spec.from, partDir, new Set(Array.from(idx, (i) => source.keys[i]!)), spec.part);
      from = partDir;
      ctx.log(`noise: part "${spec.part}" of ${spec.from}: ${idx.length} of ${source.n} pairs`);
    }
    const manifest = await injectNoise(from, corpus, {
      fraction: spec.fraction,
      seed: spec.seed,
      ...(spec.mix ? { mix: spec.mix as Partial<Record<NoiseKind, number>> } : {}),
      log: ctx.log,
    });
    fs.rmSync(partDir, { recursive: true, force: true });
    const cache = await writeCacheFromSource(corpus, source);
    const counts = (manifest.build.params.counts ?? {}) as Record<string, number>;
    const metrics: Record<string, number> = { pairs: cache.n, corrupted: cache.n - (counts.none ?? 0) };
    for (const k of NOISE_KINDS) metrics[k] = counts[k] ?? 0;
    // The built corpus it was derived from, so runs on this copy can name the corpus underneath.
    const base = corpusIdentity(spec.from as string);
    return {
      metrics,
      samples: 0,
      flops: 0,
      info: { contentHash: manifest.contentHash },
      ...(base ? { corpus: base } : {}),
    };
  },

  verify(dir) {
    const corpus = path.join(dir, CORPUS_DIR);
    const m = readManifest(corpus);
    if (!m) return `${CORPUS_DIR}/manifest.json is missing or unreadable`;
    let have: Set<string>;
    try {
      have = new Set(resolveShards(corpus).map((f) => path.basename(f)));
    } catch (e) {
      return `${CORPUS_DIR}: ${(e as Error).message}`;
    }
    for (const s of m.shards) {
      if (!have.has(s.name)) return `${CORPUS_DIR}/${s.name} is missing`;
      if (fs.statSync(path.join(corpus, s.name)).size !== s.bytes)
        return `${CORPUS_DIR}/${s.name} has the wrong size`;
    }
    return undefined;
  },

  discard(dir) {
    fs.rmSync(path.join(dir, CORPUS_DIR), { recursive: true, force: true });
  },

  // A stand-in in training-FLOP units: copying and re-caching ~30k pairs costs about 15 s here.
  cost: (spec) => 5e6 * ((spec.limit as number) || 30000),

  dataSource: (spec) => spec.from as string,

  describe(raw) {
    const s = raw as NoiseSpec;
    const out: Record<string, Json> = { data: s.from, part: s.part, noise: s.fraction };
    if (s.limit) out.limit = s.limit;
    return out;
  },
};
