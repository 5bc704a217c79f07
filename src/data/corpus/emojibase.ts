/**
 * The caption source of every emoji style: emojibase-data's English CLDR data (`en/data.json`), one
 * entry per emoji with its short name (`label`), keywords (`tags`), group and subgroup. Emoji images
 * from other packages join it on the code point sequence (hexcode, compared without U+FE0F).
 */
import { packageVersion, readPackageJson } from "./packages";
import { buildCaption, foldSkinTone, keyPart, normHex } from "./text";

interface RawEmoji {
  label: string;
  hexcode: string;
  tags?: string[];
  group?: number;
  subgroup?: number;
  skins?: RawEmoji[];
  /** Skin tone 1–5 of a single-tone variant, or a list for multi-person variants. */
  tone?: number | number[];
}

interface RawMessages {
  groups: { key: string; order: number }[];
  subgroups: { key: string; order: number }[];
}

/** One emoji (base or skin-tone variant) with its caption parts. */
export interface EmojiEntry {
  /** Normalised hexcode (see `normHex`). */
  hex: string;
  /** CLDR short name as emojibase gives it (skin tones not folded). */
  label: string;
  tags: string[];
  /** Group index 0–9 (3–7 are the object groups Emoji-441 draws from); undefined for regional indicators. */
  groupIndex?: number;
  group?: string;
  subgroup?: string;
  /** Hex of the base emoji for skin-tone variants; undefined for base emoji. */
  baseHex?: string;
  /** Tone number 1–5 of a single-tone variant; multi-person variants list several in the label. */
  tone?: number;
}

export interface EmojiIndex {
  /** Every entry, base and variants, by normalised hexcode. */
  byHex: Map<string, EmojiEntry>;
  /** Base entries by `emojiSlug(label)`, the slug Fluent's file names use. */
  bySlug: Map<string, EmojiEntry>;
  /** Base entries in emojibase order. */
  bases: EmojiEntry[];
  version: string;
}

let cached: EmojiIndex | undefined;

/** "man's shoe" → "mans-shoe", "piñata" → "pinata": the file-name slug of a CLDR name. */
export function emojiSlug(label: string): string {
  return keyPart(label.replace(/['\u2019]/g, ""));
}

/** Loads and indexes emojibase-data/en (once per process). */
export function loadEmojibase(): EmojiIndex {
  if (cached) return cached;
  const data = readPackageJson<RawEmoji[]>("emojibase-data", "en/data.json");
  const msgs = readPackageJson<RawMessages>("emojibase-data", "en/messages.json");
  const groupKey = new Map(msgs.groups.map((g) => [g.order, g.key]));
  const subKey = new Map(msgs.subgroups.map((g) => [g.order, g.key]));
  const byHex = new Map<string, EmojiEntry>();
  const bySlug = new Map<string, EmojiEntry>();
  const bases: EmojiEntry[] = [];
  const entry = (e: RawEmoji, base?: EmojiEntry, tone?: number): EmojiEntry => ({
    hex: normHex(e.hexcode),
    label: e.label,
    tags: e.tags ?? base?.tags ?? [],
    ...(e.group !== undefined ? { groupIndex: e.group, group: groupKey.get(e.group) } : {}),
    ...(e.subgroup !== undefined ? { subgroup: subKey.get(e.subgroup) } : {}),
    ...(base ? { baseHex: base.hex } : {}),
    ...(tone !== undefined ? { tone } : {}),
  });
  for (const raw of data) {
    const base = entry(raw);
    byHex.set(base.hex, base);
    bases.push(base);
    const slug = emojiSlug(base.label);
    // The first entry wins a slug clash ("keycap: *" and "keycap: #" both slug to "keycap").
    if (!bySlug.has(slug)) bySlug.set(slug, base);
    for (const s of raw.skins ?? []) {
      const tone =
        typeof (s as { tone?: unknown }).tone === "number" ? (s as { tone: number }).tone : undefined;
      const v = entry(s, base, tone);
      byHex.set(v.hex, v);
    }
  }
  cached = { byHex, bySlug, bases, version: packageVersion("emojibase-data") };
  return cached;
}

/**
 * Caption of an emoji: its name with skin tones folded, then its emojibase keywords (a variant uses its
 * base emoji's name and keywords, so all tones of one emoji share one caption).
 */
export function emojiCaption(
  e: EmojiEntry,
  index: EmojiIndex,
): { name: string; caption: string; tags: string[] } {
  const base = e.baseHex ? (index.byHex.get(e.baseHex) ?? e) : e;
  const name = foldSkinTone(base.label);
  const { caption, tags } = buildCaption(name, base.tags);
  return { name, caption, tags };
}
