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
import { resolvePreset } from "../../models/presets";
import { createStrategy, type StrategyOptions } from "../../strategies";
import { labelOf } from "../../sweep/results";
import type { LabelledRun, Profile, Section, SweepDef } from "../../sweep/sweep";

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
  /** Warmup as a fraction of each run's steps (at least 1 step). */
  warmupFraction: number;
  evalSize: number;
  seeds: number[];
  /** One-epoch budgets: samples seen = subset size. */
  oneEpochBudgets: number[];
  /** Equal-FLOPs budget, in CLIP-samples: each strategy gets the samples that cost CLIP's FLOPs. */
  equalFlopsClipSamples: number;
  /** Multi-epoch regime: subset sizes and epochs over each (samples seen = subset × epochs). */
  multiEpochSubsets: number[];
  epochs: number;
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
  warmupFraction: 0.1,
  evalSize: 64,
  seeds: [0],
  oneEpochBudgets: [128],
  equalFlopsClipSamples: 0,
  multiEpochSubsets: [],
  epochs: 0,
  multiEpochVariants: [],
  oneEpochVariants: MAIN_VARIANTS,
  oneEpochEval: ["heldout"],
  multiEpochEval: [],
};

const QUICK: StrategiesSettings = {
  model: "vit-ti/8",
  imageSize: 32,
  batch: 64,
  lr: 1e-3,
  warmupFraction: 0.1,
  evalSize: 500,
  seeds: [0],
  oneEpochBudgets: [2048, 4096],
  equalFlopsClipSamples: 4096,
  multiEpochSubsets: [512],
  epochs: 8,
  multiEpochVariants: [...MAIN_VARIANTS, EXTRA_AUG_VARIANTS[1]!],
  oneEpochVariants: MAIN_VARIANTS,
  oneEpochEval: ["heldout", "zeroshot:noto-subgroups"],
  multiEpochEval: ["heldout", "zeroshot:emoji-441,noto-subgroups", "linear-probe:noto-subgroups"],
};

// 56 min with 2 workers on the 2-core machine (measured): 96 runs, 3 seeds of every point.
const FULL: StrategiesSettings = {
  model: "vit-ti/8",
  imageSize: 32,
  batch: 64,
  lr: 1e-3,
  warmupFraction: 0.1,
  evalSize: 1000,
  seeds: [0, 1, 2],
  oneEpochBudgets: [2048, 4096, 8192],
  equalFlopsClipSamples: 8192,
  multiEpochSubsets: [512, 1024],
  epochs: 12,
  multiEpochVariants: [...MAIN_VARIANTS, ...EXTRA_AUG_VARIANTS, FLIP75],
  oneEpochVariants: [...MAIN_VARIANTS, FLIP75],
  oneEpochEval: ["heldout", "zeroshot:noto-subgroups"],
  multiEpochEval: ["heldout", "zeroshot:emoji-441,noto-subgroups", "linear-probe:noto-subgroups"],
};

export const STRATEGIES_SETTINGS: Record<Profile, StrategiesSettings> = {
  smoke: SMOKE,
  quick: QUICK,
  full: FULL,
};

/** Their sizes ↔ ours, shown by `clipdown sweep list -v` and the notebook. */
export const STRATEGIES_NOTES = [
  "Paper (Sec. 7): ViT-B/32 + ViT-B text, WebLI subsets 10M–3.4B; one epoch (samples seen = subset) up to 3.4B,",
  "and 30 epochs over 10M–100M subsets for CLIP+Aug. Ours: vit-ti/8 (ViT-Ti/32 analogue) + the base text tower",
  "at 32 px on the 32,691-pair pictogram corpus. Size mapping by fraction of the corpus: their 3.4B (all of English",
  "WebLI) ↔ our 32,691 pairs, so their 400M ≈ our 3,800 and their 100M ≈ our 960; quick's one-epoch budgets",
  "2,048 / 4,096 ≈ their 210M / 430M (the paper's 'below 1B' regime, where SLIP is claimed best), full adds",
  "8,192 ≈ 850M, with 3 seeds. Multi-epoch: quick 512 pairs × 8 epochs (≈ their 50M × 8), full 512 and 1,024",
  "pairs × 12 epochs (≈ 50M / 100M × 12; the paper ran 30), so stacked RA on N vs none on 2N is testable. Equal FLOPs: each strategy trains for",
  "CLIP's FLOPs at the equal-FLOPs budget ÷ its own FLOPs per sample (rounded to whole batches). At 32 px the",
  "text tower dominates vit-ti/8's FLOPs, so FLIP-50 saves only ~6 % per sample (the paper's ViT-B/32 saves ~48 %)",
  "and SLIP costs ~1.44× CLIP (paper: 2×). FLIP keeps the batch (flip-batch-scale 1) so samples seen match.",
].join("\n");

/** Training FLOPs per sample of a strategy with options, from the preset's shapes alone. */
export function strategyFlopsPerSample(
  model: string,
  imageSize: number,
  variant: Pick<StrategyVariant, "strategy" | "options">,
  contextLength = 16,
): number {
  const cfg = resolvePreset(model, { imageSize, vocabSize: 2, contextLength });
  return createStrategy(variant.strategy, variant.options as StrategyOptions).trainFlopsPerSample(cfg);
}

/** Samples (whole batches, at least one) that cost `variant` the FLOPs CLIP spends on `clipSamples`. */
export function equalFlopsSamples(
  s: Pick<StrategiesSettings, "model" | "imageSize" | "batch">,
  variant: Pick<StrategyVariant, "strategy" | "options">,
  clipSamples: number,
): number {
  const clip = strategyFlopsPerSample(s.model, s.imageSize, { strategy: "clip", options: {} });
  const own = strategyFlopsPerSample(s.model, s.imageSize, variant);
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
    // The stored captions and the preset's text tower, as the published results were trained: the
    // re-planned sections (issue 17) move to the recipe's.
    captions: "full",
    textWidth: 0,
    textDepth: 0,
    model: s.model,
    imageSize: s.imageSize,
    strategy: v.strategy,
    ...v.options,
    subset,
    samples,
    batch: s.batch,
    lr: s.lr,
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
          spec: runSpec(s, v, subset, subset * s.epochs, seed, s.multiEpochEval),
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
