/**
 * Section `data-quantity` — Scaling (Down) CLIP, Sec. 4 "data quantity" (papers.md A.2; findings D4,
 * D5, D6 and the dataset-size half of D8): how many times to repeat how much unique data.
 *
 * Two grids over seeded subsets of the pictogram corpus (smaller subsets nest in larger ones for a
 * seed, as the paper's random subsets share a distribution), every run on the measured recipe
 * (`CHOSEN_RECIPE`, results/recipe.jsonl) so the models learn:
 * - **epochs × size** (Fig. 2a, 4, 20): each subset size N trained for E epochs (samples = N · E),
 *   every (N, E) a separate run with its own cosine schedule, as in the paper;
 * - **fixed samples seen** (Fig. 9, 13): every subset trained to the same budget S, so only the
 *   amount of unique data changes (S / N epochs). Points shared with the first grid are the same
 *   spec and run once.
 *
 * Metrics: the primary zero-shot benchmark `noto-nouns` (the paper's ImageNet; mean per-class
 * recall, chance 2 %), its line-art shift variants (the ImageNet variants, D6), emoji-441 from the
 * held-out evaluation (fine-grained), and Noto caption retrieval among 400 (COCO, D5).
 *
 * `quick` is a subset of `full` (the same specs, so `reproduce --profile full` also completes quick).
 * Run with `clipdown reproduce --section data-quantity --profile quick --jobs 2`.
 */
import type { LabelledRun, Profile, Section, SweepDef } from "../../sweep/sweep";
import { CHOSEN_RECIPE } from "../clipdown/recipe";
import { PAPER_SAMPLES_PER_OURS } from "../corpus";

export { PAPER_SAMPLES_PER_OURS };

/** Everything one profile's grids need. */
export interface DataQuantityPlan {
  model: string;
  /** Subset sizes of the epochs × size grid, smallest first. */
  sizes: number[];
  /** Epochs per size (each list ascending); the same index as `sizes`. */
  epochs: number[][];
  /** Fixed-samples grid (Fig. 9): the budget S and the subset sizes trained to it. */
  fixed: { samples: number; sizes: number[] };
  seeds: number[];
  /**
   * More seeds for the points a finding compares where its first-seed difference was within 2
   * points (issue 17's seed rule): `[size, epochs]` of the grid, and whether the fixed-samples runs.
   */
  extraSeeds?: { seeds: number[]; grid: Array<[number, number]>; fixed: boolean };
  batch: number;
  lr: number;
  wd: number;
  /** Caption sampling and text tower (0 = the preset's): the recipe's in quick and full. */
  captions: string;
  textWidth: number;
  textDepth: number;
  evalSize: number;
  eval: string[];
}

/** The `axis` label of each grid's runs (a point in both grids has both). */
export const DQ_AXES = { grid: "epochs × size", fixed: "fixed samples" } as const;

/** The primary zero-shot benchmark with its shift variants, and caption retrieval over all Noto images. */
export const SECTION_EVAL = ["heldout", "zeroshot:noto-nouns", "retrieval:noto"];

/** The recipe's knobs, as every quick and full run trains. */
const RECIPE_KNOBS = {
  model: CHOSEN_RECIPE.model,
  batch: CHOSEN_RECIPE.batch,
  lr: CHOSEN_RECIPE.lr,
  wd: CHOSEN_RECIPE.wd,
  captions: CHOSEN_RECIPE.captions,
  textWidth: CHOSEN_RECIPE.textWidth,
  textDepth: CHOSEN_RECIPE.textDepth,
  evalSize: 400,
  eval: SECTION_EVAL,
};

export const DATA_QUANTITY_PLANS: Record<Profile, DataQuantityPlan> = {
  // Under a minute: the test-sized ViT, two tiny subsets for one and two epochs.
  smoke: {
    model: "nano",
    sizes: [64, 128],
    epochs: [
      [1, 2],
      [1, 2],
    ],
    fixed: { samples: 128, sizes: [64, 128] },
    seeds: [0],
    batch: 32,
    lr: 1e-3,
    wd: 0.1,
    captions: "mix",
    textWidth: 0,
    textDepth: 0,
    evalSize: 64,
    eval: ["heldout", "zeroshot:noto-nouns"],
  },
  // The paper's 16× size ratio at 2,000 and 8,000 pairs for 4–16 epochs (8,000 → 128,000 samples
  // seen), and a fixed 128,000-sample budget over 2,000 … 32,000 pairs.
  quick: {
    ...RECIPE_KNOBS,
    sizes: [2000, 8000],
    epochs: [
      [4, 8, 16],
      [4, 8, 16],
    ],
    fixed: { samples: 128_000, sizes: [2000, 8000, 32_000] },
    seeds: [0],
  },
  // 2,000 / 8,000 / 32,000 pairs (16×, as the paper's 25M → 400M) at 2–32 epochs: 4,000 →
  // 1,024,000 samples seen (256×); the fixed budget S = 512,000 over 2,000 … 32,000 pairs; and
  // quick's fixed budget, so that full contains quick.
  full: {
    ...RECIPE_KNOBS,
    sizes: [2000, 8000, 32_000],
    epochs: [
      [2, 4, 8, 16, 32, 64],
      [2, 4, 8, 16, 32],
      [2, 4, 8, 16, 32],
    ],
    fixed: { samples: 512_000, sizes: [2000, 8000, 32_000] },
    seeds: [0],
    // Seeds 1 and 2 where a finding's first-seed difference was within 2 points of the rule
    // (issue 17): D6's 32 → 64 epochs on 2,000 pairs (recall +0.2, variants +2.0), and D4's 16 → 32
    // epochs on both sizes (2,000 pairs +2.5 at seed 0 but +1.8 over 3 seeds; 32,000 pairs +1.9).
    extraSeeds: {
      seeds: [1, 2],
      grid: [
        [2000, 16],
        [2000, 32],
        [2000, 64],
        [32_000, 16],
        [32_000, 32],
      ],
      fixed: false,
    },
  },
};

/** Epochs a run made over its subset (samples seen / subset size). */
export function epochsOf(spec: Record<string, unknown>): number {
  return (spec.samples as number) / (spec.subset as number);
}

/** One training run: `model` on a seeded subset of `size` pairs to `samples` samples seen. */
export function dataQuantityRun(
  plan: DataQuantityPlan,
  size: number,
  samples: number,
  seed: number,
): Record<string, unknown> {
  const batch = Math.min(plan.batch, samples);
  const steps = Math.floor(samples / batch);
  return {
    kind: "train",
    captions: plan.captions,
    textWidth: plan.textWidth,
    textDepth: plan.textDepth,
    model: plan.model,
    strategy: "clip",
    data: "data/pictograms",
    subset: size,
    samples,
    batch,
    lr: plan.lr,
    wd: plan.wd,
    // A tenth of the steps warm up, as the recipe (the paper's LiT recipe does not state its warmup).
    warmup: Math.max(1, Math.round(steps / 10)),
    imageSize: 32,
    seed,
    evalSize: plan.evalSize,
    eval: plan.eval,
  };
}

export function dataQuantitySweep(
  profile: Profile,
  plan: DataQuantityPlan = DATA_QUANTITY_PLANS[profile],
): SweepDef {
  if (plan.epochs.length !== plan.sizes.length)
    throw new Error(
      `data-quantity/${profile}: epochs has ${plan.epochs.length} lists for ${plan.sizes.length} sizes`,
    );
  const runs: LabelledRun[] = [];
  for (const seed of plan.seeds) {
    plan.sizes.forEach((n, i) => {
      for (const e of plan.epochs[i]!)
        runs.push({ spec: dataQuantityRun(plan, n, n * e, seed), labels: { axis: DQ_AXES.grid } });
    });
    for (const n of plan.fixed.sizes)
      runs.push({
        spec: dataQuantityRun(plan, n, plan.fixed.samples, seed),
        labels: { axis: DQ_AXES.fixed },
      });
  }
  const extra = plan.extraSeeds;
  for (const seed of extra?.seeds ?? []) {
    for (const [n, e] of extra!.grid) {
      const i = plan.sizes.indexOf(n);
      if (i < 0 || !plan.epochs[i]!.includes(e))
        throw new Error(
          `data-quantity/${profile}: extra seeds name ${n} pairs × ${e} epochs, which is not in the grid`,
        );
      runs.push({ spec: dataQuantityRun(plan, n, n * e, seed), labels: { axis: DQ_AXES.grid } });
    }
    if (extra!.fixed)
      for (const n of plan.fixed.sizes)
        runs.push({
          spec: dataQuantityRun(plan, n, plan.fixed.samples, seed),
          labels: { axis: DQ_AXES.fixed },
        });
  }
  const paper = (n: number) => {
    const v = n * PAPER_SAMPLES_PER_OURS;
    return v >= 1e9 ? `${(v / 1e9).toFixed(1)}B` : `${(v / 1e6).toFixed(0)}M`;
  };
  const notes = [
    "Size mapping: the paper's 3.4B samples (one pass over English WebLI) ↔ one pass over our",
    `32,691-pair pictogram corpus, so N of our pairs ≈ N × ${Math.round(PAPER_SAMPLES_PER_OURS).toLocaleString("en")} of theirs:`,
    `subset sizes ${plan.sizes.map((n) => `${n} ≈ ${paper(n)}`).join(", ")} (the paper: 25M … 400M, a 16× range).`,
    "Our sizes sit about 8× above that mapping: at 256 … 4,096 pairs (the first pass) every run stayed",
    "within a point of chance, because 32 epochs of 4,096 pairs is only 512 optimiser steps.",
    `Epochs ${plan.sizes.map((n, i) => `${n}: ${plan.epochs[i]!.join("/")}`).join("; ")} (the paper: 2/4/8/16/32);`,
    `fixed samples seen (Fig. 9): S = ${plan.fixed.samples.toLocaleString("en")} on subsets ${plan.fixed.sizes.map((n) => `${n} (${plan.fixed.samples / n} ep)`).join(", ")}.`,
    `Model: ${plan.model} image tower (the paper: ViT-B/32), text tower ${plan.textWidth ? `${plan.textWidth} wide × ${plan.textDepth}` : "of the preset"},`,
    `captions "${plan.captions}", batch ${plan.batch} (the paper: 16k), lr ${plan.lr}, wd ${plan.wd}: the recipe of the recipe section.`,
    "Metrics: noto-nouns zero-shot mean per-class recall (chance 2 %) stands for ImageNet, its sketch,",
    "edges and low-res variants for the ImageNet variants (D6), Noto caption retrieval R@1 among 400 for",
    "COCO (D5), emoji-441 top-1 for a fine-grained task.",
  ];
  return { section: "data-quantity", profile, runs, notes: notes.join("\n") };
}

export const dataQuantitySection: Section = {
  name: "data-quantity",
  title: "Data quantity: epochs × unique-data size (Scaling (Down) CLIP Sec. 4, Fig. 2, 4, 9)",
  build: (profile) => dataQuantitySweep(profile),
};
