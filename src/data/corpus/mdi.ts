/**
 * Material Design Icons (npm `@mdi/svg`, Pictogrammers Free License): 7,447 filled 24×24 glyphs; name,
 * aliases and category tags ("Gaming / RPG") from `meta.json`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { packageDir, packageVersion, readPackageJson } from "./packages";
import { buildCaption, kebabToWords } from "./text";
import { countSkip, type SourceItem, type SourceListing } from "./types";

interface RawMdi {
  name: string;
  aliases?: string[];
  tags?: string[];
  deprecated?: boolean;
}

export function listMdi(): SourceListing {
  const dir = path.join(packageDir("@mdi/svg"), "svg");
  const meta = readPackageJson<RawMdi[]>("@mdi/svg", "meta.json");
  const skipped: Record<string, number> = {};
  const items: SourceItem[] = [];
  for (const icon of [...meta].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const file = path.join(dir, `${icon.name}.svg`);
    if (!fs.existsSync(file)) {
      countSkip(skipped, "missing-file");
      continue;
    }
    const name = kebabToWords(icon.name);
    const c = buildCaption(name, [...(icon.aliases ?? []).map(kebabToWords), ...(icon.tags ?? [])]);
    items.push({
      key: `mdi-${icon.name}`,
      caption: c.caption,
      source: "mdi",
      style: "filled",
      name,
      tags: c.tags,
      ...(icon.tags?.[0] ? { group: icon.tags[0].toLowerCase() } : {}),
      file,
      ext: "svg",
    });
  }
  return {
    source: "mdi",
    items,
    skipped,
    inputs: { "@mdi/svg": packageVersion("@mdi/svg") },
    licence: "Pictogrammers-Free-License (parts Apache-2.0)",
  };
}
