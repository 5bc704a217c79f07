/**
 * Prompt templates for zero-shot classification: named sets for the embedded tasks, and
 * user-supplied files (one template per line containing `{}`; blank lines and `#` comments skipped).
 */
import * as fs from "node:fs";

/** Named template sets; `{}` is replaced by the class name. */
export const TEMPLATE_SETS = {
  /** Emoji and icon styles (Emoji-441, Noto subgroups); the set used during training-time eval. */
  emoji: ["an emoji of a {}.", "a drawing of a {}.", "an icon of a {}.", "{}"],
  /** Line drawings (edge-map and OpenMoji line-art variants). */
  drawing: [
    "a drawing of a {}.",
    "a line drawing of a {}.",
    "a black and white icon of a {}.",
    "an outline of a {}.",
    "{}",
  ],
  /** Icon sets. */
  icon: ["an icon of a {}.", "a {} icon.", "a pictogram of a {}.", "a symbol of a {}.", "{}"],
  /** Photographs (Fashion-MNIST), after CLIP's ImageNet prompts. */
  photo: [
    "a photo of a {}.",
    "a black and white photo of a {}.",
    "a low resolution photo of a {}.",
    "a photo of the {}.",
    "{}",
  ],
} as const satisfies Record<string, readonly string[]>;

export type TemplateSetName = keyof typeof TEMPLATE_SETS;
export const TEMPLATE_SET_NAMES = Object.keys(TEMPLATE_SETS) as TemplateSetName[];

/** Parses template text (one per line); errors name the line that lacks `{}`. */
export function parseTemplates(text: string, source = "templates"): string[] {
  const out: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    if (!line.includes("{}"))
      throw new Error(`${source}:${i + 1}: template "${line}" has no {} placeholder for the class name`);
    out.push(line);
  });
  if (out.length === 0) throw new Error(`${source}: no templates (one per line, each containing {})`);
  return out;
}

/** A named set (`emoji`, `drawing`, `icon`, `photo`) or a path to a template file. */
export function resolveTemplates(spec: string): string[] {
  const named = (TEMPLATE_SETS as Record<string, readonly string[]>)[spec];
  if (named) return [...named];
  if (!fs.existsSync(spec)) {
    throw new Error(
      `templates "${spec}" is neither a named set (${TEMPLATE_SET_NAMES.join(", ")}) nor an existing file`,
    );
  }
  return parseTemplates(fs.readFileSync(spec, "utf8"), spec);
}
