/**
 * Real captions for the text benchmarks, read straight from installed packages (no corpus build
 * needed): OpenMoji annotations + tags, Tabler and Lucide icon names + tags. Deterministic order.
 */
import * as path from "node:path";

const root = path.join(__dirname, "..", "node_modules");

/** Up to `limit` captions of roughly 5–20 words, the shape the pictogram corpus has. */
export function benchCaptions(limit = 30_000): string[] {
  const out: string[] = [];
  const openmoji = require(path.join(root, "openmoji/data/openmoji.json")) as {
    annotation: string;
    tags: string;
    openmoji_tags: string;
  }[];
  for (const e of openmoji) {
    out.push(`${e.annotation}`);
    out.push(`${e.annotation}, ${e.tags} ${e.openmoji_tags}`.replace(/,\s*/g, ", ").trim());
  }
  const tabler = require(path.join(root, "@tabler/icons/icons.json")) as Record<
    string,
    { name: string; category: string; tags: (string | number)[] }
  >;
  for (const t of Object.values(tabler)) {
    out.push(`${t.name.replace(/-/g, " ")} icon`);
    out.push(`${t.name.replace(/-/g, " ")} outline icon, ${t.category}: ${t.tags.join(", ")}`);
  }
  const lucide = require(path.join(root, "lucide-static/tags.json")) as Record<string, string[]>;
  for (const [name, tags] of Object.entries(lucide)) {
    out.push(`${name.replace(/-/g, " ")}`);
    out.push(`${name.replace(/-/g, " ")} icon: ${tags.join(", ")}`);
  }
  // Cycle with a varying prefix when more are asked than exist, so counts still scale.
  const base = out.length;
  const prefixes = ["a", "an icon of", "a drawing of", "simple", "flat"];
  for (let i = 0; out.length < limit; i++) out.push(`${prefixes[i % prefixes.length]} ${out[i % base]}`);
  return out.slice(0, limit);
}
