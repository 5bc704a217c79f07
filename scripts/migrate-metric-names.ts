/**
 * Rewrites published result lines that still hold the trainer's older flat metric keys (`zs_top1`,
 * `i2t_r10`, `catlip_zs_top1`, …) under their `<dataset>/<metric>` names (src/util/metric-names.ts).
 * Only the keys change, in place and in order; values, specs and hashes stay as they are. Every
 * reader already renames on load, so this only makes the committed files say what the code reads.
 * Idempotent.
 *
 * usage: npx tsx scripts/migrate-metric-names.ts [--results results] [--check]
 *   --results  folder of <section>.jsonl files (default results/; its first-pass/ too)
 *   --check    prints what it would rename and exits 1 if anything is left
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { RESULTS_DIR } from "../src/papers/published";
import { writeFileAtomic } from "../src/sweep/atomic";
import { migrateMetricNames } from "../src/util/metric-names";

/** The text of a JSONL file with every line's `metrics` renamed, and how many lines changed. */
export function migrateJsonl(text: string): { text: string; changed: number } {
  let changed = 0;
  const out = text.split("\n").map((line) => {
    if (!line.trim()) return line;
    let v: { metrics?: Record<string, unknown> };
    try {
      v = JSON.parse(line);
    } catch {
      // A torn line stays as it is: the loaders skip and count it, and it is not ours to repair.
      return line;
    }
    if (!v?.metrics || typeof v.metrics !== "object") return line;
    const metrics = migrateMetricNames(v.metrics);
    if (metrics === v.metrics) return line;
    changed++;
    return JSON.stringify({ ...v, metrics });
  });
  return { text: out.join("\n"), changed };
}

function main(argv: string[]): number {
  const at = argv.indexOf("--results");
  const root = at >= 0 ? argv[at + 1]! : RESULTS_DIR;
  const check = argv.includes("--check");
  let left = 0;
  for (const dir of [root, path.join(root, "first-pass")]) {
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".jsonl"))) {
      const file = path.join(dir, f);
      const { text, changed } = migrateJsonl(fs.readFileSync(file, "utf8"));
      if (!changed) continue;
      left += changed;
      console.log(`${file}: ${changed} line(s) ${check ? "to rename" : "renamed"}`);
      if (!check) writeFileAtomic(file, text);
    }
  }
  if (!left) console.log("every published line uses the current metric names");
  return check && left ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
