/**
 * Lucide (npm `lucide-static`, ISC): 1,908 tagged line icons (24×24, `stroke="currentColor"`); names
 * and tags from `tags.json`. Alias SVGs without tags are not listed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { packageDir, packageVersion, readPackageJson } from "./packages";
import { buildCaption, kebabToWords } from "./text";
import { countSkip, type SourceItem, type SourceListing } from "./types";

export function listLucide(): SourceListing {
  const dir = path.join(packageDir("lucide-static"), "icons");
  const tags = readPackageJson<Record<string, string[]>>("lucide-static", "tags.json");
  const skipped: Record<string, number> = {};
  const items: SourceItem[] = [];
  for (const id of Object.keys(tags).sort()) {
    const file = path.join(dir, `${id}.svg`);
    if (!fs.existsSync(file)) {
      countSkip(skipped, "missing-file");
      continue;
    }
    const name = kebabToWords(id);
    const c = buildCaption(name, tags[id] ?? []);
    items.push({
      key: `lucide-${id}`,
      caption: c.caption,
      source: "lucide",
      style: "outline",
      name,
      tags: c.tags,
      file,
      ext: "svg",
    });
  }
  return {
    source: "lucide",
    items,
    skipped,
    inputs: { "lucide-static": packageVersion("lucide-static") },
    licence: "ISC",
  };
}
