/**
 * emoji-datasource vendor packages: per-emoji 64 px PNGs, one package per vendor. Twemoji
 * (`emoji-datasource-twitter`, CC BY 4.0) is a pre-training style; Noto (`emoji-datasource-google`,
 * Apache-2.0) is the held-out style. Captions join emojibase on the code point sequence.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { emojiCaption, loadEmojibase } from "./emojibase";
import { packageDir, packageVersion, readPackageJson } from "./packages";
import { keyPart, normHex } from "./text";
import { countSkip, type SourceItem, type SourceListing } from "./types";

interface RawImage {
  unified: string;
  image: string;
}
interface RawEntry extends RawImage {
  skin_variations?: Record<string, RawImage & Record<string, unknown>>;
  [k: string]: unknown;
}

export type Vendor = "twitter" | "google";

const VENDORS: Record<Vendor, { pkg: string; source: string; licence: string }> = {
  twitter: { pkg: "emoji-datasource-twitter", source: "twemoji", licence: "CC-BY-4.0" },
  google: { pkg: "emoji-datasource-google", source: "noto", licence: "Apache-2.0" },
};

export interface DatasourceOptions {
  /** Also list skin-tone variants (same caption as the base). Default false. */
  skinTones?: boolean;
  /** Keep only emoji whose normalised hexcode passes (variants are judged by their own hexcode). */
  filter?: (hex: string) => boolean;
}

/** Lists a vendor's 64 px PNGs with emojibase captions. */
export function listDatasource(vendor: Vendor, opts: DatasourceOptions = {}): SourceListing {
  const v = VENDORS[vendor];
  const dir = path.join(packageDir(v.pkg), "img", vendor, "64");
  const entries = readPackageJson<RawEntry[]>(v.pkg, "emoji.json");
  const eb = loadEmojibase();
  const skipped: Record<string, number> = {};
  const items: SourceItem[] = [];
  const add = (img: RawImage, hasImg: boolean, isVariant: boolean): void => {
    if (!hasImg) {
      countSkip(skipped, "no-image-for-vendor");
      return;
    }
    const hex = normHex(img.unified);
    if (opts.filter && !opts.filter(hex)) return;
    const e = eb.byHex.get(hex);
    if (!e) {
      countSkip(skipped, "no-emojibase-match");
      return;
    }
    const file = path.join(dir, img.image);
    if (!fs.existsSync(file)) {
      countSkip(skipped, "missing-file");
      return;
    }
    const { name, caption, tags } = emojiCaption(e, eb);
    const base = e.baseHex ? eb.byHex.get(e.baseHex) : e;
    items.push({
      key: `${v.source}-${keyPart(img.unified)}`,
      caption,
      source: v.source,
      style: v.source,
      name,
      tags,
      ...(base?.group ? { group: base.group } : {}),
      ...(base?.subgroup ? { subgroup: base.subgroup } : {}),
      file,
      ext: "png",
      extra: { hexcode: img.unified, ...(isVariant ? { baseHexcode: e.baseHex } : {}) },
    });
  };
  for (const entry of entries) {
    add(entry, entry[`has_img_${vendor}`] === true, false);
    if (!opts.skinTones) continue;
    for (const sv of Object.values(entry.skin_variations ?? {}))
      add(sv, sv[`has_img_${vendor}`] === true, true);
  }
  return {
    source: v.source,
    items,
    skipped,
    inputs: { [v.pkg]: packageVersion(v.pkg), "emojibase-data": eb.version },
    licence: v.licence,
  };
}
