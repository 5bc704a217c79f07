/** Registry of training strategies: one exhaustive record keyed by name (never substring dispatch). */
import { PRESETS } from "../models/presets";
import { kebab } from "../util/args";
import { createCatlip } from "./catlip";
import { clipStrategy } from "./clip";
import { createClipAug } from "./clip-aug";
import { createFlip } from "./flip";
import { checkOptionChoices, optionsOf } from "./options";
import { createSiglip } from "./siglip";
import { createSlip } from "./slip";
import type { Strategy, StrategyOptions } from "./strategy";

export type StrategyName = "clip" | "clip-aug" | "slip" | "flip" | "siglip" | "catlip";

export interface StrategyEntry {
  /** One line for `--help` and reports. */
  summary: string;
  /** A fresh strategy (with its own per-run state) for these options. */
  create(opts: StrategyOptions): Strategy;
}

export const STRATEGIES: Record<StrategyName, StrategyEntry> = {
  clip: { summary: "CLIP symmetric InfoNCE", create: () => clipStrategy },
  "clip-aug": { summary: "CLIP + an augmentation policy on the image", create: createClipAug },
  slip: { summary: "CLIP + SimCLR on two more views", create: createSlip },
  flip: { summary: "CLIP with ViT patch dropout", create: createFlip },
  siglip: { summary: "pairwise sigmoid loss with learned bias", create: createSiglip },
  catlip: { summary: "image tower + WordNet-synset classifier, BCE", create: createCatlip },
};

export const STRATEGY_NAMES = Object.keys(STRATEGIES) as StrategyName[];

/** One line per strategy with the flags of its options, for `clipdown train --help`. */
export function strategyHelp(): string[] {
  return STRATEGY_NAMES.map((name) => {
    const flags = optionsOf(name).map((k) => `--${kebab(k)}`);
    return `${name.padEnd(9)} ${STRATEGIES[name].summary}${flags.length ? ` (${flags.join(", ")})` : ""}`;
  });
}

function entry(name: string): StrategyEntry {
  const s = (STRATEGIES as Record<string, StrategyEntry>)[name];
  if (!s) throw new Error(`unknown strategy "${name}"; valid strategies: ${STRATEGY_NAMES.join(", ")}`);
  return s;
}

/** Builds a strategy by name; the error lists the valid names. */
export function createStrategy(name: string, opts: StrategyOptions = {}): Strategy {
  return entry(name).create(opts);
}

/** A strategy with default options (same as `createStrategy(name)`). */
export function getStrategy(name: string): Strategy {
  return createStrategy(name);
}

/**
 * Config-time checks of the strategy fields, before any data is loaded: names exist, values are in
 * range, and the strategy suits the model preset
 * (FLIP needs a ViT). Errors name the field and the fix.
 */
export function checkStrategyConfig(cfg: { strategy: string; model: string } & StrategyOptions): void {
  checkOptionChoices(cfg);
  const strategy = entry(cfg.strategy).create(cfg); // the factories validate their numeric options
  const preset = (PRESETS as Record<string, { image: { kind: string } }>)[cfg.model];
  if (preset) strategy.check?.({ config: { name: cfg.model, image: preset.image } });
}

export type {
  BatchInput,
  InitContext,
  LabelledImages,
  LossOutput,
  ModelShape,
  StepContext,
  Strategy,
  StrategyOptions,
  TensorBatch,
} from "./strategy";
