/** Flags the inference commands (classify, embed, search, export web) share, spelled once. */
import type { FlagSpecs } from "../util/args";

export const CHECKPOINT_FLAG: FlagSpecs[string] = {
  kind: "string",
  help: "run directory (final, else last checkpoint) or a .safetensors file",
};

export const TEMPLATES_FLAG: FlagSpecs[string] = {
  kind: "string",
  help: "prompt templates: emoji, drawing, icon, photo, or a file (one per line with {})",
  default: "emoji",
};

export const DATA_DIR_FLAG: FlagSpecs[string] = {
  kind: "string",
  help: "where the run's tokenizer.json is (default: the run's training data)",
};
