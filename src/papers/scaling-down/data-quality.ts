/**
 * *Scaling (Down) CLIP* §4, data quality (Fig. 5, 7; papers.md A.2, findings D1–D3): rank the
 * pre-training pairs by image–text similarity, keep the top 20/40/60/80 % and compare with 100 %,
 * once at one epoch (samples seen = pairs kept) and once at equal samples seen.
 *
 * WebLI's noise is unknown; ours is injected, so the filter can be checked against ground truth:
 *
 *   noise(scorer part, clean) → train scorer CLIP ─┐
 *   noise(pool part, fraction f) ──────────────────┴→ score (quality.json + selection precision)
 *                                                      → train top-k % × {one epoch, equal samples}
 *
 * The scorer trains on a held-in share of the corpus that the pool never contains, so it ranks
 * captions it has not seen, like the external CLIP that filters web data (the paper does not name
 * its scoring model). Every train run evaluates zero-shot on emoji-441 and retrieval on Noto.
 */
import { noiseKind } from "../../runs/noise";
import { normalizeTrainSpec } from "../../runs/train";
import { labelOf } from "../../sweep/results";
import { type RunSpec, specHash } from "../../sweep/spec";
import type { LabelledRun, Profile, Section, SweepDef } from "../../sweep/sweep";
import { CHOSEN_RECIPE } from "../clipdown/recipe";

export const SECTION = "data-quality";

/** The filter levels of Fig. 5 / 7 (100 = no filtering). */
export const QUALITY_LEVELS = [20, 40, 60, 80, 100] as const;

export interface QualityProfile {
  /** Image tower of the filtered runs (the paper: ViT-B/32) and of the scorer. */
  model: string;
  scorerModel: string;
  /** Pairs of the noisy pool (> 0: the one-epoch budgets follow from it) and of the clean scorer share (0 = all of it). */
  poolLimit: number;
  scorerLimit: number;
  /** Samples the scorer trains for. */
  scorerSamples: number;
  /** Fraction of the pool's captions corrupted. */
  noise: number;
  /** Passes over the pairs kept in the "one epoch" regime (1 = the paper's; see notes). */
  epochs: number;
  batch: number;
  lr: number;
  warmup: number;
  evalSize: number;
  seeds: number[];
  /**
   * Train on the measured recipe (captions `mix`, the 64 × 2 text tower, wd 0.1) and evaluate the
   * primary benchmark (noto-nouns) and retrieval; false: the stored captions and the preset's tower.
   */
  recipe?: boolean;
}

/** Share of the corpus held in for the scorer (the pool is the rest). */
const SCORER_SHARE = 0.2;
const FROM = "data/pictograms";

export const PROFILES: Record<Profile, QualityProfile> = {
  smoke: {
    model: "nano",
    scorerModel: "nano",
    poolLimit: 320,
    scorerLimit: 256,
    scorerSamples: 512,
    noise: 0.5,
    epochs: 1,
    batch: 32,
    lr: 1e-3,
    warmup: 2,
    evalSize: 32,
    seeds: [0],
  },
  // On the recipe (results/recipe.jsonl): a 24,000-pair pool (the whole pool, on a corpus built
  // with or without openclipart-svg), 4 passes over the pairs kept in the "one epoch" regime (one
  // pass is 94 steps at batch 256), and the 100 % run's 96,000 samples for equal samples seen.
  quick: {
    model: "vit-ti/8",
    scorerModel: "vit-ti/8",
    poolLimit: 24_000,
    scorerLimit: 0,
    scorerSamples: 102_400,
    noise: 0.5,
    epochs: 4,
    batch: 256,
    lr: 1e-3,
    warmup: 40,
    evalSize: 400,
    seeds: [0],
    recipe: true,
  },
  // quick with 8 passes (192,000 samples at equal samples seen) and 3 seeds.
  full: {
    model: "vit-ti/8",
    scorerModel: "vit-ti/8",
    poolLimit: 24_000,
    scorerLimit: 0,
    scorerSamples: 102_400,
    noise: 0.5,
    epochs: 8,
    batch: 256,
    lr: 1e-3,
    warmup: 75,
    evalSize: 400,
    seeds: [0, 1, 2],
    recipe: true,
  },
};

export const NOTES = `Size mapping (papers.md A.2): the paper filters WebLI's 3.4B pairs with a CLIP-score ranking and
trains ViT-B/32 + B text tower at one epoch (3.4B × k %) and at equal samples seen (3.4B). Here the
corpus is data/pictograms (32.7k pairs): ${SCORER_SHARE * 100} % is held in, clean, to train the scoring CLIP (${PROFILES.full.scorerSamples.toLocaleString("en")} samples),
and ${PROFILES.full.poolLimit.toLocaleString("en")} pairs of the rest (the pool) get ${PROFILES.full.noise * 100} % of their captions corrupted (swap / truncate /
generic, ground truth kept), standing in for web alt-text noise. 3.4B pairs ↔ the pool; ViT-B/32 ↔
vit-ti/8 at 32 px, trained on the recipe (captions "mix", text tower 64 × 2, batch 256). "One epoch"
= samples seen ∝ pairs kept: ${PROFILES.quick.epochs} passes in quick, ${PROFILES.full.epochs} in full (one pass over 24k pairs is 94 steps, too few to learn);
"equal samples" = every level trained for the 100 % run's samples (quick ${(PROFILES.quick.poolLimit * PROFILES.quick.epochs).toLocaleString("en")}, full ${(PROFILES.full.poolLimit * PROFILES.full.epochs).toLocaleString("en")}).
ImageNet zero-shot ↔ noto-nouns mean per-class recall (chance 2 %); COCO R@1 ↔ Noto caption retrieval
R@1 among 400.`;

/** Rounded to whole batches, at least one. */
function wholeBatches(samples: number, batch: number): number {
  return Math.max(batch, Math.round(samples / batch) * batch);
}

/** The pairs kept at `pct` % of `n` (topFractionIndices' count). */
export function keptPairs(n: number, pct: number): number {
  return Math.max(1, Math.min(n, Math.round((n * pct) / 100)));
}

function buildQuality(profile: Profile): SweepDef {
  const p = PROFILES[profile];
  const hashOf = (raw: Record<string, unknown>): string =>
    specHash((raw.kind === "noise" ? noiseKind.normalize(raw) : normalizeTrainSpec(raw)) as RunSpec);
  const base = { from: FROM, scorerShare: SCORER_SHARE, splitSeed: 0, imageSize: 32 };
  const scorerCorpus = { kind: "noise", ...base, part: "scorer", fraction: 0, seed: 0, limit: p.scorerLimit };
  const pool = { kind: "noise", ...base, part: "pool", fraction: p.noise, seed: 0, limit: p.poolLimit };
  const common = {
    strategy: "clip",
    batch: p.batch,
    lr: p.lr,
    evalSize: p.evalSize,
    eval: p.recipe ? ["heldout", "zeroshot:noto-nouns"] : ["heldout"],
    imageSize: 32,
  };
  // The recipe's caption sampling and text tower; the smoke profile keeps the stored captions.
  const text = p.recipe
    ? {
        captions: CHOSEN_RECIPE.captions,
        textWidth: CHOSEN_RECIPE.textWidth,
        textDepth: CHOSEN_RECIPE.textDepth,
        wd: CHOSEN_RECIPE.wd,
      }
    : { captions: "full", textWidth: 0, textDepth: 0 };
  const scorer = {
    kind: "train",
    ...text,
    ...common,
    model: p.scorerModel,
    data: `run:${hashOf(scorerCorpus)}`,
    noise: 0,
    samples: wholeBatches(p.scorerSamples, p.batch),
    // The recipe warms up over a tenth of the steps.
    warmup: p.recipe
      ? Math.max(1, Math.round(wholeBatches(p.scorerSamples, p.batch) / p.batch / 10))
      : p.warmup,
    seed: 0,
  };
  const score = { kind: "score", data: `run:${hashOf(pool)}`, scorer: hashOf(scorer) };
  const scoreHash = specHash(score as unknown as RunSpec);
  // The pool's size is its limit: the one-epoch budgets are computed from it before anything runs.
  const n = p.poolLimit;
  const runs: Array<Record<string, unknown> | LabelledRun> = [scorerCorpus, pool, scorer, score];
  const equal = wholeBatches(n * p.epochs, p.batch);
  for (const seed of p.seeds) {
    for (const pct of QUALITY_LEVELS) {
      const filter = pct < 100 ? { qualityTop: pct, scores: scoreHash } : {};
      const oneEpoch = wholeBatches(keptPairs(n, pct) * p.epochs, p.batch);
      // The 100 % run is both regimes' point: listed twice, it is one run with both labels.
      for (const [regime, samples] of [
        ["one-epoch", oneEpoch],
        ["equal", equal],
      ] as const) {
        const steps = samples / p.batch;
        const spec = {
          kind: "train",
          ...text,
          ...common,
          model: p.model,
          data: `run:${hashOf(pool)}`,
          noise: p.noise,
          ...filter,
          samples,
          // Short runs (top-20 % at one epoch) warm up over at most a tenth of their steps.
          warmup: Math.min(p.warmup, Math.floor(steps / 10)),
          seed,
        };
        runs.push({ spec, labels: { level: String(pct), regime } });
      }
    }
  }
  return { section: SECTION, profile, runs, notes: NOTES };
}

export const dataQualitySection: Section = {
  name: SECTION,
  title: "Data quality: top-k % by CLIP score on a noise-injected corpus (Fig. 5, 7)",
  build: buildQuality,
};

/** How a train line of this section was trained: its filter level and regime(s). */
export interface QualityRun {
  pct: number;
  /** "one-epoch": samples ∝ pairs kept; "equal": the 100 % run's samples; 100 % is both. */
  regimes: Array<"one-epoch" | "equal">;
}

/**
 * A filtered train run's level and regime(s), from the labels the sweep gives it beside the spec
 * (`level`, `regime`; the 100 % run is in both regimes); undefined for the other runs (noise copies,
 * scorer, scores) and for lines the current sweep did not label.
 */
export function qualityRunOf(line: { labels?: Record<string, string[]> }): QualityRun | undefined {
  const level = labelOf(line, "level");
  const regimes = (line.labels?.regime ?? []).filter(
    (x): x is "one-epoch" | "equal" => x === "one-epoch" || x === "equal",
  );
  return level === undefined || !regimes.length ? undefined : { pct: Number(level), regimes };
}
