/**
 * Section `architectures` — Scaling (Down) CLIP, Sec. 6 (papers.md A.4; findings D9, D10, D14):
 * ViT vs ResNet vs MLP-Mixer image towers of similar FLOPs, trained one epoch over subsets of
 * growing size (samples seen = subset size), the text tower fixed. Every run is evaluated on
 * zero-shot (emoji-441 and its shift variants: the Fig. 21/23-style scatter), caption retrieval
 * (Fig. 15) and a linear probe (Fig. 14).
 *
 * Run with `clipdown sweep architectures --profile quick --jobs 1`.
 */
import type { LabelledRun, Profile, Section, SweepDef } from "../../sweep/sweep";
import { PAPER_SAMPLES_PER_OURS, VS_AXES, vitSizeRun } from "./vit-size";

/**
 * The compared towers, with the paper's model each stands for. vit-b/8 and rn-m have forward FLOPs
 * within 5 % of each other at 32 px (the paper pairs ViT-B/32 with ResNet-50 the same way); the
 * Mixer is about 30 % cheaper, as close as a Mixer preset of this family gets.
 */
export const ARCHITECTURES = [
  { model: "vit-b/8", family: "ViT", paper: "ViT-B/32" },
  { model: "rn-m", family: "ResNet", paper: "ResNet-50" },
  { model: "mixer-b/8", family: "Mixer", paper: "Mixer-B/32" },
] as const;

export interface ArchitecturesPlan {
  models: string[];
  /** One-epoch budgets (samples seen = subset size). */
  budgets: number[];
  seeds: number[];
  batch: number;
  evalSize: number;
  eval: string[];
}

/** Evaluation of the real profiles: held-out zero-shot + retrieval, the shift variants, a linear probe. */
const FULL_EVAL = ["heldout", "zeroshot:emoji-441", "linear-probe:noto-subgroups"];

export const ARCHITECTURES_PLANS: Record<Profile, ArchitecturesPlan> = {
  // Under a minute: the three test-sized towers, two budgets, held-out metrics only.
  smoke: {
    models: ["nano", "nano-rn", "nano-mixer"],
    budgets: [64, 128],
    seeds: [0],
    batch: 32,
    evalSize: 64,
    eval: ["heldout"],
  },
  // ≈ 7 min on the idle machine (the ResNet is a third of it): 3 towers × budgets ≈ 27M, 53M and
  // 160M of the paper's samples (the same budgets as vit-size quick). It stops short of the
  // paper's 400M retrieval crossover: only full reaches it.
  quick: {
    models: ARCHITECTURES.map((a) => a.model),
    budgets: [256, 512, 1536],
    seeds: [0],
    batch: 64,
    evalSize: 500,
    eval: FULL_EVAL,
  },
  // 27 min with 2 workers on the 2-core machine (measured): budgets up to 16,384 (≈ 1.7B of the paper's samples), past the paper's 400M crossover.
  full: {
    models: ARCHITECTURES.map((a) => a.model),
    budgets: [512, 1024, 4096, 16384],
    seeds: [0],
    batch: 128,
    evalSize: 0,
    eval: FULL_EVAL,
  },
};

/** One run: `model` trained one epoch over a seeded subset of `samples` pairs (vit-size's recipe). */
export function architectureRun(
  plan: Pick<ArchitecturesPlan, "batch" | "evalSize" | "eval">,
  model: string,
  samples: number,
  seed: number,
): Record<string, unknown> {
  return vitSizeRun(plan, model, samples, samples, seed);
}

export function architecturesSweep(
  profile: Profile,
  plan: ArchitecturesPlan = ARCHITECTURES_PLANS[profile],
): SweepDef {
  const runs: LabelledRun[] = [];
  for (const seed of plan.seeds)
    for (const model of plan.models)
      for (const n of plan.budgets)
        runs.push({ spec: architectureRun(plan, model, n, seed), labels: { axis: VS_AXES.oneEpoch } });
  const paper = (n: number) => `${((n * PAPER_SAMPLES_PER_OURS) / 1e6).toFixed(0)}M`;
  const notes = [
    "Size mapping as in vit-size: 3.4B samples ↔ one pass over our 32,691 pictogram pairs (one sample ≈ 104k of theirs);",
    `one-epoch budgets ${plan.budgets.map((n) => `${n} ≈ ${paper(n)}`).join(", ")}; the paper's retrieval crossover at 400M ≈ 3,850 of ours.`,
    `Towers at 32 px: ${ARCHITECTURES.map((a) => `${a.model} for ${a.paper}`).join(", ")}; ConvNeXt-T and Swin-T have no analogue here.`,
    "Metrics: emoji-441 zero-shot ↔ ImageNet zero-shot; its edge-map, low-resolution and hand-drawn-sketch",
    "variants ↔ the ImageNet distribution-shift sets; Noto caption retrieval ↔ COCO; noto-subgroups linear probe ↔ ImageNet linear probe.",
  ];
  return { section: "architectures", profile, runs, notes: notes.join("\n") };
}

export const architecturesSection: Section = {
  name: "architectures",
  title: "ViT vs ResNet vs MLP-Mixer at similar FLOPs (Scaling (Down) CLIP Sec. 6, Fig. 12–15, 21)",
  build: (profile) => architecturesSweep(profile),
};
