/**
 * `clipdown reproduce`: runs paper sections' sweeps and publishes their results.
 *
 *   clipdown reproduce [--section S[,S2]] [--profile full] [--jobs N] [--root runs/sweeps] [--results results]
 *
 * Each section is the sweep runner's work (finished runs are skipped, interrupted ones resume); each
 * run is merged into `<results>/<section>.jsonl` (rewritten atomically) as soon as it finishes, so a
 * kill loses no finished run and the next invocation picks up where this one stopped. A sweep that
 * is only partly published is listed by `clipdown findings` as in progress and not judged.
 */

import { defaultJobs, formatDuration, reportTable, runSweep } from "../sweep/runner";
import { DEFAULT_ROOT, PROFILES, type Sweep, withAllDependencies } from "../sweep/sweep";
import { type FlagSpecs, formatHelp, parseArgs, UsageError } from "../util/args";
import { catalog, sectionNames, sweepFor } from "./catalog";
import { finishedLines, loadPublished, publishLines, RESULTS_DIR } from "./published";
import { CorpusChecker } from "./published-corpus";

const SPECS: FlagSpecs = {
  section: { kind: "string", help: "section(s) to reproduce, comma-separated (default: every section)" },
  profile: { kind: "string", help: `sweep size: ${PROFILES.join(" | ")}`, default: "full" },
  jobs: { kind: "number", help: "worker processes (0 = run in this process)", default: defaultJobs() },
  root: { kind: "string", help: "directory holding the run directories", default: DEFAULT_ROOT },
  results: { kind: "string", help: "directory of the published <section>.jsonl files", default: RESULTS_DIR },
  "publish-only": { kind: "boolean", help: "run nothing; publish the runs already finished under --root" },
  "skip-published": {
    kind: "boolean",
    help: "run only what --results does not publish yet (and what those runs need): continue a sweep on another machine or a fresh checkout",
  },
  help: { kind: "boolean", help: "show this help" },
};

const USAGE = "clipdown reproduce [--section S[,S2]] [--profile smoke|quick|full] [--jobs N]";

/** The sections named by --section (checked), or every registered section. */
export function selectSections(flag: unknown): string[] {
  const all = sectionNames();
  if (flag === undefined) {
    if (!all.length) throw new UsageError("no sections are registered (src/papers/sections.ts)");
    return all;
  }
  const names = String(flag)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!names.length) throw new UsageError(`--section is empty; valid sections: ${all.join(", ")}`);
  for (const n of names)
    if (!all.includes(n)) throw new UsageError(`unknown section "${n}"; valid sections: ${all.join(", ")}`);
  return names;
}

export async function run(argv: string[]): Promise<number> {
  const { flags, positional } = parseArgs(argv, SPECS);
  if (flags.help) {
    console.log(formatHelp(USAGE, SPECS));
    return 0;
  }
  if (positional.length)
    throw new UsageError(`unexpected argument "${positional[0]}"; name sections with --section`);
  const jobs = flags.jobs;
  if (typeof jobs !== "number" || !Number.isInteger(jobs) || jobs < 0)
    throw new UsageError(`--jobs must be an integer >= 0, got ${JSON.stringify(jobs)}`);
  const sections = selectSections(flags.section);
  const sweeps: Sweep[] = [];
  for (const s of sections) {
    try {
      sweeps.push(sweepFor(s, flags.profile as string, flags.root as string));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const t0 = Date.now();
  let failed = 0;
  for (const sweep of sweeps) {
    // Published lines count as done here only when they trained on this machine's corpus.
    const checker = new CorpusChecker(sweep, catalog().kinds);
    const publishedLines = loadPublished(sweep.section, flags.results as string);
    const published = new Set(publishedLines.filter((l) => checker.check(l) === "same").map((l) => l.hash));
    const inSweep = new Set(sweep.runs.map((r) => r.hash));
    const otherCorpus = publishedLines.filter((l) => inSweep.has(l.hash) && !published.has(l.hash)).length;
    if (flags["skip-published"] && otherCorpus)
      console.log(
        `${sweep.section}/${sweep.profile}: ${otherCorpus} published run(s) trained on another corpus than yours (or did not record theirs): run again here`,
      );
    const toRun = flags["skip-published"]
      ? withAllDependencies(
          sweep,
          sweep.runs.filter((r) => !published.has(r.hash)),
        )
      : sweep.runs;
    if (flags["skip-published"])
      console.log(
        `${sweep.section}/${sweep.profile}: ${sweep.runs.length - toRun.length} of ${sweep.runs.length} runs published already and not needed by the others; ${toRun.length} to run`,
      );
    if (!flags["publish-only"] && toRun.length) {
      // Each finished run is published at once: a kill (or a session's end) loses no finished run.
      const publish = () => publishLines(sweep.section, finishedLines(sweep), flags.results as string);
      const report = await runSweep(sweep, { jobs, handleSignals: true, onDone: publish, runs: toRun });
      console.log(reportTable(report));
      failed += report.failed;
    }
    const lines = finishedLines(sweep);
    const have = flags["skip-published"] ? new Set([...published, ...lines.map((l) => l.hash)]) : undefined;
    const missing = have
      ? sweep.runs.filter((r) => !have.has(r.hash)).length
      : sweep.runs.length - lines.length;
    if (flags["publish-only"]) failed += missing;
    const file = publishLines(sweep.section, lines, flags.results as string);
    console.log(
      `${sweep.section}/${sweep.profile}: published ${sweep.runs.length - missing} of ${sweep.runs.length} runs to ${file}` +
        (missing
          ? ` (${missing} not finished: run clipdown reproduce --section ${sweep.section} again)`
          : ""),
    );
  }
  console.log(`reproduce: ${sweeps.length} section(s), ${formatDuration((Date.now() - t0) / 1000)}`);
  return failed ? 1 : 0;
}
