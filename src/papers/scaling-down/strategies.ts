/**
 * Training strategies (Scaling (Down) CLIP, Sec. 7; papers.md A.5, C; findings D 11–13): CLIP, SLIP,
 * FLIP and CLIP + data augmentation compared
 *  - at equal samples seen in the one-epoch regime (samples seen = subset size; Fig. 16a, 18),
 *  - at equal training FLOPs (FLOPs per sample from each strategy's `trainFlopsPerSample`; Fig. 16b),
 *  - over many epochs on a small subset at fixed samples seen (Fig. 17, 19; the augmentation sign
 *    flip of Fig. 1b / 16a), where CLIP+Aug also runs with RandAugment and stacked RandAugment.
 *
 * Every run of one profile shares model, batch, schedule and seed; only the strategy (and its
 * options), the subset and the samples seen vary. `variantOf(spec)` names a run's strategy the way
 * figures and findings group it ("clip", "slip", "flip-50", "clip-aug:crop-flip", ...).
 *
 * @example
 * ```sh
 * npx clipdown sweep strategies --profile smoke      # 4 runs, one per strategy, < 1 min
 * npx clipdown sweep strategies --profile quick --jobs 1
 * ```
 */
import { specFlopsPerSample } from "../../runs/train";
import type { StrategyOptions } from "../../strategies";
import { labelOf } from "../../sweep/results";
import type { LabelledRun, Profile, Section, SweepDef } from "../../sweep/sweep";
import { CHOSEN_RECIPE } from "../clipdown/recipe";
import { PICTOGRAM_PAIRS } from "../corpus";

/** One strategy as the section runs it: a label, the strategy name and its options. */
export interface StrategyVariant {
  label: string;
  strategy: string;
  options: { augment?: string; maskRatio?: number };
}

/** The four strategies of the paper's Sec. 7 (CLIP+Aug with crop & flip as its main curve). */
export const MAIN_VARIANTS: StrategyVariant[] = [
  { label: "clip", strategy: "clip", options: { augment: "none" } },
  { label: "slip", strategy: "slip", options: { augment: "none" } },
  { label: "flip-50", strategy: "flip", options: { augment: "none", maskRatio: 0.5 } },
  { label: "clip-aug:crop-flip", strategy: "clip-aug", options: { augment: "crop-flip" } },
];

/** The other two augmentation policies the paper validated in the multi-epoch regime (Fig. 1b). */
export const EXTRA_AUG_VARIANTS: StrategyVariant[] = [
  { label: "clip-aug:randaug", strategy: "clip-aug", options: { augment: "randaug" } },
  { label: "clip-aug:stacked-randaug", strategy: "clip-aug", options: { augment: "stacked-randaug" } },
];

/** FLIP at 75 % masking (FLIP's other ratio; full profile only). */
export const FLIP75: StrategyVariant = {
  label: "flip-75",
  strategy: "flip",
  options: { augment: "none", maskRatio: 0.75 },
};

/** The settings of one profile. */
export interface StrategiesSettings {
  model: string;
  imageSize: number;
  batch: number;
  lr: number;
  wd: number;
  /** Caption sampling and text tower (0 = the preset's): the recipe's in quick and full. */
  captions: string;
  textWidth: number;
  textDepth: number;
  /** Warmup as a fraction of each run's steps (at least 1 step). */
  warmupFraction: number;
  evalSize: number;
  seeds: number[];
  /** One-epoch budgets: samples seen = subset size. */
  oneEpochBudgets: number[];
  /** Equal-FLOPs budget, in CLIP-samples: each strategy gets the samples that cost CLIP's FLOPs. */
  equalFlopsClipSamples: number;
  /**
   * Multi-epoch regime (Fig. 17, 19): every subset trained to the same samples seen, so the epochs
   * over a subset are `multiEpochSamples / subset`.
   */
  multiEpochSubsets: number[];
  multiEpochSamples: number;
  /** Strategies of the multi-epoch grid. */
  multiEpochVariants: StrategyVariant[];
  /** Strategies of the one-epoch grid. */
  oneEpochVariants: StrategyVariant[];
  /** Eval tasks of one-epoch runs and of multi-epoch runs. */
  oneEpochEval: string[];
  multiEpochEval: string[];
}

const SMOKE: StrategiesSettings = {
  model: "nano",
  imageSize: 32,
  batch: 32,
  lr: 1e-3,
  wd: 0.1,
  captions: "mix",
  textWidth: 0,
  textDepth: 0,
  warmupFraction: 0.1,
  evalSize: 64,
  seeds: [0],
  oneEpochBudgets: [128],
  equalFlopsClipSamples: 0,
  multiEpochSubsets: [],
  multiEpochSamples: 0,
  multiEpochVariants: [],
  oneEpochVariants: MAIN_VARIANTS,
  oneEpochEval: ["heldout"],
  multiEpochEval: [],
};

/** The primary zero-shot benchmark with its shift variants, and caption retrieval over all Noto images. */
const ONE_EPOCH_EVAL = ["heldout", "zeroshot:noto-nouns", "retrieval:noto"];

/**
 * The re-planned grid (issue 17), on the measured recipe (`CHOSEN_RECIPE`: batch 256, lr 1e-3,
 * wd 0.1, captions "mix", text tower 64 × 2) so the models learn: one pass over 4,096 … 32,000
 * pairs, equal FLOPs at CLIP's 16,384 (FLIP's equal-FLOPs pass at 32,000 would need more pairs than
 * the corpus has), and 131,072 samples seen over 4,096 and 16,384 pairs
 * (32 and 8 epochs): samples seen span 4,096 → 131,072 (32×). `quick` is seed 0 of `full`.
 */
const QUICK: StrategiesSettings = {
  model: CHOSEN_RECIPE.model,
  imageSize: 32,
  batch: CHOSEN_RECIPE.batch,
  lr: CHOSEN_RECIPE.lr,
  wd: CHOSEN_RECIPE.wd,
  captions: CHOSEN_RECIPE.captions,
  textWidth: CHOSEN_RECIPE.textWidth,
  textDepth: CHOSEN_RECIPE.textDepth,
  warmupFraction: CHOSEN_RECIPE.warmupFraction,
  evalSize: 400,
  seeds: [0],
  oneEpochBudgets: [4096, 8192, 16_384, 32_000],
  equalFlopsClipSamples: 16_384,
  multiEpochSubsets: [4096, 16_384],
  multiEpochSamples: 131_072,
  multiEpochVariants: [...MAIN_VARIANTS, EXTRA_AUG_VARIANTS[1]!],
  oneEpochVariants: MAIN_VARIANTS,
  oneEpochEval: ONE_EPOCH_EVAL,
  multiEpochEval: [...ONE_EPOCH_EVAL, "linear-probe:noto-subgroups"],
};

/** Quick's grid with seeds 0–2 (the seed rule needs 3 seeds wherever a gap is within the spread). */
const FULL: StrategiesSettings = { ...QUICK, seeds: [0, 1, 2] };

export const STRATEGIES_SETTINGS: Record<Profile, StrategiesSettings> = {
  smoke: SMOKE,
  quick: QUICK,
  full: FULL,
};

/** Their sizes ↔ ours, shown by `clipdown sweep list -v` and the notebook. */
export const STRATEGIES_NOTES = [
  "Paper (Sec. 7): ViT-B/32 + ViT-B text, WebLI subsets 10M–3.4B; one epoch (samples seen = subset) up to 3.4B,",
  "and 30 epochs over 10M–100M subsets for CLIP+Aug. Ours: vit-ti/8 with the recipe's 64-wide × 2-layer text",
  'tower at 32 px on the pictogram corpus, batch 256, lr 1e-3, wd 0.1, captions "mix" (results/recipe.jsonl).',
  `Size mapping by fraction of the corpus: their 3.4B (all of English WebLI) ↔ our ${PICTOGRAM_PAIRS.toLocaleString("en")} pairs, so`,
  "one pass over 4,096 / 8,192 / 16,384 / 32,000 pairs ≈ their 430M / 850M / 1.7B / 3.3B (SLIP is claimed best below 1B).",
  "Multi-epoch at fixed samples seen (Fig. 17): 131,072 samples over 4,096 pairs (32 epochs, the paper's 30)",
  "and over 16,384 pairs (8 epochs), for CLIP, SLIP, FLIP-50, CLIP+Aug (crop & flip) and CLIP+stacked RandAugment.",
  "The first pass (batch 64, the preset's text tower, 2,048–12,288 samples) stayed within a point of chance;",
  "its lines are in results/first-pass/strategies.jsonl. Equal FLOPs: each strategy trains for CLIP's FLOPs at",
  "16,384 samples ÷ its own FLOPs per sample (whole batches). FLIP keeps the batch (flip-batch-scale 1) so samples seen match.",
  "quick = seed 0 of full; full runs seeds 0–2 of every point (the seed rule: a single-seed gap decides only from 7.5 points).",
].join("\n");

/**
 * Training FLOPs per sample of a strategy with options, from the shapes alone (the preset's image
 * tower and, when given, the recipe's text tower: `textWidth`/`textDepth` 0 keep the preset's).
 */
export function strategyFlopsPerSample(
  model: string,
  imageSize: number,
  variant: Pick<StrategyVariant, "strategy" | "options">,
  contextLength = 16,
  text: { textWidth?: number; textDepth?: number } = {},
): number {
  return specFlopsPerSample({
    model,
    imageSize,
    contextLength,
    strategy: variant.strategy,
    ...(text.textWidth ? { textWidth: text.textWidth } : {}),
    ...(text.textDepth ? { textDepth: text.textDepth } : {}),
    ...(variant.options as StrategyOptions),
  });
}

/** Samples (whole batches, at least one) that cost `variant` the FLOPs CLIP spends on `clipSamples`. */
export function equalFlopsSamples(
  s: Pick<StrategiesSettings, "model" | "imageSize" | "batch"> &
    Partial<Pick<StrategiesSettings, "textWidth" | "textDepth">>,
  variant: Pick<StrategyVariant, "strategy" | "options">,
  clipSamples: number,
): number {
  const clip = strategyFlopsPerSample(s.model, s.imageSize, { strategy: "clip", options: {} }, 16, s);
  const own = strategyFlopsPerSample(s.model, s.imageSize, variant, 16, s);
  return Math.max(1, Math.round((clipSamples * clip) / own / s.batch)) * s.batch;
}

/** The label of a run's strategy (`variantOf({strategy: "flip", maskRatio: 0.5})` → "flip-50"). */
/** The regimes of the sweep: one pass over each subset, or the profile's epochs over it. */
export const REGIMES = { one: "one-epoch", multi: "multi-epoch" } as const;
export type Regime = (typeof REGIMES)[keyof typeof REGIMES];

/**
 * The labels every run carries beside its spec (outside the hash), by which the findings and the
 * notebook select runs: `variant` (a {@link StrategyVariant} label: "clip", "flip-50",
 * "clip-aug:crop-flip", …) and `regime`.
 */
export function strategyLabels(v: StrategyVariant, regime: Regime): { variant: string; regime: Regime } {
  return { variant: v.label, regime };
}

/** A line's variant label ("" when the current sweep did not label it). */
export const variantOf = (r: { labels?: Record<string, string[]> }): string => labelOf(r, "variant") ?? "";
/** A line's regime label, or undefined when the current sweep did not label it. */
export const regimeOf = (r: { labels?: Record<string, string[]> }): Regime | undefined =>
  labelOf(r, "regime") as Regime | undefined;

function runSpec(
  s: StrategiesSettings,
  v: StrategyVariant,
  subset: number,
  samples: number,
  seed: number,
  evalTasks: string[],
): Record<string, unknown> {
  const steps = Math.floor(samples / s.batch);
  return {
    kind: "train",
    captions: s.captions,
    textWidth: s.textWidth,
    textDepth: s.textDepth,
    model: s.model,
    imageSize: s.imageSize,
    strategy: v.strategy,
    ...v.options,
    subset,
    samples,
    batch: s.batch,
    lr: s.lr,
    wd: s.wd,
    warmup: Math.max(1, Math.round(steps * s.warmupFraction)),
    evalSize: s.evalSize,
    seed,
    eval: evalTasks,
  };
}

/** The strategies sweep for a profile (one-epoch grid, equal-FLOPs points, multi-epoch grid). */
export function buildStrategies(profile: Profile): SweepDef {
  const s = STRATEGIES_SETTINGS[profile];
  const runs: LabelledRun[] = [];
  const one = (v: StrategyVariant, n: number, seed: number) =>
    runs.push({ spec: runSpec(s, v, n, n, seed, s.oneEpochEval), labels: strategyLabels(v, REGIMES.one) });
  for (const seed of s.seeds) {
    for (const budget of s.oneEpochBudgets) {
      for (const v of s.oneEpochVariants) one(v, budget, seed);
    }
    if (s.equalFlopsClipSamples > 0) {
      // One epoch at equal FLOPs: CLIP's point is already in the grid when the budget is one of them.
      for (const v of s.oneEpochVariants) one(v, equalFlopsSamples(s, v, s.equalFlopsClipSamples), seed);
    }
    for (const subset of s.multiEpochSubsets) {
      for (const v of s.multiEpochVariants)
        runs.push({
          spec: runSpec(s, v, subset, s.multiEpochSamples, seed, s.multiEpochEval),
          labels: strategyLabels(v, REGIMES.multi),
        });
    }
  }
  return { section: "strategies", profile, runs, notes: STRATEGIES_NOTES };
}

export const strategiesSection: Section = {
  name: "strategies",
  title: "Training strategies: CLIP, SLIP, FLIP, CLIP+Aug (Scaling (Down) CLIP Sec. 7)",
  build: buildStrategies,
};
