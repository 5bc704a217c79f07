/**
 * `clipdown sweep`: run a paper section's sweep, inspect it, or hand it to a scheduler.
 *
 *   clipdown sweep list [--verbose]                       sections and run counts per profile
 *   clipdown sweep <section> [--profile quick] [--jobs N] run what is pending, print the results table
 *   clipdown sweep <section> --dry-run                    the runs, their order and their state
 *   clipdown sweep <section> --emit slurm|k8s [--out F]   a job-array script / Indexed Job manifest
 *   clipdown sweep run-index <section> <i> --profile P    run i (what each array task executes)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../sweep/atomic";
import { k8sManifest, slurmScript } from "../sweep/emit";
import { readLock } from "../sweep/lock";
import { formatTable } from "../sweep/results";
import { inspectRun } from "../sweep/run-dir";
import { defaultJobs, formatDuration, reportTable, runSweep, varyingFields } from "../sweep/runner";
import { DEFAULT_ROOT, PROFILES, type Sweep, withDependencies } from "../sweep/sweep";
import { type FlagSpecs, formatHelp, parseArgs, UsageError } from "../util/args";
import { catalog, getSection, sectionNames, sweepFor } from "./catalog";

const SPECS: FlagSpecs = {
  profile: { kind: "string", help: `sweep size: ${PROFILES.join(" | ")}`, default: "quick" },
  jobs: { kind: "number", help: "worker processes (0 = run in this process)", default: defaultJobs() },
  root: {
    kind: "string",
    help: "directory holding the run directories and JSONL files",
    default: DEFAULT_ROOT,
  },
  "dry-run": { kind: "boolean", help: "list the runs and their state; run nothing" },
  emit: { kind: "string", help: "write a scheduler job instead of running: slurm | k8s" },
  out: { kind: "string", help: "file for --emit (default <root>/<section>-<profile>.sbatch|.k8s.yaml)" },
  partition: { kind: "string", help: "slurm: partition" },
  time: { kind: "string", help: "slurm: time limit per task (e.g. 02:00:00)" },
  "cpus-per-task": { kind: "number", help: "slurm: CPUs per task", default: 1 },
  mem: { kind: "string", help: "slurm: memory per task (e.g. 6G)" },
  "max-parallel": {
    kind: "number",
    help: "slurm: at most this many tasks at once (0 = no limit)",
    default: 0,
  },
  image: { kind: "string", help: "k8s: container image with this repository", default: "clipdown:latest" },
  parallelism: { kind: "number", help: "k8s: pods at once (default min(runs, 4))" },
  verbose: { kind: "boolean", help: "list: also print each section's scale mapping" },
  help: { kind: "boolean", help: "show this help" },
};

const USAGE = [
  "clipdown sweep list [--verbose]",
  "       clipdown sweep <section> [--profile smoke|quick|full] [--jobs N] [--dry-run] [--emit slurm|k8s]",
  "       clipdown sweep run-index <section> <i> --profile P",
].join("\n");

function intFlag(v: unknown, name: string, min: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min)
    throw new UsageError(`--${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function build(section: string | undefined, flags: Record<string, unknown>): Sweep {
  if (!section) throw new UsageError(`name a section; valid sections: ${sectionNames().join(", ")}`);
  try {
    return sweepFor(section, flags.profile as string, flags.root as string);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** `clipdown sweep list`: each section with its run count per profile. */
export function listText(verbose: boolean, root: string = DEFAULT_ROOT): string {
  const rows = sectionNames().map((name) => {
    const counts = PROFILES.map((p) => {
      const s = sweepFor(name, p, root);
      const done = s.runs.filter((r) => inspectRun(r.dir, r.hash, r.kind).state === "done").length;
      return done ? `${s.runs.length} (${done} done)` : String(s.runs.length);
    });
    return [name, getSection(name).title, ...counts];
  });
  const header = ["section", "title", ...PROFILES];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  const out = [line(header), ...rows.map(line)];
  if (verbose) {
    for (const name of sectionNames()) {
      const notes = getSection(name).build("full").notes;
      if (notes) out.push("", `${name}:`, ...notes.split("\n").map((l) => `  ${l}`));
    }
  }
  return out.join("\n");
}

function dryRun(sweep: Sweep): string {
  const fields = varyingFields(sweep.runs);
  let cost = 0;
  const rows = sweep.runs.map((r) => {
    const insp = inspectRun(r.dir, r.hash, r.kind);
    const lock = readLock(r.dir);
    cost += r.kind.cost(r.spec);
    const d = r.kind.describe(r.spec);
    return {
      index: r.index,
      hash: r.hash,
      status: insp.state === "done" ? "done" : lock ? `locked by ${lock.host}:${lock.pid}` : insp.why,
      fields: Object.fromEntries(fields.map((f) => [f, d[f] ?? null])),
      metrics: insp.state === "done" ? insp.result.metrics : {},
    };
  });
  const deps = sweep.runs
    .filter((r) => r.needs.length)
    .map(
      (r) =>
        `  run ${r.index} needs ${r.needs.map((h) => sweep.runs.find((x) => x.hash === h)!.index).join(", ")}`,
    );
  return [
    `${sweep.section}/${sweep.profile}: ${sweep.runs.length} runs under ${path.join(sweep.root, sweep.section)}, ` +
      `estimated ${(cost / 1e9).toExponential(2)} training GFLOPs in all`,
    formatTable(rows),
    ...(deps.length ? ["dependencies:", ...deps] : []),
  ].join("\n");
}

export async function run(argv: string[]): Promise<number> {
  if (argv[0] === "__worker") {
    const { workerMain } = await import("../sweep/worker");
    return workerMain(catalog().kinds);
  }
  const { flags, positional } = parseArgs(argv, SPECS);
  if (flags.help || !positional.length) {
    console.log(formatHelp(USAGE, SPECS));
    return flags.help ? 0 : 2;
  }
  const [first, ...rest] = positional;
  if (first === "list") {
    if (rest.length) throw new UsageError(`sweep list takes no arguments, got "${rest[0]}"`);
    console.log(listText(Boolean(flags.verbose), flags.root as string));
    return 0;
  }
  if (first === "run-index") {
    const [section, idx, ...extra] = rest;
    if (extra.length || idx === undefined)
      throw new UsageError("usage: clipdown sweep run-index <section> <index> --profile P");
    const i = Number(idx);
    if (!/^\d+$/.test(idx)) throw new UsageError(`run index must be a non-negative integer, got "${idx}"`);
    const sweep = build(section, flags);
    let runs: Sweep["runs"];
    try {
      runs = withDependencies(sweep, i);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const report = await runSweep(sweep, { jobs: 0, runs, handleSignals: true, pollMs: 5000 });
    return report.failed ? 1 : 0;
  }
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}" after the section name`);
  const sweep = build(first, flags);
  if (flags["dry-run"]) {
    console.log(dryRun(sweep));
    return 0;
  }
  if (flags.emit !== undefined) return emit(sweep, flags);
  const jobs = intFlag(flags.jobs, "jobs", 0);
  const report = await runSweep(sweep, { jobs, handleSignals: true });
  console.log(reportTable(report));
  console.log(`wall time ${formatDuration(report.wallSeconds)}; results: ${sweep.jsonl}`);
  return report.failed ? 1 : 0;
}

function emit(sweep: Sweep, flags: Record<string, unknown>): number {
  const kind = flags.emit;
  let text: string;
  let ext: string;
  if (kind === "slurm") {
    const logDir = path.resolve(sweep.root, `${sweep.section}-${sweep.profile}-slurm`);
    // Slurm opens --output before the script runs, so the log directory must exist at submit time.
    fs.mkdirSync(logDir, { recursive: true });
    text = slurmScript(sweep, {
      logDir,
      cpusPerTask: intFlag(flags["cpus-per-task"], "cpus-per-task", 1),
      maxParallel: intFlag(flags["max-parallel"], "max-parallel", 0),
      ...(flags.partition ? { partition: flags.partition as string } : {}),
      ...(flags.time ? { time: flags.time as string } : {}),
      ...(flags.mem ? { mem: flags.mem as string } : {}),
    });
    ext = "sbatch";
  } else if (kind === "k8s") {
    text = k8sManifest(sweep, {
      image: flags.image as string,
      ...(flags.parallelism !== undefined
        ? { parallelism: intFlag(flags.parallelism, "parallelism", 1) }
        : {}),
    });
    ext = "k8s.yaml";
  } else {
    throw new UsageError(`--emit must be slurm or k8s, got ${JSON.stringify(kind)}`);
  }
  const out =
    (flags.out as string | undefined) ?? path.join(sweep.root, `${sweep.section}-${sweep.profile}.${ext}`);
  writeFileAtomic(out, text);
  if (kind === "slurm") fs.chmodSync(out, 0o755);
  console.log(out);
  console.error(
    kind === "slurm"
      ? `submit with: sbatch ${out}   (${sweep.runs.length} tasks; resubmitting is safe)`
      : `submit with: kubectl apply -f ${out}   (${sweep.runs.length} indexed pods; needs the image and the PVCs it names)`,
  );
  return 0;
}
