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
