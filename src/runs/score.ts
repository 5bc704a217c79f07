/**
 * The `score` run kind: CLIP-scores every pair of a corpus with the final checkpoint of a `train`
 * run of the same sweep and writes `<run>/quality.json` (src/data/quality.ts), the ranking that
 * train specs with `qualityTop < 100` select from (`scores: <this run's hash>`).
 *
 * When the corpus carries noise ground truth (`noise` in each sample's json, written by a `noise`
 * run), the run also measures the ranking: precision / recall of the top 10 … 90 % against the
 * clean pairs, and the ROC AUC of the score separating clean from corrupted pairs (overall and per
 * corruption kind). Those land in the run's metrics and, with every pair's label, in
 * `<run>/selection.json` for the notebook's histograms.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureCache } from "../data/cache";
import { readManifest } from "../data/corpus/write";
import { QUALITY_FILE, writeQualityScores } from "../data/quality";
import { rankingQuality } from "../eval/ranking";
import { writeJsonAtomic } from "../sweep/atomic";
import type { RunContext, RunKind, RunOutput } from "../sweep/kinds";
import { isHash, isRunRef, type Json, RUN_REF, type RunSpec, refHash } from "../sweep/spec";
import { resolveData } from "./train";

export interface ScoreSpec extends RunSpec {
  kind: "score";
  /** The corpus to score: a path or `run:<hash>` of a noise run. */
  data: string;
  /** Hash of the train run whose final checkpoint scores the pairs. */
  scorer: string;
}

/** Top-k % levels the selection report covers. */
export const SELECTION_FILE = "selection.json";

export function normalizeScoreSpec(raw: Record<string, unknown>): ScoreSpec {
  for (const k of Object.keys(raw))
    if (!["kind", "data", "scorer"].includes(k))
      throw new Error(`unknown score spec field "${k}"; valid fields: data, scorer`);
  const { data, scorer } = raw;
  if (typeof data !== "string" || !data || (data.startsWith(RUN_REF) && !isRunRef(data)))
    throw new Error(
      `score: data must be a dataset folder or run:<hash of a noise run>, got ${JSON.stringify(data)}`,
    );
  if (!isHash(scorer))
    throw new Error(
      `score: scorer must be the hash of a train run of the same sweep, got ${JSON.stringify(scorer)}`,
    );
  return { kind: "score", data, scorer };
}

export const scoreKind: RunKind = {
  name: "score",
  normalize: normalizeScoreSpec,
  needs: (spec) => [...(isRunRef(spec.data) ? [refHash(spec.data)] : []), spec.scorer as string],

  async execute(raw, ctx: RunContext): Promise<RunOutput> {
    const spec = raw as ScoreSpec;
    const data = resolveData(spec.data, ctx.depDir);
    const checkpoint = path.join(ctx.depDir(spec.scorer), "final.safetensors");
    const { loadScorer, clipScores } = await import("../eval/clip-score");
    // The scorer's own tokenizer is the one its weights were trained with; the corpus' is a fallback.
    const scorerTok = (() => {
      try {
        const cfg = JSON.parse(fs.readFileSync(path.join(ctx.depDir(spec.scorer), "config.json"), "utf8"));
        const p = path.join(String(cfg.data), "tokenizer.json");
        return fs.existsSync(p) ? p : undefined;
      } catch {
        // The scorer run has no readable config: score with the corpus's own tokenizer.
        return undefined;
      }
    })();
    const scorer = await loadScorer(checkpoint, scorerTok ?? path.join(data, "tokenizer.json"));
    try {
      const cache = await ensureCache(data, scorer.imageSize, { log: ctx.log });
      const t0 = Date.now();
      const scores = await clipScores(
        scorer.model,
        scorer.tokenizer,
        cache.images,
        cache.captions,
        cache.size,
        scorer.contextLength,
      );
      ctx.log(`score: ${cache.n} pairs of ${data} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      writeQualityScores(
        ctx.dir,
        cache.keys,
        scores,
        { ...scorer.info, scorerRun: spec.scorer },
        readManifest(data)?.contentHash,
      );
      let mean = 0;
      for (const s of scores) mean += s / scores.length;
      const metrics: Record<string, number> = { pairs: cache.n, mean_score: mean };
      const labels = cache.meta.map((m) => (typeof m.noise === "string" ? m.noise : ""));
      if (labels.every((l) => l)) {
        const q = rankingQuality(scores, labels);
        Object.assign(metrics, q.metrics);
        writeJsonAtomic(path.join(ctx.dir, SELECTION_FILE), {
          levels: q.levels,
          keys: cache.keys,
          labels,
        } as unknown as Json);
      } else ctx.log("score: no noise ground truth in this corpus; no selection report");
      return { metrics, samples: 0, flops: 0, info: { checkpoint, model: scorer.info.model } };
    } finally {
      scorer.model.dispose();
    }
  },

  verify(dir) {
    const f = path.join(dir, QUALITY_FILE);
    if (!fs.existsSync(f)) return `${QUALITY_FILE} is missing`;
    try {
      const q = JSON.parse(fs.readFileSync(f, "utf8")) as { keys?: unknown[]; scores?: unknown[] };
      if (!Array.isArray(q.keys) || q.keys.length !== q.scores?.length) return `${QUALITY_FILE} is malformed`;
    } catch (e) {
      return `${QUALITY_FILE}: ${(e as Error).message}`;
    }
    return undefined;
  },

  discard(dir) {
    for (const f of [QUALITY_FILE, SELECTION_FILE]) fs.rmSync(path.join(dir, f), { force: true });
  },

  // A stand-in in training-FLOP units: one forward pass over the corpus.
  cost: () => 1e11,

  dataSource: (spec) => spec.data as string,

  describe(raw) {
    const s = raw as ScoreSpec;
    return { data: s.data, scorer: s.scorer };
  },
};
