/**
 * Font Awesome Free (npm `@fortawesome/fontawesome-free`, icons CC BY 4.0): 1,992 icons, each in one or
 * more free styles (solid, regular, brands). One image per icon: solid if it has it, else regular, else
 * brands. Caption: the label, then its search terms and alias names (`metadata/icon-families.json`);
 * group: its first category in `metadata/categories.yml`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { packageDir, packageVersion, readPackageJson } from "./packages";
import { buildCaption, kebabToWords } from "./text";
import { countSkip, type SourceItem, type SourceListing } from "./types";

interface RawFa {
  label?: string;
  search?: { terms?: string[] };
  aliases?: { names?: string[] };
  familyStylesByLicense?: { free?: { family: string; style: string }[] };
}

const STYLE_PREFERENCE = ["solid", "regular", "brands"];

/**
 * icon id → first category key, from categories.yml. The file is a fixed two-level layout
 * (`key:` / `  icons:` / `    - id`), so a line reader is enough and avoids a YAML dependency.
 */
export function faCategories(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let category: string | undefined;
  let inIcons = false;
  for (const line of text.split("\n")) {
    const top = /^([a-z0-9-]+):\s*$/.exec(line);
    if (top) {
      category = top[1];
      inIcons = false;
    } else if (/^ {2}icons:\s*$/.test(line)) inIcons = true;
    else if (/^ {2}\S/.test(line)) inIcons = false;
    else {
      const item = /^ {4}- (\S+)\s*$/.exec(line);
      if (item && inIcons && category && !out.has(item[1]!)) out.set(item[1]!, category);
    }
  }
  return out;
}

export function listFontAwesome(): SourceListing {
  const root = packageDir("@fortawesome/fontawesome-free");
  const meta = readPackageJson<Record<string, RawFa>>(
    "@fortawesome/fontawesome-free",
    "metadata/icon-families.json",
  );
  const cats = faCategories(fs.readFileSync(path.join(root, "metadata", "categories.yml"), "utf8"));
  const skipped: Record<string, number> = {};
  const items: SourceItem[] = [];
  for (const id of Object.keys(meta).sort()) {
    const icon = meta[id]!;
    const free = new Set(
      (icon.familyStylesByLicense?.free ?? []).filter((s) => s.family === "classic").map((s) => s.style),
    );
    const style = STYLE_PREFERENCE.find((s) => free.has(s));
    if (!style) {
      countSkip(skipped, "no-free-style");
      continue;
    }
    const file = path.join(root, "svgs", style, `${id}.svg`);
    if (!fs.existsSync(file)) {
      countSkip(skipped, "missing-file");
      continue;
    }
    const name = icon.label ?? kebabToWords(id);
    const c = buildCaption(name, [
      ...(icon.search?.terms ?? []),
      ...(icon.aliases?.names ?? []).map(kebabToWords),
    ]);
    const group = cats.get(id);
    items.push({
      key: `fontawesome-${style}-${id}`,
      caption: c.caption,
      source: "fontawesome",
      style,
      name,
      tags: c.tags,
      ...(group ? { group } : {}),
      file,
      ext: "svg",
    });
  }
  return {
    source: "fontawesome",
    items,
    skipped,
    inputs: { "@fortawesome/fontawesome-free": packageVersion("@fortawesome/fontawesome-free") },
    licence: "CC-BY-4.0",
  };
}
