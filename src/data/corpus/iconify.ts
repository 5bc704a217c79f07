/**
 * More emoji styles from `@iconify/json` (npm, optional dependency): issue "Learning that shows",
 * item 7. The held-out benchmarks are emoji in an art style never trained on (Noto), so the pairs
 * that teach most per image are the same emoji drawn in yet more styles. Iconify collects six emoji
 * sets that are not already in the corpus, each an SVG per emoji named by the slug of its CLDR name:
 *
 * | set | style | licence |
 * |---|---|---|
 * | `emojione` | EmojiOne colour | CC-BY-4.0 |
 * | `emojione-monotone` | EmojiOne line art | CC-BY-4.0 |
 * | `fluent-emoji` | Fluent "color" (gradients; the corpus has Fluent flat) | MIT |
 * | `fluent-emoji-high-contrast` | Fluent high contrast (line art) | MIT |
 * | `fxemoji` | Firefox OS | Apache-2.0 |
 * | `streamline-emojis` | Streamline | CC-BY-4.0 |
 *
 * Left out: `noto` and `noto-v1` (the held-out style), `twemoji`, `openmoji` and `fluent-emoji-flat`
 * (already in the corpus from their own packages) and `emojione-v1` (CC-BY-SA). Icons join emojibase
 * by slug (Fluent's through {@link resolveFluentSlug}, which also strips its skin-tone suffixes:
 * only the default tone is kept, as a style is what is new here); `fxemoji` writes slugs without
 * hyphens, so it joins on the hyphen-less slug. Icons with no emojibase match are skipped and
 * counted; captions are the corpus's emoji captions (name + keywords), so neither the set nor the
 * format is a cue.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type EmojiEntry, emojiCaption, loadEmojibase } from "./emojibase";
import { resolveFluentSlug } from "./fluent";
import { packageDir, packageVersion } from "./packages";
import { countSkip, type SourceItem, type SourceListing } from "./types";

export const ICONIFY_PACKAGE = "@iconify/json";

/** The sets used, with their style label and licence (NOTICE lists the same). */
export const ICONIFY_EMOJI_SETS = [
  { prefix: "emojione", style: "emojione", licence: "CC-BY-4.0" },
  { prefix: "emojione-monotone", style: "emojione-monotone", licence: "CC-BY-4.0" },
  { prefix: "fluent-emoji", style: "fluent-color", licence: "MIT" },
  { prefix: "fluent-emoji-high-contrast", style: "fluent-high-contrast", licence: "MIT" },
  { prefix: "fxemoji", style: "fxemoji", licence: "Apache-2.0" },
  { prefix: "streamline-emojis", style: "streamline", licence: "CC-BY-4.0" },
] as const;

/** Sets that must never be used: the held-out style, or already in the corpus. */
export const ICONIFY_EXCLUDED = ["noto", "noto-v1", "twemoji", "openmoji", "fluent-emoji-flat", "emojione-v1"];

interface IconifySet {
  info?: { name?: string; author?: { name?: string }; license?: { spdx?: string } };
  left?: number;
  top?: number;
  width?: number;
  height?: number;
  icons: Record<string, { body: string; left?: number; top?: number; width?: number; height?: number; hidden?: boolean }>;
}

/** Whether the optional package is installed (else the dataset says why it cannot be built). */
export function iconifyAvailable(): string | undefined {
  try {
    packageDir(ICONIFY_PACKAGE);
    return undefined;
  } catch {
    return `${ICONIFY_PACKAGE} is not installed (an optional dependency: npm install ${ICONIFY_PACKAGE})`;
  }
}

export function readIconifySet(prefix: string): IconifySet {
  if (ICONIFY_EXCLUDED.includes(prefix)) throw new Error(`iconify set "${prefix}" is excluded from the corpus`);
  return JSON.parse(fs.readFileSync(path.join(packageDir(ICONIFY_PACKAGE), "json", `${prefix}.json`), "utf8"));
}

/** One icon as a standalone SVG document (iconify's body inside its viewBox). */
export function iconSvg(set: IconifySet, name: string): Buffer {
  const icon = set.icons[name];
  if (!icon) throw new Error(`iconify: no icon "${name}"`);
  const left = icon.left ?? set.left ?? 0;
  const top = icon.top ?? set.top ?? 0;
  const width = icon.width ?? set.width ?? 16;
  const height = icon.height ?? set.height ?? 16;
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="${left} ${top} ${width} ${height}">${icon.body}</svg>`,
    "utf8",
  );
}

/** The emojibase entry an icon name denotes in a set (default skin tone only), or undefined. */
export function resolveIconifyEmoji(prefix: string, name: string): EmojiEntry | undefined {
  const eb = loadEmojibase();
  if (prefix.startsWith("fluent-emoji")) {
    const hit = resolveFluentSlug(name.replace(/-blood-type$/, ""));
    return hit && hit.tone === 0 ? hit.entry : undefined;
  }
  if (prefix === "fxemoji") return hyphenless().get(name);
  return eb.bySlug.get(name);
}

let noHyphen: Map<string, EmojiEntry> | undefined;
function hyphenless(): Map<string, EmojiEntry> {
  if (noHyphen) return noHyphen;
  noHyphen = new Map();
  for (const [slug, e] of loadEmojibase().bySlug) {
    const k = slug.replace(/-/g, "");
    if (!noHyphen.has(k)) noHyphen.set(k, e);
  }
  return noHyphen;
}

/** Lists the six emoji sets with emojibase captions; one listing per set (sorted by icon name). */
export function listIconifyEmoji(): SourceListing[] {
  const eb = loadEmojibase();
  const version = packageVersion(ICONIFY_PACKAGE);
  return ICONIFY_EMOJI_SETS.map(({ prefix, style, licence }) => {
    const set = readIconifySet(prefix);
    const skipped: Record<string, number> = {};
    const items: SourceItem[] = [];
    const seen = new Set<string>();
    for (const name of Object.keys(set.icons).sort()) {
      if (set.icons[name]!.hidden) {
        countSkip(skipped, "hidden");
        continue;
      }
      const entry = resolveIconifyEmoji(prefix, name);
      if (!entry) {
        countSkip(skipped, "no-emojibase-match");
        continue;
      }
      // Two names for one emoji (an alias in the set): keep the first.
      if (seen.has(entry.hex)) {
        countSkip(skipped, "same-emoji-twice");
        continue;
      }
      seen.add(entry.hex);
      const { name: label, caption, tags } = emojiCaption(entry, eb);
      items.push({
        key: `iconify-${prefix}-${name}`.toLowerCase().replace(/[^a-z0-9_-]/g, "_"),
        caption,
        source: `iconify-${prefix}`,
        style,
        name: label,
        tags,
        ...(entry.group ? { group: entry.group } : {}),
        ...(entry.subgroup ? { subgroup: entry.subgroup } : {}),
        data: iconSvg(set, name),
        ext: "svg",
        extra: { hexcode: entry.hex, iconify: `${prefix}:${name}` },
      });
    }
    return {
      source: `iconify-${prefix}`,
      items,
      skipped,
      inputs: { [ICONIFY_PACKAGE]: version, "emojibase-data": eb.version },
      licence,
    };
  });
}
