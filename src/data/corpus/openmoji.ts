/**
 * OpenMoji (npm `openmoji`, CC BY-SA 4.0): 4,495 emoji in two art styles, colour (pre-training) and
 * black line art (held out: the Emoji-441 sketch variant). Captions come from the package's own
 * `data/openmoji.json`: the CLDR name (`annotation`), CLDR keywords (`tags`) and the artists' extra
 * keywords (`openmoji_tags`); skin-tone variants take their base emoji's caption.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { packageDir, packageVersion, readPackageJson } from "./packages";
import { buildCaption, foldSkinTone, keyPart, normHex } from "./text";
import { countSkip, type SourceItem, type SourceListing } from "./types";

/** One row of openmoji.json (fields used here). */
export interface OpenMojiRaw {
  hexcode: string;
  annotation: string;
  tags: string;
  openmoji_tags: string;
  group: string;
  subgroups: string;
  skintone: number | string;
  skintone_base_hexcode: string;
}

export type OpenMojiStyle = "color" | "black";

const splitTags = (s: string): string[] => (s ? s.split(",").map((t) => t.trim()) : []);

/** Caption parts of one openmoji.json row, folding a skin-tone variant onto its base row. */
export function openMojiCaption(
  row: OpenMojiRaw,
  byHex: Map<string, OpenMojiRaw>,
): { name: string; caption: string; tags: string[] } {
  const base = (row.skintone_base_hexcode && byHex.get(row.skintone_base_hexcode)) || row;
  const name = foldSkinTone(base.annotation);
  const { caption, tags } = buildCaption(name, [...splitTags(base.tags), ...splitTags(base.openmoji_tags)]);
  return { name, caption, tags };
}

/** Lists OpenMoji in one style; `filter` (by normalised hexcode) restricts it, e.g. to Emoji-441 classes. */
export function listOpenMoji(style: OpenMojiStyle, filter?: (hex: string) => boolean): SourceListing {
  const rows = readPackageJson<OpenMojiRaw[]>("openmoji", "data/openmoji.json");
  const byHex = new Map(rows.map((r) => [r.hexcode, r]));
  const dir = path.join(packageDir("openmoji"), style, "svg");
  const skipped: Record<string, number> = {};
  const items: SourceItem[] = [];
  for (const row of rows) {
    const hex = normHex(row.hexcode);
    if (filter && !filter(hex)) continue;
    const file = path.join(dir, `${row.hexcode}.svg`);
    if (!fs.existsSync(file)) {
      countSkip(skipped, "missing-file");
      continue;
    }
    const { name, caption, tags } = openMojiCaption(row, byHex);
    items.push({
      key: `openmoji-${style}-${keyPart(row.hexcode)}`,
      caption,
      source: "openmoji",
      style,
      name,
      tags,
      group: row.group,
      subgroup: row.subgroups,
      file,
      ext: "svg",
      extra: {
        hexcode: row.hexcode,
        ...(row.skintone !== "" ? { skinTone: row.skintone, baseHexcode: row.skintone_base_hexcode } : {}),
      },
    });
  }
  return {
    source: "openmoji",
    items,
    skipped,
    inputs: { openmoji: packageVersion("openmoji") },
    licence: "CC-BY-SA-4.0",
  };
}
