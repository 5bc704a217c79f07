/**
 * Section `recipe` — not a paper figure: the training recipe measured for this scale (issue "Learning
 * that shows"), so that the other sections train models that learn. vit-ti/8 with CLIP's loss, a base
 * recipe, and one knob changed at a time:
 *
 * - `quick`: every knob at 102,400 samples seen (≈ 3 epochs of the corpus);
 * - `full`: at 409,600 samples, the chosen recipe with 3 seeds (its seed-to-seed spread), the base
 *   recipe, the chosen recipe with the stored captions, and the chosen recipe on the larger
 *   `pictograms-xl` corpus with 3 seeds (equal samples seen: does more unique data help?); then the
 *   chosen recipe at 1,638,400 samples with 3 seeds (how far more epochs go). Measured with 2 jobs:
 *   10 min per 409,600-sample run with the small text tower (7 min on pictograms-xl), 29 min with
 *   the preset's, 48 min per 1,638,400-sample run; about 3.5 h for the whole profile.
 *
 * Metrics: the primary zero-shot benchmark (`noto-nouns/mean_per_class_recall`, chance 1/50), its
 * line-art shift variant, emoji-441 (fine-grained), Noto caption retrieval over all 1,911 images
 * (`noto/image_retrieval_recall@10`) and over 400 (`heldout-noto/text_retrieval_recall@10` from the end-of-run eval at evalSize 400).
 * `TRAIN_DEFAULTS`, the quickstart and `RECIPE` below must agree with what this sweep found; the
 * notebook `00-quickstart` draws the comparison.
 *
 * Run with `clipdown sweep recipe --profile quick --jobs 2`.
 */

import type { Profile, Section, SweepDef } from "../../sweep/sweep";
import { LEGACY_NEUTRAL } from "../../train/config";

/** The base recipe every knob of the sweep is changed from. */
export const RECIPE = {
  model: "vit-ti/8",
  /** The pre-training corpus (`data/pictograms-xl` is the larger on-demand one). */
  data: "data/pictograms",
  batch: 256,
  lr: 1e-3,
  wd: 0.1,
  /** Warmup as a fraction of the steps. */
  warmupFraction: 0.1,
  captions: "mix",
  textWidth: 0,
  textDepth: 0,
  logitScaleInit: 0,
} as const;

/**
 * The recipe the sweep chose (the defaults of `clipdown train` and of the quickstart): the base with
 * the text tower shrunk to 64 wide × 2 layers. In `quick` (102,400 samples) it matched or beat every
 * other knob on noto-nouns mean per-class recall at a third of the wall time, and at 307,200
 * samples (about the base's wall time at 102,400) it doubled the base's recall and passed its
 * caption retrieval (results/recipe.jsonl; README table).
 */
export const CHOSEN_RECIPE = { ...RECIPE, textWidth: 64, textDepth: 2 } as const;
/** The variant label of {@link CHOSEN_RECIPE} in the sweep. */
export const CHOSEN_LABEL = "text 64×2";

export type RecipeKnobs = Partial<{
  data: string;
  batch: number;
  lr: number;
  wd: number;
  warmupFraction: number;
  captions: string;
  textWidth: number;
  textDepth: number;
  logitScaleInit: number;
}>;

/** A knob setting and the label findings and notebooks show for it. */
export interface RecipeVariant {
  label: string;
  knobs: RecipeKnobs;
}

/** One knob at a time, away from {@link RECIPE}. */
export const RECIPE_VARIANTS: RecipeVariant[] = [
  // In the order the sweep runs them: the knobs expected to matter most first, so a sweep stopped
  // part-way has published the most informative runs.
  { label: "base", knobs: {} },
  { label: "captions full", knobs: { captions: "full" } },
  { label: "text 64×2", knobs: { textWidth: 64, textDepth: 2 } },
  { label: "temperature init 50", knobs: { logitScaleInit: 50 } },
  { label: "captions name", knobs: { captions: "name" } },
  { label: "lr 2e-3", knobs: { lr: 2e-3 } },
  { label: "lr 5e-4", knobs: { lr: 5e-4 } },
  { label: "text 64×4", knobs: { textWidth: 64, textDepth: 4 } },
  { label: "text 64×2, captions full", knobs: { textWidth: 64, textDepth: 2, captions: "full" } },
  { label: "batch 128", knobs: { batch: 128 } },
  { label: "batch 512", knobs: { batch: 512 } },
  { label: "warmup 2 %", knobs: { warmupFraction: 0.02 } },
  { label: "warmup 25 %", knobs: { warmupFraction: 0.25 } },
  { label: "wd 0", knobs: { wd: 0 } },
  { label: "wd 0.3", knobs: { wd: 0.3 } },
  { label: "text 128×2", knobs: { textDepth: 2 } },
  { label: "text 64×2, pictograms-xl", knobs: { textWidth: 64, textDepth: 2, data: "data/pictograms-xl" } },
];

export interface RecipePlan {
  model: string;
  samples: number;
  variants: string[];
  /** Seeds per variant label (a variant not listed runs seed 0). */
  seeds?: Record<string, number[]>;
  evalSize: number;
  eval: string[];
}

const EVAL = ["heldout", "zeroshot:noto-nouns", "retrieval:noto"];
/** Quick runs these variants first, then the 307,200-sample runs, then the rest (a stopped sweep has the most telling runs). */
const QUICK_FIRST = 9;

export const RECIPE_PLANS: Record<Profile, RecipePlan[]> = {
  // Seconds: the test-sized model, two variants.
  smoke: [
    {
      model: "nano",
      samples: 256,
      variants: ["base", "captions full"],
      evalSize: 64,
      eval: ["heldout"],
    },
  ],
  // Every knob at 102,400 samples seen; the small text tower again at 307,200, about the same wall
  // time as the preset's tower at 102,400 (measured: 218 vs 675 s per run), the comparison that
  // decides a fixed-time budget such as the quickstart's.
  quick: [
    {
      model: RECIPE.model,
      samples: 102_400,
      variants: RECIPE_VARIANTS.slice(0, QUICK_FIRST).map((v) => v.label),
      evalSize: 400,
      eval: EVAL,
    },
    {
      model: RECIPE.model,
      samples: 307_200,
      variants: ["text 64×2", "text 64×2, captions full"],
      evalSize: 400,
      eval: EVAL,
    },
    {
      model: RECIPE.model,
      samples: 102_400,
      // The larger corpus is on-demand (`clipdown data build --only pictograms-xl`): full only.
      variants: RECIPE_VARIANTS.slice(QUICK_FIRST)
        .filter((v) => v.knobs.data === undefined)
        .map((v) => v.label),
      evalSize: 400,
      eval: EVAL,
    },
  ],
  // ≥ 400k: the chosen recipe with 3 seeds (its seed-to-seed spread), against the base and against
  // the chosen recipe with the stored captions.
  full: [
    {
      model: RECIPE.model,
      samples: 409_600,
      variants: [CHOSEN_LABEL, "base", "text 64×2, captions full", "text 64×2, pictograms-xl"],
      seeds: { [CHOSEN_LABEL]: [0, 1, 2], "text 64×2, pictograms-xl": [0, 1, 2] },
      evalSize: 400,
      eval: EVAL,
    },
    // 4× longer: how far the chosen recipe gets on the small corpus (≈ 50 epochs) — caption
    // retrieval over all Noto images was still rising by 13 points per 4× samples at 409,600.
    {
      model: RECIPE.model,
      samples: 1_638_400,
      variants: [CHOSEN_LABEL],
      seeds: { [CHOSEN_LABEL]: [0, 1, 2] },
      evalSize: 400,
      eval: EVAL,
    },
  ],
};

/** One run's raw spec: the base recipe with `knobs` applied. */
export function recipeRun(
  plan: Pick<RecipePlan, "model" | "samples" | "evalSize" | "eval">,
  knobs: RecipeKnobs,
  seed: number,
): Record<string, unknown> {
  const r = { ...RECIPE, ...knobs };
  const steps = Math.floor(plan.samples / r.batch);
  return {
    kind: "train",
    model: plan.model,
    strategy: "clip",
    data: r.data,
    samples: plan.samples,
    batch: r.batch,
    lr: r.lr,
    wd: r.wd,
    warmup: Math.max(1, Math.round(steps * r.warmupFraction)),
    captions: r.captions,
    textWidth: r.textWidth,
    textDepth: r.textDepth,
    logitScaleInit: r.logitScaleInit,
    imageSize: 32,
    seed,
    evalSize: plan.evalSize,
    eval: plan.eval,
  };
}

export function recipeSweep(profile: Profile, plans: RecipePlan[] = RECIPE_PLANS[profile]): SweepDef {
  const runs: Array<Record<string, unknown>> = [];
  const byLabel = new Map(RECIPE_VARIANTS.map((v) => [v.label, v]));
  for (const plan of plans) {
    for (const label of plan.variants) {
      const v = byLabel.get(label);
      if (!v) throw new Error(`recipe plan names an unknown variant "${label}"`);
      for (const seed of plan.seeds?.[label] ?? [0]) runs.push(recipeRun(plan, v.knobs, seed));
    }
  }
  const notes = [
    `Base recipe: ${RECIPE.model}, batch ${RECIPE.batch}, lr ${RECIPE.lr}, wd ${RECIPE.wd}, warmup ${RECIPE.warmupFraction * 100} % of the steps,`,
    `captions "${RECIPE.captions}", the preset's text tower (128 wide, 4 layers), CLIP's initial temperature; one knob changed at a time.`,
    `Budgets: ${plans.map((p) => `${p.samples.toLocaleString("en")} samples (${p.variants.join(", ")})`).join("; ")}.`,
    `Chosen (the defaults of clipdown train and the quickstart): the base with the text tower at 64 wide × 2 layers.`,
    "Primary metric: noto-nouns mean per-class recall (chance 2 %); retrieval: Noto R@10 over all images and over 400.",
    "The pictograms-xl runs need `clipdown data build --only pictograms-xl` first (5.5 min, then 5 min to decode its cache).",
  ];
  return { section: "recipe", profile, runs, notes: notes.join("\n") };
}

/** The variant label of a recipe run's spec (findings and notebooks select runs by it). */
export function recipeLabel(spec: Record<string, unknown>): string | undefined {
  const keys = [
    "data",
    "batch",
    "lr",
    "wd",
    "warmup",
    "captions",
    "textWidth",
    "textDepth",
    "logitScaleInit",
  ];
  const plan = { model: "", samples: Number(spec.samples), evalSize: 0, eval: [] };
  for (const v of RECIPE_VARIANTS) {
    const r = recipeRun(plan, v.knobs, 0);
    // A normalised spec leaves a field out at its old behaviour (LEGACY_NEUTRAL): read it back from there.
    const value = (k: string) => spec[k] ?? (LEGACY_NEUTRAL as Record<string, unknown>)[k];
    if (keys.every((k) => value(k) === r[k])) return v.label;
  }
  return undefined;
}

export const recipeSection: Section = {
  name: "recipe",
  title: "The training recipe at this scale (not a paper figure; issue 'Learning that shows')",
  build: (profile) => recipeSweep(profile),
};

/** The metrics a recipe comparison shows, with their chance levels (for a 50-class set and 400 / 1,911 captions). */
export const RECIPE_METRICS = [
  { key: "noto-nouns/mean_per_class_recall", label: "noto-nouns mean per-class recall", chance: 1 / 50 },
  { key: "noto-nouns/acc1", label: "noto-nouns top-1", chance: 1 / 50 },
  {
    key: "noto-nouns-sketch/mean_per_class_recall",
    label: "line-art shift, mean per-class recall",
    chance: 1 / 50,
  },
  { key: "heldout-noto/text_retrieval_recall@10", label: "Noto caption R@10 among 400", chance: 10 / 400 },
  { key: "noto/text_retrieval_recall@10", label: "Noto caption R@10 among all 1,911", chance: 10 / 1911 },
  { key: "heldout-emoji-441/acc1", label: "emoji-441 top-1 (fine-grained)", chance: 1 / 441 },
] as const;
