/**
 * The held-out evaluation sets, derived from the Noto style (emoji-datasource-google), which never
 * enters pre-training, and OpenMoji's black line-art style (the sketch variant):
 *
 * - Noto retrieval: every base Noto emoji (skin-tone variants folded away) with its emojibase caption.
 * - Emoji-441: emojibase emoji in groups 3–7 (animals-nature … objects) whose CLDR name, spaces → "_",
 *   is a lemma in WordNet 3.0's index.noun, and that have both a Noto and an OpenMoji image
 *   (data-sources.md §3). One Noto image per class; the class name is the CLDR name.
 * - Noto subgroups: base Noto emoji labelled by their CLDR subgroup (the "component" group, skin-tone
 *   swatches and hair pieces, is not a picture of a thing and is left out).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { WordNet } from "../../text/wordnet";
import { type EmojiEntry, loadEmojibase } from "./emojibase";
import { packageDir, readPackageJson } from "./packages";
import { normHex } from "./text";

/** emojibase group indices Emoji-441 draws from: animals-nature, food-drink, travel-places, activities, objects. */
export const EMOJI441_GROUPS = [3, 4, 5, 6, 7] as const;

/** Normalised hexcodes of the emoji that have a Noto 64 px PNG. */
export function notoHexes(): Set<string> {
  const rows = readPackageJson<{ unified: string; image: string; has_img_google?: boolean }[]>(
    "emoji-datasource-google",
    "emoji.json",
  );
  const dir = path.join(packageDir("emoji-datasource-google"), "img", "google", "64");
  return new Set(
    rows
      .filter((r) => r.has_img_google && fs.existsSync(path.join(dir, r.image)))
      .map((r) => normHex(r.unified)),
  );
}

/** Normalised hexcodes of the emoji that have an OpenMoji SVG in both styles. */
export function openMojiHexes(): Set<string> {
  const rows = readPackageJson<{ hexcode: string }[]>("openmoji", "data/openmoji.json");
  const root = packageDir("openmoji");
  return new Set(
    rows
      .filter(
        (r) =>
          fs.existsSync(path.join(root, "color", "svg", `${r.hexcode}.svg`)) &&
          fs.existsSync(path.join(root, "black", "svg", `${r.hexcode}.svg`)),
      )
      .map((r) => normHex(r.hexcode)),
  );
}

/**
 * The Emoji-441 classes in emojibase order: one entry per class, its name the CLDR label.
 * Joins on hexcodes compared without U+FE0F (see report: a join that keeps FE0F drops ~60 classes).
 */
export function emoji441Classes(wn: WordNet = new WordNet()): EmojiEntry[] {
  const eb = loadEmojibase();
  const noto = notoHexes();
  const om = openMojiHexes();
  const groups = new Set<number>(EMOJI441_GROUPS);
  return eb.bases.filter(
    (e) =>
      e.groupIndex !== undefined &&
      groups.has(e.groupIndex) &&
      wn.hasNoun(e.label.replace(/ /g, "_")) &&
      noto.has(e.hex) &&
      om.has(e.hex),
  );
}

/** Subgroup classes over base Noto emoji: class names in emojibase order and each hexcode's label. */
export function notoSubgroupClasses(): { classes: string[]; labelOf: Map<string, number> } {
  const eb = loadEmojibase();
  const noto = notoHexes();
  const classes: string[] = [];
  const index = new Map<string, number>();
  const labelOf = new Map<string, number>();
  for (const e of eb.bases) {
    if (!noto.has(e.hex) || !e.subgroup || !e.group || e.group === "component") continue;
    let k = index.get(e.subgroup);
    if (k === undefined) {
      k = classes.length;
      index.set(e.subgroup, k);
      classes.push(e.subgroup.replace(/-/g, " ")); // "animal-mammal" → "animal mammal", a prompt-ready name
    }
    labelOf.set(e.hex, k);
  }
  return { classes, labelOf };
}

/** The rule's thresholds (see {@link notoNounClasses}); part of the dataset's build parameters. */
export interface NounClassRule {
  /** A class noun must occur in at least this many pre-training captions. */
  minCaptions: number;
  /** … and head at least this many base Noto emoji names. */
  minImages: number;
  /** At most this many images per class (evenly spaced in emojibase order), so no class dominates. */
  maxPerClass: number;
}

export const NOUN_CLASS_RULE: NounClassRule = { minCaptions: 20, minImages: 4, maxPerClass: 10 };

/** Words after which a CLDR name stops describing its head thing: "face with tears of joy" → "face". */
const HEAD_STOP = /\s(?:with|in|of|on|for|at|from|without|under|over|and|&|to|into|behind|holding)\s/i;

/**
 * The head segment of a CLDR name: the text before the first ":", "," or "(" and before the first
 * preposition or conjunction. "grinning face with big eyes" → "grinning face"; "flag: Germany" →
 * "flag"; "A button (blood type)" → "A button".
 */
export function headSegment(label: string): string {
  let seg = label.split(/[:,(]/)[0]!;
  const m = HEAD_STOP.exec(seg);
  if (m) seg = seg.slice(0, m.index);
  return seg.trim();
}

/** What {@link notoNounClasses} decided: the classes and each kept hexcode's label. */
export interface NounClasses {
  classes: string[];
  labelOf: Map<string, number>;
  /** Per class: training captions containing the noun, Noto names it heads, images kept. */
  stats: { name: string; captions: number; heads: number; kept: number }[];
}

/**
 * The primary zero-shot benchmark's classes: frequent caption nouns, read off held-out Noto names.
 *
 * 1. Nouns come from CatLIP's "paper" rule (`NounExtractor`: POS tags, lemmas, WordNet nouns, meta
 *    words such as "icon" and "symbol" dropped), so a class is a word the pre-training text uses.
 * 2. A base Noto emoji (component group excluded) is labelled by the LAST noun of its name's head
 *    segment ({@link headSegment}): in English the head of "police car" is "car", and the text after
 *    "with"/"of"/":" qualifies it ("cat with tears of joy" is a cat). This resolves every ambiguity:
 *    an image has one label or none (no noun in its head segment).
 * 3. A noun is a class when at least `minCaptions` pre-training captions contain it (counted over the
 *    npm sources only, so the classes do not depend on whether Debian's OpenClipart is installed)
 *    and it labels at least `minImages` Noto images.
 * 4. Each class keeps at most `maxPerClass` images, evenly spaced in emojibase order (flags and faces
 *    would otherwise be two thirds of the set).
 * Classes are ordered by how many Noto names they head (ties by name).
 */
export function notoNounClasses(
  trainingCaptions: readonly string[],
  extract: (text: string) => string[],
  rule: NounClassRule = NOUN_CLASS_RULE,
): NounClasses {
  const freq = new Map<string, number>();
  for (const c of trainingCaptions) {
    for (const n of new Set(extract(c))) freq.set(n, (freq.get(n) ?? 0) + 1);
  }
  const eb = loadEmojibase();
  const noto = notoHexes();
  const heads = new Map<string, string[]>();
  for (const e of eb.bases) {
    if (!noto.has(e.hex) || !e.group || e.group === "component") continue;
    const nouns = extract(headSegment(e.label));
    const head = nouns[nouns.length - 1];
    if (!head) continue;
    const list = heads.get(head) ?? [];
    list.push(e.hex);
    heads.set(head, list);
  }
  const kept = [...heads]
    .filter(([n, hexes]) => hexes.length >= rule.minImages && (freq.get(n) ?? 0) >= rule.minCaptions)
    .sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
  const classes: string[] = [];
  const labelOf = new Map<string, number>();
  const stats: NounClasses["stats"] = [];
  for (const [name, hexes] of kept) {
    const k = Math.min(hexes.length, rule.maxPerClass);
    for (let i = 0; i < k; i++) labelOf.set(hexes[Math.floor((i * hexes.length) / k)]!, classes.length);
    classes.push(name);
    stats.push({ name, captions: freq.get(name) ?? 0, heads: hexes.length, kept: k });
  }
  return { classes, labelOf, stats };
}
