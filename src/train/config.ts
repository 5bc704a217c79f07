/**
 * `TrainConfig`: every field of a training run, its default, and validation with errors that name
 * the field and the allowed values. The CLI flags (kebab-case) and `--config` JSON (camelCase or
 * kebab-case) both map onto these fields; unknown fields are errors so a typo never runs silently.
 */
import { DEFAULT_MAX_BAD_FRACTION } from "../data/bad-samples";
import { CAPTION_MODES, checkCaptionMode } from "../data/caption-sampling";
import type { PresetOpts } from "../models/presets";
import { checkStrategyConfig, STRATEGY_NAMES } from "../strategies";
import {
  addedAfterResultsDefaults,
  STRATEGY_OPTION_NAMES,
  STRATEGY_OPTIONS,
  type StrategyOptionName,
  type StrategyOptionValues,
  strategyOptionDefaults,
} from "../strategies/options";
import { camel, kebab } from "../util/args";

/** A training run's configuration; the strategy options (augment, mask-ratio, …) come from src/strategies/options.ts. */
export interface TrainConfig extends StrategyOptionValues {
  model: string;
  strategy: string;
  data: string;
  subset: number;
  qualityTop: number;
  qualityScores: string;
  samples: number;
  batch: number;
  accumSteps: number;
  lr: number;
  minLr: number;
  wd: number;
  warmup: number;
  beta1: number;
  beta2: number;
  eps: number;
  clipNorm: number;
  imageSize: number;
  contextLength: number;
  /** Text-tower overrides (0 = the preset's width / depth / heads). */
  textWidth: number;
  textDepth: number;
  textHeads: number;
  /** Initial exp(logit_scale), the inverse temperature (0 = CLIP's 1 / 0.07 ≈ 14.3). */
  logitScaleInit: number;
  /** How a training caption is shown to the model each time it is drawn (src/data/caption-sampling.ts). */
  captions: string;
  /** tokenizer.json to use ("" = `<data>/tokenizer.json`, trained on the data's captions if absent). */
  tokenizer: string;
  /** Fail when more than this fraction of the data's samples is bad (decoded when the cache is built). */
  maxBadFraction: number;
  seed: number;
  out: string;
  evalEvery: number;
  evalSize: number;
  evalData: string;
  logEvery: number;
  checkpointEvery: number;
  resume: boolean;
  stopAt: number;
  quiet: boolean;
}

type FieldKind = "string" | "int" | "number" | "boolean";
interface FieldSpec {
  kind: FieldKind;
  help: string;
  min?: number;
  max?: number;
  /** Lower bound excluded (value must be > min). */
  exclusiveMin?: boolean;
  /** A string field where "" is meaningful (e.g. "use the default location"). */
  allowEmpty?: boolean;
}

/**
 * The defaults are the recipe measured at this scale (src/papers/clipdown/recipe.ts
 * `CHOSEN_RECIPE`, results/recipe.jsonl): lr, batch, wd, warmup (10 % of the steps), caption
 * sampling; a test keeps them equal. The recipe's 64-wide, 2-layer text tower is the quickstart's
 * (`--text-width 64 --text-depth 2` for `clipdown train`), since the default must fit every preset.
 */
export const TRAIN_DEFAULTS: TrainConfig = {
  model: "vit-ti/8",
  strategy: "clip",
  data: "data/pictograms",
  subset: 0,
  qualityTop: 100,
  qualityScores: "",
  samples: 102400,
  batch: 256,
  accumSteps: 1,
  lr: 1e-3,
  minLr: 1e-6,
  wd: 0.1,
  warmup: 40,
  beta1: 0.9,
  beta2: 0.98,
  eps: 1e-6,
  clipNorm: 1,
  imageSize: 32,
  contextLength: 16,
  // The preset's text tower: presets include tiny test models (nano: 16 wide) that a fixed width
  // would swamp. The recipe's 64 × 2 is set where vit-ti/8 trains (quickstart, --text-width 64 --text-depth 2).
  textWidth: 0,
  textDepth: 0,
  textHeads: 0,
  logitScaleInit: 0,
  captions: "mix",
  tokenizer: "",
  maxBadFraction: DEFAULT_MAX_BAD_FRACTION,
  seed: 0,
  out: "runs/default",
  evalEvery: 0,
  evalSize: 1000,
  evalData: "data",
  logEvery: 10,
  checkpointEvery: 0,
  resume: false,
  stopAt: 0,
  quiet: false,
  ...strategyOptionDefaults(),
};

/** The strategy options as config fields, their help prefixed with the strategy that reads them. */
function strategyOptionFields(): Record<StrategyOptionName, FieldSpec> {
  return Object.fromEntries(
    STRATEGY_OPTION_NAMES.map((k) => {
      const o: (typeof STRATEGY_OPTIONS)[StrategyOptionName] = STRATEGY_OPTIONS[k];
      const choices = "choices" in o ? ` (${o.choices.join(", ")})` : "";
      const spec: FieldSpec = { kind: o.kind, help: `${o.strategy}: ${o.help}${choices}` };
      if ("min" in o) spec.min = o.min;
      if ("max" in o) spec.max = o.max;
      return [k, spec];
    }),
  ) as Record<StrategyOptionName, FieldSpec>;
}

export const TRAIN_FIELDS: Record<keyof TrainConfig, FieldSpec> = {
  model: { kind: "string", help: "model preset (e.g. nano, vit-ti/8, vit-s/8, rn-s, mixer-b/8)" },
  strategy: { kind: "string", help: `training strategy: ${STRATEGY_NAMES.join(", ")}` },
  data: { kind: "string", help: "dataset directory with WebDataset shards" },
  subset: { kind: "int", min: 0, help: "train on this many pairs, a fixed seeded subset (0 = all)" },
  qualityTop: {
    kind: "int",
    min: 1,
    max: 100,
    help: "train on the top N % of pairs by quality score (100 = all; scores from clipdown data score)",
  },
  qualityScores: {
    kind: "string",
    allowEmpty: true,
    help: "directory whose quality.json ranks the pairs for --quality-top (empty = the data directory)",
  },
  samples: { kind: "int", min: 1, help: "budget: training samples seen" },
  batch: { kind: "int", min: 1, help: "global batch size (samples per optimiser step)" },
  accumSteps: {
    kind: "int",
    min: 1,
    help: "micro-batches per step (gradient accumulation; batch must divide; contrastive losses see only each micro-batch's negatives)",
  },
  lr: { kind: "number", min: 0, exclusiveMin: true, help: "peak learning rate" },
  minLr: { kind: "number", min: 0, help: "final learning rate of the cosine decay" },
  wd: { kind: "number", min: 0, help: "decoupled weight decay" },
  warmup: { kind: "int", min: 0, help: "linear warmup steps" },
  beta1: { kind: "number", min: 0, max: 0.999999, help: "AdamW beta1" },
  beta2: { kind: "number", min: 0, max: 0.999999, help: "AdamW beta2" },
  eps: { kind: "number", min: 0, exclusiveMin: true, help: "AdamW epsilon" },
  clipNorm: { kind: "number", min: 0, help: "clip gradients to this global norm (0 = off)" },
  imageSize: { kind: "int", min: 8, max: 512, help: "image side in pixels" },
  contextLength: { kind: "int", min: 4, max: 256, help: "text tokens per caption" },
  textWidth: { kind: "int", min: 0, max: 1024, help: "text tower width (0 = the preset's)" },
  textDepth: { kind: "int", min: 0, max: 24, help: "text tower layers (0 = the preset's)" },
  textHeads: { kind: "int", min: 0, max: 32, help: "text tower heads (0 = the preset's, or width / 32)" },
  logitScaleInit: {
    kind: "number",
    min: 0,
    max: 100,
    help: "initial inverse temperature exp(logit_scale) (0 = CLIP's 1/0.07 ≈ 14.3; clamped at 100 in training)",
  },
  captions: {
    kind: "string",
    help: `caption sampling at training time: ${CAPTION_MODES.join(", ")} (src/data/caption-sampling.ts)`,
  },
  seed: { kind: "int", min: 0, help: "random seed (init, data order)" },
  out: { kind: "string", help: "run directory" },
  evalEvery: { kind: "int", min: 0, help: "evaluate every N samples (0 = only at the end)" },
  evalSize: { kind: "int", min: 0, help: "max held-out images per eval set during training (0 = all)" },
  tokenizer: {
    kind: "string",
    allowEmpty: true,
    help: "tokenizer.json to use (default <data>/tokenizer.json; trained on the data's captions if absent)",
  },
  maxBadFraction: {
    kind: "number",
    min: 0,
    max: 1,
    help: "fail when more than this fraction of the data's samples is bad",
  },
  evalData: { kind: "string", help: "root with the held-out sets (emoji-441, noto)" },
  logEvery: { kind: "int", min: 1, help: "log metrics every N steps" },
  checkpointEvery: {
    kind: "int",
    min: 0,
    help: "write last.safetensors every N samples (0 = at evals and end)",
  },
  resume: { kind: "boolean", help: "continue from <out>/last.safetensors" },
  stopAt: {
    kind: "int",
    min: 0,
    help: "end this invocation after N samples with a checkpoint; --resume continues (0 = off)",
  },
  quiet: { kind: "boolean", help: "no progress output" },
  ...strategyOptionFields(),
};

/**
 * Validates a partial config (camelCase or kebab-case keys) and merges it over the defaults.
 * Throws naming the field, the value and the allowed range.
 */
export function resolveTrainConfig(
  raw: Record<string, unknown>,
  base: TrainConfig = TRAIN_DEFAULTS,
): TrainConfig {
  const out: TrainConfig = { ...base };
  const valid = Object.keys(TRAIN_FIELDS);
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const field = camel(key) as keyof TrainConfig;
    const spec = TRAIN_FIELDS[field];
    if (!spec) {
      throw new Error(`unknown train config field "${key}"; valid fields: ${valid.map(kebab).join(", ")}`);
    }
    (out as unknown as Record<string, unknown>)[field] = checkField(field, spec, value);
  }
  if (out.batch % out.accumSteps !== 0) {
    throw new Error(`accum-steps (${out.accumSteps}) must divide batch (${out.batch})`);
  }
  if (out.minLr > out.lr) throw new Error(`min-lr (${out.minLr}) must be <= lr (${out.lr})`);
  if (out.samples < out.batch) throw new Error(`samples (${out.samples}) must be >= batch (${out.batch})`);
  if (out.unmaskedTuneSamples >= out.samples)
    throw new Error(`unmasked-tune-samples (${out.unmaskedTuneSamples}) must be < samples (${out.samples})`);
  checkCaptionMode(out.captions);
  checkStrategyConfig(out);
  return out;
}

/**
 * Fields added after results were first published, with the value that reproduces the behaviour
 * from before they existed. A train spec leaves a field out while it has that value, so the hashes
 * (run directories) of earlier published runs stay what they were.
 */
export const LEGACY_NEUTRAL: Partial<TrainConfig> = {
  textWidth: 0,
  textDepth: 0,
  textHeads: 0,
  logitScaleInit: 0,
  captions: "full",
  tokenizer: "",
  maxBadFraction: DEFAULT_MAX_BAD_FRACTION,
  // Strategy options declared `addedAfterResults` (strategies/options.ts), at their defaults.
  ...addedAfterResultsDefaults(),
};

/** The model-shape options of a config, as `resolvePreset` takes them. */
export function presetOpts(
  cfg: Pick<TrainConfig, "imageSize" | "contextLength"> &
    Partial<Pick<TrainConfig, "textWidth" | "textDepth" | "textHeads" | "logitScaleInit">>,
  vocabSize: number,
): PresetOpts {
  return {
    imageSize: cfg.imageSize,
    vocabSize,
    contextLength: cfg.contextLength,
    text: { width: cfg.textWidth ?? 0, depth: cfg.textDepth ?? 0, heads: cfg.textHeads ?? 0 },
    logitScaleInit: cfg.logitScaleInit ?? 0,
  };
}

function checkField(field: string, spec: FieldSpec, value: unknown): unknown {
  const name = kebab(field);
  if (spec.kind === "string") {
    if (typeof value !== "string" || (!value && !spec.allowEmpty))
      throw new Error(`${name} must be a non-empty string, got ${JSON.stringify(value)}`);
    return value;
  }
  if (spec.kind === "boolean") {
    if (typeof value !== "boolean")
      throw new Error(`${name} must be true or false, got ${JSON.stringify(value)}`);
    return value;
  }
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new Error(`${name} must be a finite number, got ${JSON.stringify(value)}`);
  }
  if (spec.kind === "int" && !Number.isInteger(value))
    throw new Error(`${name} must be an integer, got ${value}`);
  const lo = spec.min;
  if (lo !== undefined && (spec.exclusiveMin ? value <= lo : value < lo)) {
    throw new Error(`${name} must be ${spec.exclusiveMin ? ">" : ">="} ${lo}, got ${value}`);
  }
  if (spec.max !== undefined && value > spec.max)
    throw new Error(`${name} must be <= ${spec.max}, got ${value}`);
  return value;
}

// The flag-name helpers live in util/args (strategies use them too); re-exported for the train CLI.
export { camel, kebab };
