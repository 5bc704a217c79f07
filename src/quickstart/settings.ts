/**
 * How big the quickstart (and notebook 00) run is. Profiles follow the experiments' convention:
 * `smoke` (seconds, for tests), `quick` (the default: a few minutes on 2 CPU cores), `full`
 * (longer, clearer results). `CLIPDOWN_PROFILE` picks one in notebooks; flags override fields.
 */
import * as path from "node:path";
import { CHOSEN_RECIPE } from "../papers/clipdown/recipe";
import { resolveTrainConfig, type TrainConfig } from "../train/config";

export const PROFILES = ["smoke", "quick", "full"] as const;
export type Profile = (typeof PROFILES)[number];

/** The knobs of a quickstart run. */
export interface QuickstartSettings {
  profile: Profile;
  model: string;
  samples: number;
  batch: number;
  lr: number;
  warmup: number;
  /** Held-out evaluations during training (zero-shot accuracy over training). */
  evals: number;
  /** Held-out images per evaluation (spread over each set). */
  evalSize: number;
  imageSize: number;
  /** Caption sampling at training time (src/data/caption-sampling.ts); the recipe sweep's choice. */
  captions: string;
  /** Text-tower width and depth (0 = the preset's); the recipe sweep's choice. */
  textWidth: number;
  textDepth: number;
  seed: number;
  /** Images in the similarity-matrix batch and in each example grid. */
  exampleCount: number;
}

// The measured recipe (src/papers/clipdown/recipe.ts, results/recipe.jsonl): lr, captions, text tower.
const BASE = {
  lr: CHOSEN_RECIPE.lr,
  imageSize: 32,
  seed: 0,
  captions: CHOSEN_RECIPE.captions,
  textWidth: CHOSEN_RECIPE.textWidth,
  textDepth: CHOSEN_RECIPE.textDepth,
} as const;

export const PROFILE_SETTINGS: Record<Profile, QuickstartSettings> = {
  // nano trains ~10× faster than vit-ti/8: enough steps to see the loss fall in seconds. Its own tiny
  // text tower (16 wide), not the recipe's.
  smoke: {
    ...BASE,
    textWidth: 0,
    textDepth: 0,
    profile: "smoke",
    model: "nano",
    samples: 1024,
    batch: 64,
    warmup: 4,
    evals: 2,
    evalSize: 64,
    exampleCount: 6,
  },
  // The default (`npm start`): 800 steps of 256, about 6 epochs of the corpus — well past the point
  // where the primary benchmark leaves chance (recipe sweep: 12 % mean per-class recall at 102,400
  // samples, 19 % at 307,200), inside `npm ci && npm start`'s 12 minutes on 2 cores.
  quick: {
    ...BASE,
    profile: "quick",
    model: "vit-ti/8",
    samples: 204800,
    batch: 256,
    warmup: 80,
    evals: 4,
    evalSize: 400,
    exampleCount: 8,
  },
  full: {
    ...BASE,
    profile: "full",
    model: "vit-ti/8",
    samples: 409600,
    batch: 256,
    warmup: 160,
    evals: 10,
    evalSize: 400,
    exampleCount: 10,
  },
};

/** The profile named by `CLIPDOWN_PROFILE` (default `quick`); an unknown name is an error. */
export function profileFromEnv(env: NodeJS.ProcessEnv = process.env): Profile {
  return parseProfile(env.CLIPDOWN_PROFILE || "quick", "CLIPDOWN_PROFILE");
}

/** Validates a profile name, naming the source (flag or variable) and the valid names. */
export function parseProfile(name: string, source = "--profile"): Profile {
  if ((PROFILES as readonly string[]).includes(name)) return name as Profile;
  throw new Error(`${source}: unknown profile "${name}"; valid: ${PROFILES.join(", ")}`);
}

/** Where the pieces live, relative to the project (or absolute). */
export interface QuickstartPaths {
  dataRoot: string;
  runDir: string;
  report: string;
}

/** The project root (notebooks run in notebooks/, so relative paths would point elsewhere there). */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/**
 * Default locations: `data/`, `runs/quickstart-<profile>`, `reports/quickstart.html` under `root`.
 * `CLIPDOWN_RUNS` moves the runs folder (the notebook tests train into a temporary one).
 */
export function defaultPaths(
  profile: Profile,
  root = ".",
  env: NodeJS.ProcessEnv = process.env,
): QuickstartPaths {
  return {
    dataRoot: path.join(root, "data"),
    runDir: path.join(env.CLIPDOWN_RUNS || path.join(root, "runs"), `quickstart-${profile}`),
    report: path.join(
      root,
      "reports",
      profile === "quick" ? "quickstart.html" : `quickstart-${profile}.html`,
    ),
  };
}

/** The training config of a quickstart run (validated by the trainer's own rules). */
export function quickstartTrainConfig(s: QuickstartSettings, p: QuickstartPaths): TrainConfig {
  const steps = Math.floor(s.samples / s.batch);
  // Evaluate `evals` times (the last one at the end), so the report has accuracy over training.
  const evalEvery = s.evals > 1 ? Math.max(1, Math.floor(steps / s.evals)) * s.batch : 0;
  return resolveTrainConfig({
    model: s.model,
    strategy: "clip",
    data: path.join(p.dataRoot, "pictograms"),
    evalData: p.dataRoot,
    samples: s.samples,
    batch: s.batch,
    lr: s.lr,
    warmup: Math.min(s.warmup, Math.max(0, steps - 1)),
    imageSize: s.imageSize,
    captions: s.captions,
    textWidth: s.textWidth,
    textDepth: s.textDepth,
    seed: s.seed,
    out: p.runDir,
    evalEvery,
    evalSize: s.evalSize,
    logEvery: Math.max(1, Math.min(10, Math.floor(steps / 50))),
  });
}
