/**
 * Iconify's icon sets (npm `@iconify/json`, an optional dependency; the package is MIT, each set keeps
 * its own licence): the extra pairs of the `pictograms-xl` corpus (issue 16, item 7). Each set is one
 * `json/<prefix>.json` of SVG bodies; `collections.json` says who drew it, under which licence, and in
 * which Iconify category it sits. Everything is listed as one source, `iconify`, whose style is the set
 * prefix; the licence of every set is in each sample's json and in NOTICE.
 *
 * Sets used: those `collections.json` lists and does not hide (hidden ones are superseded or
 * unmaintained: `feather` is lucide's parent, `pepicons` became `pepicons-pop|print|pencil`), whose SPDX
 * licence is in {@link ICONIFY_LICENCES}, that are not the held-out style ({@link HELD_OUT_SETS}: Noto),
 * not already in the small corpus ({@link inSmallCorpus}) and that draw pictures of things
 * ({@link NOT_PICTOGRAM_CATEGORIES}, {@link NOT_PICTOGRAM_SETS}: flags, brand logos and file-type marks
 * are captioned by proper names, not by what they show). Within a set, an icon is skipped (and counted)
 * when it is hidden (kept by Iconify for an old name only), animated (SMIL: librsvg draws the first
 * frame, which for `line-md` is an empty stroke), an emoji skin-tone variant (it would repeat its base
 * emoji's caption on a near-identical image), has no word left in its name, or is the set's own logo
 * ({@link isSetMark}). Aliases are not listed: each names the same drawing as its parent, or a flipped copy.
 *
 * Caption: the name split on `-`/`_`, without purely numeric tokens and without the set's style affixes
 * ({@link splitNames}), then the set's categories for the icon ("ArtificialIntelligence" split into
 * words; catch-alls and the set's own name dropped, so the source is no cue). In the emoji sets a name
 * that is the slug of an emojibase CLDR name gets the corpus's emoji caption instead (name + keywords,
 * as for OpenMoji, Fluent and Twemoji); so does its hyphen-less form in `fxemoji`, whose other names run
 * words together ("antennawithbars") and are skipped.
 *
 * Variants: icons of one set that end with the same caption name (`home`, `home-outline`,
 * `home-24-filled`, `outline-home`; `baby-1`, `baby-2`) are one concept drawn several ways, and only
 * one is kept: the plain name when the set has it (the set's default style), else the variant whose
 * style words rank first in {@link STYLE_RANK} (filled glyphs before outlines: at 32–64 px a 1.5 px
 * stroke of a 24 px icon thins to a pixel or two, while a filled silhouette survives downsampling, and
 * the small corpus is mostly outline sets already), then the larger design grid, then the first name
 * in sorted order; in an emoji set, two names of one emoji are variants too. An icon whose
 * SVG equals one already listed from an earlier set (sets in prefix order) is skipped too. Held-out
 * images that an icon renders to exactly are dropped by the writer (`heldOut` in datasets.ts).
 *
 * Order and output are deterministic: sets sorted by prefix, icons by name.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { type EmojiEntry, emojiCaption, emojiSlug, loadEmojibase } from "./emojibase";
import { packageDir, packageVersion } from "./packages";
import { buildCaption, tidy } from "./text";
import { countSkip, type SourceItem, type SourceListing } from "./types";

export const ICONIFY_PACKAGE = "@iconify/json";

/** Bump when a rule below changes what is listed: it is part of `pictograms-xl`'s build parameters. */
export const ICONIFY_RULES_VERSION = 1;

/** SPDX licences whose sets are used: permissive, or attribution only (no share-alike, no NC, no GPL). */
export const ICONIFY_LICENCES = ["MIT", "Apache-2.0", "ISC", "CC0-1.0", "CC-BY-3.0", "CC-BY-4.0", "OFL-1.1"];

/** Google's Noto emoji, current and v1: the held-out art style, never in pre-training. */
export const HELD_OUT_SETS = ["noto", "noto-v1"];

/**
 * Sets the small corpus (`pictograms`) already has from their own packages: OpenMoji, Fluent emoji,
 * Twemoji, tabler, Font Awesome (every version: `fa`, `fa-*`, `fa6-*`, `fa7-*`), lucide, phosphor
 * (`ph`) and mdi; also `lucide-extended`, lucide's own drawings refilled (filled and duotone variants of
 * icons the small corpus has). `fad` (FontAudio) and `famicons` are other sets.
 */
export function inSmallCorpus(prefix: string): boolean {
  return (
    /^(openmoji|twemoji|tabler|lucide|lucide-extended|ph|mdi)$/.test(prefix) ||
    /^fluent-emoji(-|$)/.test(prefix) ||
    /^fa\d*(-|$)/.test(prefix)
  );
}

/** Iconify categories of sets that are not pictograms: flags, brand logos, file-type and tech marks. */
export const NOT_PICTOGRAM_CATEGORIES = ["Flags", "Logos", "Programming"];

/** Sets outside those categories that are not pictograms either. */
export const NOT_PICTOGRAM_SETS: Record<string, string> = {
  academicons: "logos of academic services (ORCID, Google Scholar, …)",
};

/** One set as `collections.json` describes it, with why it is not used (undefined when it is). */
export interface IconifySetInfo {
  prefix: string;
  name: string;
  author: string;
  authorUrl?: string;
  licence: string;
  licenceTitle: string;
  category?: string;
  /** Visible icons, as collections.json counts them. */
  total: number;
  excluded?: "hidden-set" | "licence-not-allowed" | "held-out-style" | "in-small-corpus" | "not-pictograms";
}

interface RawCollection {
  name: string;
  total?: number;
  author?: { name?: string; url?: string };
  license?: { title?: string; spdx?: string };
  category?: string;
  hidden?: boolean;
}

interface RawIcon {
  body: string;
  left?: number;
  top?: number;
  width?: number;
  height?: number;
  hidden?: boolean;
}

/** An `IconifyJSON` icon set (the fields used here). */
export interface IconifySet {
  prefix: string;
  icons: Record<string, RawIcon>;
  left?: number;
  top?: number;
  width?: number;
  height?: number;
  categories?: Record<string, string[]>;
}

/** Why `pictograms-xl` cannot be built here, or undefined when `@iconify/json` is installed. */
export function iconifyUnavailable(): string | undefined {
  try {
    packageDir(ICONIFY_PACKAGE);
    return undefined;
  } catch {
    // The package does not resolve: it is not installed, and the message says how to install it.
    return `npm package ${ICONIFY_PACKAGE} is not installed (an optional dependency, a 104 MB download; run \`npm install\` without --omit=optional, or \`npm install ${ICONIFY_PACKAGE}\`)`;
  }
}

function exclusion(prefix: string, c: RawCollection): IconifySetInfo["excluded"] {
  if (c.hidden) return "hidden-set";
  if (!ICONIFY_LICENCES.includes(c.license?.spdx ?? "")) return "licence-not-allowed";
  if (HELD_OUT_SETS.includes(prefix)) return "held-out-style";
  if (inSmallCorpus(prefix)) return "in-small-corpus";
  if (NOT_PICTOGRAM_CATEGORIES.includes(c.category ?? "") || prefix in NOT_PICTOGRAM_SETS)
    return "not-pictograms";
  return undefined;
}

/** Every set in `collections.json`, sorted by prefix, with its exclusion reason if any. */
export function iconifySets(): IconifySetInfo[] {
  const file = path.join(packageDir(ICONIFY_PACKAGE), "collections.json");
  const raw = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, RawCollection>;
  return Object.keys(raw)
    .sort()
    .map((prefix) => {
      const c = raw[prefix]!;
      const excluded = exclusion(prefix, c);
      return {
        prefix,
        name: c.name,
        author: c.author?.name ?? "",
        ...(c.author?.url ? { authorUrl: c.author.url } : {}),
        licence: c.license?.spdx ?? "",
        licenceTitle: c.license?.title ?? "",
        ...(c.category ? { category: c.category } : {}),
        total: c.total ?? 0,
        ...(excluded ? { excluded } : {}),
      };
    });
}

/** Reads `json/<prefix>.json`; refuses the held-out sets so no code path can list them by accident. */
export function readIconifySet(prefix: string): IconifySet {
  if (HELD_OUT_SETS.includes(prefix)) throw new Error(`iconify set "${prefix}" is the held-out style`);
  const file = path.join(packageDir(ICONIFY_PACKAGE), "json", `${prefix}.json`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as IconifySet;
}

/** One icon as a standalone SVG document: its body in its viewBox (width and height default 16). */
export function iconSvg(set: IconifySet, name: string): string {
  const icon = set.icons[name];
  if (!icon) throw new Error(`iconify set ${set.prefix} has no icon "${name}"`);
  const left = icon.left ?? set.left ?? 0;
  const top = icon.top ?? set.top ?? 0;
  const width = icon.width ?? set.width ?? 16;
  const height = icon.height ?? set.height ?? 16;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ` +
    `width="${width}" height="${height}" viewBox="${left} ${top} ${width} ${height}">${icon.body}</svg>`
  );
}

/**
 * Style words of icon names, by the variant kept first: filled glyphs, then line styles, then the
 * rest. A word is a style only where a set uses it so ({@link splitNames}).
 */
export const STYLE_RANK: readonly (readonly string[])[] = [
  ["fill", "filled", "solid", "bold", "bulk", "baseline", "f"],
  ["regular", "line", "outline", "outlined", "linear"],
  ["duotone", "twotone", "duo", "duocolor", "tone", "light", "thin", "rounded", "round", "sharp"],
  ["broken", "alt", "o", "remix", "flat", "blueprint", "engrave", "gloss", "sketch"],
];
const STYLE_WORDS = new Map(STYLE_RANK.flatMap((words, rank) => words.map((w) => [w, rank] as const)));

/** Name tokens; "two-tone" is one style word, `twotone`. */
const tokens = (name: string): string[] =>
  name
    .toLowerCase()
    .replace(/(^|[-_])two[-_]tone(?=$|[-_])/g, "$1twotone")
    .split(/[-_]+/)
    .filter(Boolean);

/** Purely numeric tokens, and pixel sizes ("24px"), say nothing about the picture. */
const isNumberToken = (t: string): boolean => /^\d+(px)?$/.test(t);

/** An icon name split into what the caption keeps and the style words it drops. */
export interface NameParts {
  /** Caption name: the remaining words, numbers dropped. */
  words: string;
  /** The name without its style words (numbers kept): variants of one drawing share it. */
  styleFree: string;
  /** Ranks ({@link STYLE_RANK}) of the style words dropped, in name order. */
  styleRanks: number[];
}

/** A token list with a style run peeled off one end (`run` empty when nothing was). */
interface Peeled {
  rest: string[];
  run: string[];
}

/**
 * Peels a style run off one end of every name of a set: the longest run of style words and numbers
 * (`-24-filled`, `-outline-bold`, `outline-` as `ic` writes it) whose style words, numbers left out,
 * end (or start) at least 5 % of the set's names and at least 10. A name other names peel down to is
 * a concept of its own and keeps its words: beside `traffic-light-bold`, `traffic-light` keeps "light".
 */
function peel(names: Map<string, string[]>, end: "suffix" | "prefix"): Map<string, Peeled> {
  const runs = (t: string[]): { k: number; signature: string }[] => {
    const out: { k: number; signature: string }[] = [];
    for (let k = 1; k < t.length; k++) {
      const w = end === "suffix" ? t[t.length - k]! : t[k - 1]!;
      if (!STYLE_WORDS.has(w) && !isNumberToken(w)) break;
      const run = end === "suffix" ? t.slice(t.length - k) : t.slice(0, k);
      const signature = run.filter((x) => STYLE_WORDS.has(x)).join(" ");
      if (signature) out.push({ k, signature });
    }
    return out;
  };
  const counts = new Map<string, number>();
  for (const t of names.values())
    for (const sig of new Set(runs(t).map((r) => r.signature))) counts.set(sig, (counts.get(sig) ?? 0) + 1);
  const min = Math.max(10, 0.05 * names.size);
  const out = new Map<string, Peeled>();
  for (const [n, t] of names) {
    const k =
      runs(t)
        .filter((r) => counts.get(r.signature)! >= min)
        .at(-1)?.k ?? 0;
    out.set(
      n,
      end === "suffix"
        ? { rest: t.slice(0, t.length - k), run: t.slice(t.length - k) }
        : { rest: t.slice(k), run: t.slice(0, k) },
    );
  }
  const concepts = new Set([...out.values()].filter((p) => p.run.length).map((p) => p.rest.join("-")));
  for (const [n, t] of names)
    if (out.get(n)!.run.length && concepts.has(t.join("-"))) out.set(n, { rest: t, run: [] });
  return out;
}

/** Splits every name of a set into caption words and style words (suffix runs first, then prefix runs). */
export function splitNames(names: readonly string[]): Map<string, NameParts> {
  const suffix = peel(new Map(names.map((n) => [n, tokens(n)])), "suffix");
  const prefix = peel(new Map(names.map((n) => [n, suffix.get(n)!.rest])), "prefix");
  const out = new Map<string, NameParts>();
  for (const n of names) {
    const s = suffix.get(n)!;
    const p = prefix.get(n)!;
    const run = [...p.run, ...s.run];
    out.set(n, {
      words: p.rest.filter((w) => !isNumberToken(w)).join(" "),
      styleFree: [...p.run.filter(isNumberToken), ...p.rest, ...s.run.filter(isNumberToken)].join("-"),
      styleRanks: run.filter((w) => STYLE_WORDS.has(w)).map((w) => STYLE_WORDS.get(w)!),
    });
  }
  return out;
}

/** Categories that say nothing about the picture (a set's catch-all or style heading). */
const NON_CATEGORIES = new Set(["", "general", "misc", "other", "others", "uncategorized", "regular"]);

/** "ArtificialIntelligence" → "Artificial Intelligence"; other category names as the set gives them. */
function categoryWords(category: string): string {
  return /^[A-Z][a-z]+(?:[A-Z][a-z]+)+$/.test(category)
    ? category.replace(/(?<=[a-z])(?=[A-Z])/g, " ")
    : tidy(category);
}

/** icon name → its categories' caption words, in the set's category order (catch-alls and the set's own name left out). */
function categoriesByIcon(set: IconifySet, setName: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const own = new Set([set.prefix, setName.toLowerCase()]);
  for (const [category, names] of Object.entries(set.categories ?? {})) {
    const words = categoryWords(category);
    if (NON_CATEGORIES.has(words.toLowerCase()) || own.has(words.toLowerCase())) continue;
    for (const n of names) out.set(n, [...(out.get(n) ?? []), words]);
  }
  return out;
}

/** Words that a set's own logo adds to its name ("logo-tdesign", "wordmark-garden", "vaadin-h"). */
const MARK_WORDS = /^(logo|wordmark|icons?|[a-z])$/;

/**
 * Whether caption words name the set itself (its logo: `coolicons:coolicons`, `ep:element-plus`):
 * such a pair would teach the source, not the picture.
 */
export function isSetMark(words: string, prefix: string, setName: string): boolean {
  const core = (s: string): string =>
    s
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((w) => w && !MARK_WORDS.test(w))
      .join(" ");
  const w = core(words);
  return w === core(prefix) || w === core(setName);
}

/** Sets whose names run words together ("antennawithbars"): only names matching an emoji are used. */
const RUN_TOGETHER_NAMES = new Set(["fxemoji"]);
const SKIN_TONE_NAME = /.-(light|medium-light|medium|medium-dark|dark)-skin-tone(-|$)/;

/** emojibase entries (base and skin-tone variants) by the slug of their CLDR name, and hyphen-less. */
function emojiBySlug(): { bySlug: Map<string, EmojiEntry>; byRunTogether: Map<string, EmojiEntry> } {
  const bySlug = new Map<string, EmojiEntry>();
  const byRunTogether = new Map<string, EmojiEntry>();
  for (const e of loadEmojibase().byHex.values()) {
    const slug = emojiSlug(e.label);
    if (!bySlug.has(slug)) bySlug.set(slug, e);
    if (!byRunTogether.has(slug.replace(/-/g, ""))) byRunTogether.set(slug.replace(/-/g, ""), e);
  }
  return { bySlug, byRunTogether };
}

/** One candidate icon of a set, before variants are resolved. */
interface Candidate {
  name: string;
  parts: NameParts;
  emoji?: EmojiEntry;
  /** Variants sharing a group key are one concept: the caption name, or the emoji. */
  group: string;
  /** Area of the icon's design grid (viewBox width × height). */
  area: number;
}

/**
 * Orders a group's variants: plain name first, then by style rank, then the larger design grid (Fluent
 * draws `home-12-filled` … `home-48-filled`; the 12 px one is simplified), then by name.
 */
function byPreference(a: Candidate, b: Candidate): number {
  const ra = a.parts.styleRanks;
  const rb = b.parts.styleRanks;
  if (ra.length !== rb.length) return ra.length - rb.length;
  for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
  if (a.area !== b.area) return b.area - a.area;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export interface IconifyOptions {
  /** Only these set prefixes (tests); default every used set. Excluded sets are refused. */
  sets?: string[];
}

/**
 * Lists the used Iconify sets as one source, `iconify` (style = set prefix). `skipped` counts icons
 * per rule: set-level reasons use collections.json's visible-icon counts; the rest are counted icon
 * by icon.
 */
export function listIconify(opts: IconifyOptions = {}): SourceListing {
  const sets = iconifySets();
  const skipped: Record<string, number> = {};
  const chosen = opts.sets ? new Set(opts.sets) : undefined;
  for (const p of chosen ?? []) {
    const info = sets.find((s) => s.prefix === p);
    if (!info) throw new Error(`${ICONIFY_PACKAGE} has no icon set "${p}"`);
    if (info.excluded) throw new Error(`iconify set "${p}" is excluded from the corpus (${info.excluded})`);
  }
  const eb = loadEmojibase();
  const emoji = emojiBySlug();
  const items: SourceItem[] = [];
  const seenSvg = new Set<string>();
  for (const info of sets) {
    if (chosen && !chosen.has(info.prefix)) continue;
    if (info.excluded) {
      skipped[info.excluded] = (skipped[info.excluded] ?? 0) + info.total;
      continue;
    }
    const set = readIconifySet(info.prefix);
    const isEmojiSet = info.category === "Emoji";
    const runTogether = RUN_TOGETHER_NAMES.has(info.prefix);
    const names: string[] = [];
    for (const name of Object.keys(set.icons).sort()) {
      const icon = set.icons[name]!;
      if (icon.hidden) countSkip(skipped, "hidden");
      else if (/<(animate|animateMotion|animateTransform|set)\b/.test(icon.body))
        countSkip(skipped, "animated");
      else if (isEmojiSet && SKIN_TONE_NAME.test(name)) countSkip(skipped, "skin-tone-variant");
      else names.push(name);
    }
    const parts = splitNames(names);
    const groups = new Map<string, Candidate[]>();
    for (const name of names) {
      const p = parts.get(name)!;
      let entry: EmojiEntry | undefined;
      if (isEmojiSet) {
        entry = runTogether
          ? emoji.byRunTogether.get(name)
          : (emoji.bySlug.get(name) ?? emoji.bySlug.get(p.words.replace(/ /g, "-")));
        if (entry?.baseHex) {
          countSkip(skipped, "skin-tone-variant");
          continue;
        }
      }
      if (!entry && runTogether) {
        countSkip(skipped, "run-together-name");
        continue;
      }
      if (!entry && !/[a-z]/.test(p.words)) {
        countSkip(skipped, "no-words-in-name");
        continue;
      }
      if (!entry && isSetMark(p.words, info.prefix, info.name)) {
        countSkip(skipped, "set-own-logo");
        continue;
      }
      const group = entry ? `emoji ${entry.hex}` : p.words;
      const icon = set.icons[name]!;
      const area = (icon.width ?? set.width ?? 16) * (icon.height ?? set.height ?? 16);
      const c: Candidate = { name, parts: p, ...(entry ? { emoji: entry } : {}), group, area };
      groups.set(group, [...(groups.get(group) ?? []), c]);
    }
    const cats = categoriesByIcon(set, info.name);
    const kept: Candidate[] = [];
    for (const variants of groups.values()) {
      variants.sort(byPreference);
      const [best, ...rest] = variants;
      kept.push(best!);
      for (const v of rest)
        countSkip(
          skipped,
          v.parts.styleFree === best!.parts.styleFree ? "style-variant" : "same-words-as-kept",
        );
    }
    kept.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const c of kept) {
      const svg = iconSvg(set, c.name);
      const digest = createHash("sha1").update(svg).digest("base64");
      if (seenSvg.has(digest)) {
        countSkip(skipped, "same-svg-as-earlier-set");
        continue;
      }
      seenSvg.add(digest);
      const categories = cats.get(c.name) ?? [];
      const text = c.emoji
        ? emojiCaption(c.emoji, eb)
        : { name: c.parts.words, ...buildCaption(c.parts.words, categories) };
      items.push({
        // "_" between set and name: neither uses it, so material-symbols + light-group ≠ material-symbols-light + group.
        key: `iconify-${info.prefix}_${c.name}`,
        caption: text.caption,
        source: "iconify",
        style: info.prefix,
        name: text.name,
        tags: text.tags,
        ...(c.emoji?.group
          ? { group: c.emoji.group }
          : categories[0]
            ? { group: categories[0].toLowerCase() }
            : {}),
        ...(c.emoji?.subgroup ? { subgroup: c.emoji.subgroup } : {}),
        data: Buffer.from(svg, "utf8"),
        ext: "svg",
        extra: {
          iconify: `${info.prefix}:${c.name}`,
          licence: info.licence,
          ...(c.emoji ? { hexcode: c.emoji.hex } : {}),
        },
      });
    }
  }
  const used = sets.filter((s) => !s.excluded && (!chosen || chosen.has(s.prefix)));
  return {
    source: "iconify",
    items,
    skipped,
    inputs: { [ICONIFY_PACKAGE]: packageVersion(ICONIFY_PACKAGE), "emojibase-data": eb.version },
    licence: `per set (each sample's json \`licence\`; NOTICE): ${[...new Set(used.map((s) => s.licence))].sort().join(", ")}`,
  };
}
