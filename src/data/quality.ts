/**
 * Data quality, as in *Scaling (Down) CLIP* §4: pairs are ranked by an image–text similarity score
 * and only the top 20/40/60/80 % are kept. This file holds the parts that need no model:
 *
 * - per-sample scores stored beside a dataset (`<dir>/quality.json`, keyed by sample key) and loaded
 *   aligned to a cache's order (`qualityScoresFor`);
 * - `topFractionIndices`: the top-k % selection;
 * - precision / recall of a selection against the ground truth that noise injection
 *   (`corpus/noise.ts`, re-exported here) records in each sample's json.
 *
 * The scorer itself (a trained clipdown model's image–text cosine) is `src/eval/clip-score.ts`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { NoiseLabel } from "./corpus/noise";
import { writeFileAtomic } from "./tar";

// Noise injection (the ground truth a selection is measured against) lives with the corpus builder.
export { GENERIC_PHRASES, injectNoise, NOISE_KINDS, type NoiseKind, type NoiseLabel } from "./corpus/noise";

export const QUALITY_FILE = "quality.json";
const FORMAT = "clipdown-quality";

/** What produced the scores (recorded so a selection can be traced to its model). */
export interface ScorerInfo {
  kind: string;
  [k: string]: unknown;
}

/** The stored form of `quality.json`. */
export interface QualityFile {
  format: typeof FORMAT;
  version: 1;
  /** The dataset's manifest contentHash when scored: a rebuilt dataset makes the scores stale. */
  contentHash?: string;
  scorer: ScorerInfo;
  n: number;
  keys: string[];
  scores: number[];
}

/** Writes `<dir>/quality.json` atomically. */
export function writeQualityScores(
  dir: string,
  keys: readonly string[],
  scores: ArrayLike<number>,
  scorer: ScorerInfo,
  contentHash?: string,
): string {
  if (keys.length !== scores.length)
    throw new Error(`writeQualityScores: ${keys.length} keys but ${scores.length} scores`);
  const file: QualityFile = {
    format: FORMAT,
    version: 1,
    ...(contentHash ? { contentHash } : {}),
    scorer,
    n: keys.length,
    keys: [...keys],
    scores: Array.from(scores, (s) => (Number.isFinite(s) ? Math.round(s * 1e6) / 1e6 : Number.NaN)),
  };
  const out = path.join(dir, QUALITY_FILE);
  writeFileAtomic(out, `${JSON.stringify(file)}\n`);
  return out;
}

/** Reads `<dir>/quality.json` into key → score. */
export function loadQualityScores(dir: string): { scores: Map<string, number>; file: QualityFile } {
  const p = path.join(dir, QUALITY_FILE);
  let raw: QualityFile;
  try {
    raw = JSON.parse(fs.readFileSync(p, "utf8")) as QualityFile;
  } catch (e) {
    throw new Error(
      `${p}: no quality scores (${(e as Error).message.split("\n")[0]}); compute them with ` +
        `\`clipdown data score --data ${dir} --checkpoint runs/<run>/final.safetensors\``,
    );
  }
  if (
    raw.format !== FORMAT ||
    !Array.isArray(raw.keys) ||
    !Array.isArray(raw.scores) ||
    raw.keys.length !== raw.scores.length
  )
    throw new Error(`${p}: not a clipdown quality file (format ${JSON.stringify(raw.format)})`);
  const scores = new Map<string, number>();
  raw.keys.forEach((k, i) => {
    const s = raw.scores[i];
    scores.set(k, typeof s === "number" ? s : Number.NaN);
  });
  return { scores, file: raw };
}

/**
 * Scores aligned to `keys` (e.g. a cache's keys). Every key must have a score: a dataset rebuilt or
 * extended since scoring is an error that says to score again.
 */
export function qualityScoresFor(dir: string, keys: readonly string[]): Float64Array {
  const { scores } = loadQualityScores(dir);
  const out = new Float64Array(keys.length);
  let missing = 0;
  let example = "";
  keys.forEach((k, i) => {
    const s = scores.get(k);
    if (s === undefined) {
      missing++;
      example ||= k;
      out[i] = Number.NaN;
    } else out[i] = s;
  });
  if (missing)
    throw new Error(
      `${path.join(dir, QUALITY_FILE)}: ${missing} of ${keys.length} samples have no score (e.g. ${example}); ` +
        "the dataset changed since scoring: run `clipdown data score` again",
    );
  return out;
}

/**
 * Indices of the top `pct` % of samples by score (highest first in the ranking, ties broken by the
 * smaller index, NaN ranked last), returned in ascending index order. Keeps round(n·pct/100) samples,
 * at least one when pct > 0.
 * @example topFractionIndices([0.1, 0.9, 0.5, 0.7], 50) // Int32Array [1, 3]
 */
export function topFractionIndices(scores: ArrayLike<number>, pct: number): Int32Array {
  if (!(pct >= 0 && pct <= 100)) throw new Error(`topFractionIndices: pct must be in [0, 100], got ${pct}`);
  const n = scores.length;
  const k = pct === 0 ? 0 : Math.max(1, Math.min(n, Math.round((n * pct) / 100)));
  const key = (i: number): number => {
    const s = scores[i]!;
    return Number.isNaN(s) ? Number.NEGATIVE_INFINITY : s;
  };
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => key(b) - key(a) || a - b);
  return Int32Array.from(order.slice(0, k)).sort();
}

export interface SelectionReport {
  selected: number;
  total: number;
  /** Clean pairs in the whole set (noise = "none"). */
  clean: number;
  /** Clean pairs among the selected. */
  cleanSelected: number;
  /** cleanSelected / selected: how pure the kept set is. */
  precision: number;
  /** cleanSelected / clean: how much of the clean data was kept. */
  recall: number;
  /** clean / total: the precision of a random selection of the same size. */
  baselinePrecision: number;
  /** Per noise label: how many there are and the fraction of them the selection kept. */
  kept: Record<string, { total: number; kept: number; rate: number }>;
}

/** Precision / recall of a selection against per-sample noise labels ("none" = a clean pair). */
export function selectionReport(selected: ArrayLike<number>, labels: readonly NoiseLabel[]): SelectionReport {
  const total = labels.length;
  const isSel = new Uint8Array(total);
  for (let i = 0; i < selected.length; i++) {
    const j = selected[i]!;
    if (!(j >= 0 && j < total)) throw new Error(`selectionReport: index ${j} outside [0, ${total})`);
    isSel[j] = 1;
  }
  const kept: SelectionReport["kept"] = {};
  for (let i = 0; i < total; i++) {
    const label = labels[i]!;
    const k = kept[label] ?? { total: 0, kept: 0, rate: 0 };
    kept[label] = k;
    k.total++;
    k.kept += isSel[i]!;
  }
  for (const k of Object.values(kept)) k.rate = k.total ? k.kept / k.total : 0;
  let nSel = 0;
  for (let i = 0; i < total; i++) nSel += isSel[i]!;
  const clean = kept.none?.total ?? 0;
  const cleanSelected = kept.none?.kept ?? 0;
  return {
    selected: nSel,
    total,
    clean,
    cleanSelected,
    precision: nSel ? cleanSelected / nSel : 0,
    recall: clean ? cleanSelected / clean : 0,
    baselinePrecision: total ? clean / total : 0,
    kept,
  };
}
