/**
 * `clipdown findings`: judges every paper finding on the published results.
 *
 *   clipdown findings [--results results] [--out results/FINDINGS.md] [--readme] [--check]
 *
 * Writes FINDINGS.md (atomically) and, with --readme, the README's "What we found" block. --check
 * writes nothing and exits 1 when either file differs from what would be written (for CI).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../../sweep/atomic";
import { type FlagSpecs, formatHelp, parseArgs, UsageError } from "../../util/args";
import { publishedDrift, RESULTS_DIR } from "../published";
import { ALL_FINDINGS } from "./index";
import { renderRecipeBlock, replaceRecipeBlock } from "./recipe-block";
import { buildReport, currentReadmeBlock, replaceReadmeBlock } from "./report";

/** The project's README.md (resolved from this module). */
export const README_FILE = path.join(__dirname, "..", "..", "..", "README.md");

const SPECS: FlagSpecs = {
  results: { kind: "string", help: "directory of the published <section>.jsonl files", default: RESULTS_DIR },
  out: { kind: "string", help: "the report to write (default <results>/FINDINGS.md)" },
  readme: { kind: "boolean", help: "also rewrite README.md's findings block" },
  "readme-file": { kind: "string", help: "README to rewrite with --readme", default: README_FILE },
  check: { kind: "boolean", help: "write nothing; exit 1 if the files are out of date" },
  help: { kind: "boolean", help: "show this help" },
};

const USAGE = "clipdown findings [--results DIR] [--out FILE] [--readme] [--check]";

export async function run(argv: string[]): Promise<number> {
  const { flags, positional } = parseArgs(argv, SPECS);
  if (flags.help) {
    console.log(formatHelp(USAGE, SPECS));
    return 0;
  }
  if (positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
  const resultsDir = flags.results as string;
  if (!fs.existsSync(resultsDir))
    throw new UsageError(
      `--results ${resultsDir} does not exist; publish results with clipdown reproduce first`,
    );
  const out = (flags.out as string | undefined) ?? path.join(resultsDir, "FINDINGS.md");
  const t0 = Date.now();
  const { judged, findingsMd, readmeBlock } = buildReport(ALL_FINDINGS, resultsDir);
  const stale: string[] = [];
  const old = fs.existsSync(out) ? fs.readFileSync(out, "utf8") : undefined;
  if (old !== findingsMd) {
    stale.push(out);
    if (!flags.check) writeFileAtomic(out, findingsMd);
  }
  if (flags.readme) {
    const file = flags["readme-file"] as string;
    if (!fs.existsSync(file)) throw new UsageError(`--readme-file ${file} does not exist`);
    const readme = fs.readFileSync(file, "utf8");
    let next = replaceReadmeBlock(readme, readmeBlock);
    if (currentReadmeBlock(readme) !== readmeBlock) stale.push(`${file} (findings block)`);
    // The recipe table, where the README has its markers.
    const recipe = replaceRecipeBlock(next, renderRecipeBlock(resultsDir));
    if (recipe !== undefined && recipe !== next) {
      stale.push(`${file} (recipe block)`);
      next = recipe;
    }
    if (!flags.check && next !== readme) writeFileAtomic(file, next);
  }
  // Published lines the current sweeps no longer contain: the verdicts are about runs the code
  // would not make today (re-run clipdown reproduce for that section).
  for (const d of publishedDrift(resultsDir))
    console.error(
      `warning: results/${d.section}.jsonl (${d.profile}): ${d.stale.length} published run(s) are not in the current sweep, ` +
        `${d.unpublished.length} run(s) of the sweep are not published; re-run npx clipdown reproduce --section ${d.section} --profile ${d.profile}`,
    );
  const counts = new Map<string, number>();
  for (const j of judged) counts.set(j.result.verdict, (counts.get(j.result.verdict) ?? 0) + 1);
  const summary = [...counts.entries()].map(([v, n]) => `${n} ${v}`).join(", ");
  const secs = ((Date.now() - t0) / 1000).toFixed(2);
  if (flags.check) {
    if (stale.length) {
      console.error(
        `out of date: ${stale.join(", ")}; regenerate with npx clipdown findings${flags.readme ? " --readme" : ""}`,
      );
      return 1;
    }
    console.log(`up to date: ${judged.length} findings (${summary}), checked in ${secs} s`);
    return 0;
  }
  console.log(
    `${out}: ${judged.length} findings (${summary}) in ${secs} s${flags.readme ? `; README block in ${flags["readme-file"]}` : ""}`,
  );
  return 0;
}
