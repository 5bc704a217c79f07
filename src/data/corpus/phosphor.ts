/**
 * Phosphor Icons (npm `@phosphor-icons/core`, MIT): 1,512 icons in six weights; names, categories and
 * tags from the package's `icons` export. The regular weight is the pre-training default.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { packageDir, packageVersion } from "./packages";
import { buildCaption, kebabToWords } from "./text";
import { countSkip, type SourceItem, type SourceListing } from "./types";

interface RawPhosphor {
  name: string;
  categories?: string[];
  tags?: string[];
}

export type PhosphorWeight = "thin" | "light" | "regular" | "bold" | "fill" | "duotone";

/** The icon metadata array exported by the package's UMD bundle (plain data, no side effects). */
function phosphorIcons(): RawPhosphor[] {
  const file = path.join(packageDir("@phosphor-icons/core"), "dist", "index.umd.js");
  const mod = require(file) as { icons?: RawPhosphor[] };
  if (!Array.isArray(mod.icons))
    throw new Error(`${file} does not export an icons array; reinstall @phosphor-icons/core`);
  return mod.icons;
}

export function listPhosphor(weights: PhosphorWeight[] = ["regular"]): SourceListing {
  const root = path.join(packageDir("@phosphor-icons/core"), "assets");
  const icons = [...phosphorIcons()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const skipped: Record<string, number> = {};
  const items: SourceItem[] = [];
  for (const weight of weights) {
    for (const icon of icons) {
      // Weights other than regular carry the weight in the file name (acorn-bold.svg).
      const file = path.join(
        root,
        weight,
        weight === "regular" ? `${icon.name}.svg` : `${icon.name}-${weight}.svg`,
      );
      if (!fs.existsSync(file)) {
        countSkip(skipped, "missing-file");
        continue;
      }
      const name = kebabToWords(icon.name);
      const c = buildCaption(name, icon.tags ?? []);
      items.push({
        key: `phosphor-${weight}-${icon.name}`,
        caption: c.caption,
        source: "phosphor",
        style: weight,
        name,
        tags: c.tags,
        ...(icon.categories?.[0] ? { group: icon.categories[0] } : {}),
        file,
        ext: "svg",
      });
    }
  }
  return {
    source: "phosphor",
    items,
    skipped,
    inputs: { "@phosphor-icons/core": packageVersion("@phosphor-icons/core") },
    licence: "MIT",
  };
}
