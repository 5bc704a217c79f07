/**
 * Every strategy option, declared once: its strategy, type, default, range or choices, and help.
 * `StrategyOptions`, the strategy fields of `TrainConfig` and `TRAIN_DEFAULTS`, the `clipdown
 * train` flags and their help, the run-spec keys that change FLOPs, and the choice checks are all
 * derived from this record.
 */
import { POLICY_NAMES } from "../augment/policies";
import { MATCH_RULES } from "../text/nouns";
import { kebab } from "../util/args";

export type OptionKind = "string" | "int" | "number" | "boolean";

export interface StrategyOptionSpec {
  /** The strategy that reads it (others ignore it). */
  strategy: string;
  kind: OptionKind;
  default: string | number | boolean;
  help: string;
  min?: number;
  max?: number;
  /** The allowed values of a string option. */
  choices?: readonly string[];
  /**
   * Set on an option added after results were published: a run spec leaves it out while it has its
   * default, so the hashes of earlier runs (and the published lines) stay valid.
   */
  addedAfterResults?: true;
}

export const STRATEGY_OPTIONS = {
  augment: {
    strategy: "clip-aug",
    kind: "string",
    default: "crop-flip",
    choices: POLICY_NAMES,
    help: "image augmentation policy",
  },
  maskRatio: {
    strategy: "flip",
    kind: "number",
    default: 0.5,
    min: 0,
    max: 0.99,
    help: "fraction of ViT patches dropped per sample (0.5, 0.75)",
  },
  flipBatchScale: {
    strategy: "flip",
    kind: "int",
    default: 1,
    min: 1,
    max: 16,
    help: "multiply the batch by this (the paper uses 2 at 50 %)",
  },
  unmaskedTuneSamples: {
    strategy: "flip",
    kind: "int",
    default: 0,
    min: 0,
    help: "train the last N samples of the budget without masking (unmasked tuning)",
  },
  sslScale: {
    strategy: "slip",
    kind: "number",
    default: 1,
    min: 0,
    help: "weight of the SimCLR loss (SLIP uses 1)",
  },
  catlipMinCount: {
    strategy: "catlip",
    kind: "int",
    default: -1,
    min: -1,
    help: "Vτ, keep synsets in more than N captions (-1 = the paper's 500 scaled by corpus size / CC3M's 2.9M)",
  },
  catlipTopK: {
    strategy: "catlip",
    kind: "int",
    default: 0,
    min: 0,
    help: "keep only the K most frequent synsets (0 = no cap)",
  },
  catlipRule: {
    strategy: "catlip",
    kind: "string",
    default: "paper",
    choices: MATCH_RULES,
    help: "caption → synset rule, paper (POS nouns) or reference (corenet)",
  },
} as const satisfies Record<string, StrategyOptionSpec>;

export type StrategyOptionName = keyof typeof STRATEGY_OPTIONS;

type ValueOf<K extends OptionKind> = K extends "string" ? string : K extends "boolean" ? boolean : number;

/** Every strategy option with a value (the strategy fields of a `TrainConfig`). */
export type StrategyOptionValues = {
  -readonly [K in StrategyOptionName]: ValueOf<(typeof STRATEGY_OPTIONS)[K]["kind"]>;
};

export const STRATEGY_OPTION_NAMES = Object.keys(STRATEGY_OPTIONS) as StrategyOptionName[];

/** The options' defaults. */
export function strategyOptionDefaults(): StrategyOptionValues {
  return Object.fromEntries(
    STRATEGY_OPTION_NAMES.map((k) => [k, STRATEGY_OPTIONS[k].default]),
  ) as unknown as StrategyOptionValues;
}

/** The names of a strategy's options. */
export function optionsOf(strategy: string): StrategyOptionName[] {
  return STRATEGY_OPTION_NAMES.filter((k) => STRATEGY_OPTIONS[k].strategy === strategy);
}

/** Checks the choice-valued options; the error names the flag and the allowed values. */
export function checkOptionChoices(opts: Partial<Record<StrategyOptionName, unknown>>): void {
  for (const k of STRATEGY_OPTION_NAMES) {
    const spec: StrategyOptionSpec = STRATEGY_OPTIONS[k];
    const v = opts[k];
    if (v === undefined || !spec.choices) continue;
    if (!spec.choices.includes(v as string)) {
      throw new Error(`${kebab(k)} must be one of ${spec.choices.join(", ")}, got ${JSON.stringify(v)}`);
    }
  }
}

/**
 * The defaults of the options declared `addedAfterResults`: a train spec leaves such an option out
 * while it has this value (train/config `LEGACY_NEUTRAL`), so adding an option is this file alone.
 */
export function addedAfterResultsDefaults(
  options: Readonly<Record<string, StrategyOptionSpec>> = STRATEGY_OPTIONS,
): Record<string, string | number | boolean> {
  return Object.fromEntries(
    Object.entries(options)
      .filter(([, o]) => o.addedAfterResults)
      .map(([k, o]) => [k, o.default]),
  );
}
