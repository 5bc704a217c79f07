/**
 * Published results: `results/<section>.jsonl` at the project root, one line per run of the
 * documented reproduction (spec, metrics, samples seen, FLOPs, wall time, backend, versions, git
 * commit), written by `clipdown reproduce` and committed. A run is identified by its spec hash, so a
 * notebook or report that builds a sweep whose runs were published loads their lines instead of
 * training again; only the runs nobody published are run (or reused from `runs/sweeps`).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeFileAtomic } from "../sweep/atomic";
import { kindOf } from "../sweep/kinds";
import { loadResultsFile, type ResultLine, withLabels } from "../sweep/results";
import { inspectRun, type Provenance } from "../sweep/run-dir";
import { runSweep } from "../sweep/runner";
import { DEFAULT_ROOT, PROFILES, type Sweep, type SweepRun, withDependencies } from "../sweep/sweep";
import { catalog, sweepFor } from "./catalog";
import {
  CorpusChecker,
  type CorpusMode,
  corpusMode,
  corpusNotes,
  type ForeignLine,
} from "./published-corpus";

/** The project's committed `results/` folder (resolved from this module, not the current directory). */
export const RESULTS_DIR = path.join(__dirname, "..", "..", "results");

/** `<resultsDir>/<section>.jsonl` */
export function publishedFile(section: string, resultsDir: string = RESULTS_DIR): string {
  return path.join(resultsDir, `${section}.jsonl`);
}

/** Every published line of a section (all profiles; a missing file is none). */
export function loadPublished(section: string, resultsDir: string = RESULTS_DIR): ResultLine[] {
  return loadResultsFile(publishedFile(section, resultsDir)).records;
}

export interface SectionResultsOptions {
  /** Directory holding run directories and sweep JSONL files (default runs/sweeps). */
  root?: string;
  /** Where the published `<section>.jsonl` files are (default RESULTS_DIR). */
  resultsDir?: string;
  /** Worker processes for the runs that must still run (0 = this process); runSweep's default. */
  jobs?: number;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /** false: run nothing, return only what is published or already finished locally. Default true. */
  run?: boolean;
  /**
   * Published lines trained on another corpus than the local one (or on one they did not record):
   * `published` uses them, saying so in the log; `local` trains those runs on the local corpus.
   * Default: CLIPDOWN_CORPUS, else `published`.
   */
  corpus?: CorpusMode;
}

/**
 * The results of a section's sweep for `profile`, one ResultLine per run in sweep order: published
 * lines whose hash matches a run are used as they are (no training), the other runs are run with
 * runSweep (finished ones in `root` are reused). Published lines for specs that are not in this
 * sweep are ignored. Runs that failed (or were not run, with `run: false`) are missing from the
 * returned list; the log says which.
 */
export async function sectionResults(
  section: string,
  profile: string,
  opts: SectionResultsOptions = {},
): Promise<ResultLine[]> {
  const log = opts.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const sweep = sweepFor(section, profile, opts.root ?? DEFAULT_ROOT);
  const mode = opts.corpus ?? corpusMode();
  const published = new Map(loadPublished(section, opts.resultsDir).map((l) => [l.hash, l]));
  const have = new Map<string, ResultLine>();
  const checker = new CorpusChecker(sweep, catalog().kinds);
  const foreign: ForeignLine[] = [];
  for (const r of sweep.runs) {
    const p = published.get(r.hash);
    if (!p) continue;
    const match = checker.check(p);
    if (match !== "same") foreign.push({ line: p, match, local: checker.localCorpus(p.spec) });
    if (match === "same" || mode === "published")
      have.set(r.hash, { ...p, profile: sweep.profile, index: r.index });
  }
  for (const note of corpusNotes(`${section}/${sweep.profile}`, foreign, mode)) log(note);
  const missing = sweep.runs.filter((r) => !have.has(r.hash));
  if (have.size)
    log(
      `${section}/${sweep.profile}: ${have.size} of ${sweep.runs.length} runs from ${publishedFile(section, opts.resultsDir)}`,
    );
  if (missing.length) {
    if (opts.run === false) {
      for (const r of missing) {
        const insp = inspectRun(r.dir, r.hash, r.kind);
        if (insp.state === "done")
          have.set(r.hash, withLabels({ ...insp.result, profile: sweep.profile, index: r.index }, r.labels));
      }
    } else {
      const report = await runSweep(sweep, {
        runs: withDependenciesOf(sweep, missing),
        log,
        ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}),
      });
      for (const o of report.outcomes) {
        if (o.result && !have.has(o.run.hash))
          have.set(
            o.run.hash,
            withLabels({ ...o.result, profile: sweep.profile, index: o.run.index }, o.run.labels),
          );
      }
    }
    const absent = sweep.runs.filter((r) => !have.has(r.hash));
    if (absent.length)
      log(
        `${section}/${sweep.profile}: no result for ${absent.length} run(s): ${absent
          .slice(0, 8)
          .map((r) => `[${r.index}] ${r.hash.slice(0, 8)}`)
          .join(", ")}${absent.length > 8 ? ", …" : ""}` +
          (opts.run === false ? " (run: false; not run)" : " (failed or blocked; see their status.json)"),
      );
  }
  return sweep.runs.flatMap((r) => {
    const l = have.get(r.hash);
    return l ? [l] : [];
  });
}

/** `runs` plus every run they need (a published dependency still has to exist on disk), in sweep order. */
function withDependenciesOf(sweep: Sweep, runs: SweepRun[]): SweepRun[] {
  const keep = new Set<string>();
  for (const r of runs) for (const d of withDependencies(sweep, r.index)) keep.add(d.hash);
  return sweep.runs.filter((r) => keep.has(r.hash));
}

// ── publishing ──────────────────────────────────────────────────────────────────────────────────

/** This machine, for provenance lines that lack it (filled only for runs made on this host). */
export function machineInfo(): Required<Pick<Provenance, "host" | "platform" | "cpu" | "cores" | "memGiB">> {
  const cpus = os.cpus();
  return {
    host: os.hostname(),
    platform: `${os.platform()}-${os.arch()}`,
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

const profileRank = (p: string) => (PROFILES as readonly string[]).indexOf(p);

/**
 * The published form of a finished run: the sweep's result line with its fields in a fixed order,
 * the backend (from the run's info) and the machine added to its provenance. No checkpoint or run
 * directory is referenced: the spec hash is the run's identity.
 */
export function publishedLine(line: ResultLine): ResultLine {
  const prov: Provenance = { ...line.provenance };
  const backend = line.info?.backend;
  if (prov.backend === undefined && typeof backend === "string") prov.backend = backend;
  if (prov.cpu === undefined && prov.host === os.hostname()) {
    const { host: _h, ...m } = machineInfo();
    Object.assign(prov, m);
  }
  return {
    hash: line.hash,
    section: line.section,
    profile: line.profile,
    index: line.index,
    kind: line.kind,
    spec: line.spec,
    metrics: line.metrics,
    samples: line.samples,
    flops: line.flops,
    wallSeconds: line.wallSeconds,
    ...(line.attemptSeconds !== undefined ? { attemptSeconds: line.attemptSeconds } : {}),
    attempts: line.attempts,
    finishedAt: line.finishedAt,
    provenance: prov,
    ...(line.info ? { info: line.info } : {}),
    ...(line.corpus ? { corpus: line.corpus } : {}),
    ...(line.labels ? { labels: line.labels } : {}),
  };
}

/**
 * Merges `lines` (finished runs of one sweep) into `<resultsDir>/<section>.jsonl` and rewrites it
 * atomically. A run already published keeps the larger of its two profiles (a run shared by the quick
 * and full sweeps stays "full", so each profile's lines are that whole sweep); lines of other
 * profiles stay. Order: profile (smoke, quick, full), then sweep index, then hash.
 */
export function publishLines(section: string, lines: ResultLine[], resultsDir: string = RESULTS_DIR): string {
  const file = publishedFile(section, resultsDir);
  const byHash = new Map(loadPublished(section, resultsDir).map((l) => [l.hash, l]));
  for (const l of lines) {
    if (l.section !== section)
      throw new Error(`run ${l.hash} belongs to section "${l.section}", not "${section}"`);
    const old = byHash.get(l.hash);
    const keepOld = old && profileRank(old.profile) > profileRank(l.profile);
    byHash.set(l.hash, publishedLine(keepOld ? { ...l, profile: old.profile, index: old.index } : l));
  }
  const sorted = [...byHash.values()].sort(
    (a, b) =>
      profileRank(a.profile) - profileRank(b.profile) || a.index - b.index || a.hash.localeCompare(b.hash),
  );
  // Nothing finished and nothing published: no empty file (it would read as a published section).
  if (sorted.length || fs.existsSync(file))
    writeFileAtomic(file, sorted.map((l) => `${JSON.stringify(l)}\n`).join(""));
  return file;
}

/** Result lines of a sweep's finished runs, from their run directories (nothing is run). */
export function finishedLines(sweep: Sweep): ResultLine[] {
  return sweep.runs.flatMap((r) => {
    const insp = inspectRun(r.dir, r.hash, kindOf(catalog().kinds, r.spec.kind));
    return insp.state === "done"
      ? [withLabels({ ...insp.result, profile: sweep.profile, index: r.index }, r.labels)]
      : [];
  });
}

/** True when `dir` holds at least one published `<section>.jsonl`. */
export function hasPublished(resultsDir: string = RESULTS_DIR): boolean {
  return fs.existsSync(resultsDir) && fs.readdirSync(resultsDir).some((f) => f.endsWith(".jsonl"));
}

/** How a section's published lines of one profile compare with that profile's current sweep. */
export interface PublishedDrift {
  section: string;
  profile: string;
  /** Published lines whose spec is no longer a run of the sweep (the section's code changed). */
  stale: string[];
  /** Runs of the sweep with no published line (not reproduced yet, or changed). */
  unpublished: string[];
}

/**
 * Compares every published profile of every section with the sweep the code builds now: a section
 * whose sweep changed after publishing has stale lines (notebooks would retrain those runs), and
 * the drift says which. Sections that are no longer registered are reported whole as stale.
 */
export function publishedDrift(
  resultsDir: string = RESULTS_DIR,
  root: string = DEFAULT_ROOT,
): PublishedDrift[] {
  if (!fs.existsSync(resultsDir)) return [];
  const out: PublishedDrift[] = [];
  for (const f of fs
    .readdirSync(resultsDir)
    .filter((x) => x.endsWith(".jsonl"))
    .sort()) {
    const section = f.slice(0, -".jsonl".length);
    const lines = loadPublished(section, resultsDir);
    for (const profile of PROFILES.filter((p) => lines.some((l) => l.profile === p))) {
      let hashes: Set<string>;
      try {
        hashes = new Set(sweepFor(section, profile, root).runs.map((r) => r.hash));
      } catch {
        // A section that no longer builds for this profile: none of its published lines is in a current sweep.
        hashes = new Set();
      }
      const mine = lines.filter((l) => l.profile === profile);
      const published = new Set(lines.map((l) => l.hash));
      const stale = mine.filter((l) => !hashes.has(l.hash)).map((l) => l.hash);
      const unpublished = [...hashes].filter((h) => !published.has(h));
      if (stale.length || unpublished.length) out.push({ section, profile, stale, unpublished });
    }
  }
  return out;
}
