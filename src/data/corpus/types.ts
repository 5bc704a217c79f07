/**
 * What every corpus source lists: one {@link SourceItem} per (image, caption) pair, before any image is
 * decoded. Sources only read package metadata and file names, so listing the whole corpus takes well
 * under a second and can be tested without rendering anything.
 */

/** Where an item's pixels come from: a file on disk or bytes already in memory. */
export type ImageExt = "svg" | "png";

/** One image–text pair as a source lists it. */
export interface SourceItem {
  /** WebDataset key: unique within a dataset, `[a-z0-9_-]` only (no dots: the extension follows the first dot). */
  key: string;
  /** The text paired with the image: human-written name, then keywords. */
  caption: string;
  /** Source id, e.g. "openmoji", "tabler". */
  source: string;
  /** Art style within the source, e.g. "color", "black", "flat", "outline", "solid". */
  style: string;
  /** The human-written name (CLDR short name for emoji, icon name with "-" → " " for icon sets). */
  name: string;
  /** Keywords after de-duplication (the caption's tail). */
  tags: string[];
  group?: string;
  subgroup?: string;
  /** Absolute path of the image file (or `data`). */
  file?: string;
  /** Image bytes when they do not come from a file (e.g. Font Awesome's embedded SVG). */
  data?: Buffer;
  ext: ImageExt;
  /** Source-specific fields kept in the sample's json (hexcode, skin tone, …). */
  extra?: Record<string, unknown>;
}

/** A source's listing: its items plus what it left out and why. */
export interface SourceListing {
  source: string;
  items: SourceItem[];
  /** Entries not listed, by reason (e.g. "no-emojibase-match": 4); not bad samples, just coverage. */
  skipped: Record<string, number>;
  /** Package(s) the items came from, name → version (or Debian version). */
  inputs: Record<string, string>;
  /** SPDX-like licence of the images. */
  licence: string;
}

/** Adds one to `skipped[reason]`. */
export function countSkip(skipped: Record<string, number>, reason: string): void {
  skipped[reason] = (skipped[reason] ?? 0) + 1;
}

/** Throws if two items share a key or a key has characters WebDataset keys must not have. */
export function assertKeys(items: SourceItem[], what: string): void {
  const seen = new Set<string>();
  for (const it of items) {
    if (!/^[a-z0-9_-]+$/.test(it.key))
      throw new Error(`${what}: key "${it.key}" must match [a-z0-9_-]+ (no dots, no slashes)`);
    if (seen.has(it.key)) throw new Error(`${what}: duplicate key "${it.key}"`);
    seen.add(it.key);
  }
}
