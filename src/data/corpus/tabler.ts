/**
 * Tabler Icons (npm `@tabler/icons`, MIT): 5,233 outline icons (24×24, `stroke="currentColor"`) and
 * 1,054 filled ones, with a name, category and tags per icon in `icons.json`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { packageDir, packageVersion, readPackageJson } from "./packages";
import { buildCaption, kebabToWords } from "./text";
import { countSkip, type SourceItem, type SourceListing } from "./types";

interface RawTabler {
  name: string;
  category?: string;
  tags?: (string | number)[];
  styles?: Record<string, unknown>;
}

export type TablerStyle = "outline" | "filled";

/** Caption parts of a tabler icon: name words, then tags (kebab → words), then the category. */
export function tablerCaption(icon: RawTabler): { name: string; caption: string; tags: string[] } {
  const name = kebabToWords(icon.name);
  const raw = [
    ...(icon.tags ?? []).map((t) => kebabToWords(String(t))),
    ...(icon.category ? [icon.category.toLowerCase()] : []),
  ];
  return { name, ...buildCaption(name, raw) };
}

/** Lists tabler icons of the given styles (outline always exists; filled only for some icons). */
export function listTabler(styles: TablerStyle[] = ["outline"]): SourceListing {
  const root = packageDir("@tabler/icons");
  const icons = Object.values(readPackageJson<Record<string, RawTabler>>("@tabler/icons", "icons.json"));
  icons.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const skipped: Record<string, number> = {};
  const items: SourceItem[] = [];
  for (const style of styles) {
    for (const icon of icons) {
      if (icon.styles && !(style in icon.styles)) continue;
      const file = path.join(root, "icons", style, `${icon.name}.svg`);
      if (!fs.existsSync(file)) {
        countSkip(skipped, "missing-file");
        continue;
      }
      const { name, caption, tags } = tablerCaption(icon);
      items.push({
        key: `tabler-${style}-${icon.name}`,
        caption,
        source: "tabler",
        style,
        name,
        tags,
        ...(icon.category ? { group: icon.category.toLowerCase() } : {}),
        file,
        ext: "svg",
      });
    }
  }
  return {
    source: "tabler",
    items,
    skipped,
    inputs: { "@tabler/icons": packageVersion("@tabler/icons") },
    licence: "MIT",
  };
}
