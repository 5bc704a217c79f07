/**
 * Fluent UI emoji (npm `fluentui-emoji`, MIT, Microsoft's artwork): 3,145 "flat" SVGs named by slug
 * only (`baguette-bread.svg`, `man-dancing-dark.svg`). They join emojibase by the slug of the CLDR name,
 * after stripping Fluent's skin-tone suffix; the few files whose slug differs from the CLDR name are
 * mapped by {@link FLUENT_ALIASES} (a join table, no caption text of ours).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type EmojiEntry, emojiCaption, loadEmojibase } from "./emojibase";
import { packageDir, packageVersion } from "./packages";
import { countSkip, type SourceItem, type SourceListing } from "./types";

/** Fluent's skin-tone suffixes → CLDR tone number (0 = the default yellow, i.e. the base emoji). */
export const FLUENT_TONES: Record<string, number> = {
  default: 0,
  light: 1,
  "medium-light": 2,
  medium: 3,
  "medium-dark": 4,
  dark: 5,
};
const TONE_SUFFIX_RE = /-(default|light|medium-light|medium|medium-dark|dark)$/;

/**
 * Fluent file slugs (tone suffix removed) whose emoji has another CLDR name in emojibase 17; the
 * value is the emojibase label (CLDR renamed several: 😡 "pouting face" → "enraged face"). Each was
 * checked against the rendered artwork; a test checks that every value is an emojibase label.
 */
export const FLUENT_ALIASES: Record<string, string> = {
  blackbird: "black bird",
  "hugging-face": "smiling face with open hands",
  "keycap-asterisk": "keycap: *",
  "keycap-hashtag": "keycap: #",
  "knocked-out-face": "face with crossed-out eyes",
  "pouting-face": "enraged face",
  "red-triangle": "red triangle pointed up",
  "phoenix-bird": "phoenix",
  "stuffedbread-flat": "stuffed flatbread",
  "man-blonde-hair": "man: blond hair",
  "woman-blonde-hair": "woman: blond hair",
  "person-blonde-hair": "person: blond hair",
  "man-deaf": "deaf man",
  "woman-deaf": "deaf woman",
  "person-deaf": "deaf person",
  "man-merpeople": "merman",
  "woman-merpeople": "mermaid",
  "person-merpeople": "merperson",
  "man-with-bunny-ears": "men with bunny ears",
  "woman-with-bunny-ears": "women with bunny ears",
  "person-with-bunny-ears": "people with bunny ears",
  "man-wrestling": "men wrestling",
  "woman-wrestling": "women wrestling",
  "person-wrestling": "people wrestling",
  "person-elf": "elf",
  "person-fairy": "fairy",
  "person-genie": "genie",
  "person-mage": "mage",
  "person-superhero": "superhero",
  "person-supervillain": "supervillain",
  "person-vampire": "vampire",
  "person-zombie": "zombie",
};

export type FluentStyle = "flat" | "modern" | "high-contrast";

/** Resolves a Fluent file slug to its emojibase base entry and tone (0 = base), or undefined. */
export function resolveFluentSlug(slug: string): { entry: EmojiEntry; tone: number } | undefined {
  const eb = loadEmojibase();
  const byLabel = (label: string | undefined): EmojiEntry | undefined =>
    label === undefined ? undefined : eb.bases.find((e) => e.label === label);
  const exact = eb.bySlug.get(slug) ?? byLabel(FLUENT_ALIASES[slug]);
  if (exact) return { entry: exact, tone: 0 };
  const m = TONE_SUFFIX_RE.exec(slug);
  if (!m) return undefined;
  const stem = slug.slice(0, m.index);
  const entry = eb.bySlug.get(stem) ?? byLabel(FLUENT_ALIASES[stem]);
  return entry ? { entry, tone: FLUENT_TONES[m[1]!]! } : undefined;
}

/** Lists the Fluent emoji of one style with emojibase captions (tones share the base caption). */
export function listFluent(style: FluentStyle = "flat"): SourceListing {
  const dir = path.join(packageDir("fluentui-emoji"), "icons", style);
  const eb = loadEmojibase();
  const skipped: Record<string, number> = {};
  const items: SourceItem[] = [];
  for (const f of fs.readdirSync(dir).sort()) {
    if (!f.endsWith(".svg")) continue;
    const slug = f.slice(0, -4);
    const hit = resolveFluentSlug(slug);
    if (!hit) {
      countSkip(skipped, "no-emojibase-match");
      continue;
    }
    const { name, caption, tags } = emojiCaption(hit.entry, eb);
    items.push({
      key: `fluent-${style}-${slug}`,
      caption,
      source: "fluent",
      style,
      name,
      tags,
      ...(hit.entry.group ? { group: hit.entry.group } : {}),
      ...(hit.entry.subgroup ? { subgroup: hit.entry.subgroup } : {}),
      file: path.join(dir, f),
      ext: "svg",
      extra: { hexcode: hit.entry.hex, ...(hit.tone ? { skinTone: hit.tone } : {}) },
    });
  }
  return {
    source: "fluent",
    items,
    skipped,
    inputs: { "fluentui-emoji": packageVersion("fluentui-emoji"), "emojibase-data": eb.version },
    licence: "MIT",
  };
}
