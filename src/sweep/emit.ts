/**
 * Scale-out on an existing scheduler: the sweep's runs become one indexed array whose task i runs
 * `clipdown sweep run-index <section> <i> --profile <p>`. The contract that makes this safe to
 * resubmit: a finished run is skipped, an interrupted one resumes, a run whose dependencies are not
 * finished runs them first (or waits for the task holding them), and a lock per run directory keeps
 * two tasks from running the same spec. Runs are ordered dependencies-first, so low indices (which
 * schedulers start first) unblock the rest.
 *
 * Slurm: an sbatch script with `--array=0-(N-1)` and `SLURM_ARRAY_TASK_ID` as the index.
 * Kubernetes: an Indexed Job (`completionMode: Indexed`) with `JOB_COMPLETION_INDEX` as the index.
 */
import * as path from "node:path";
import { PLUGINS_ENV, pluginPaths } from "./plugins";
import type { Sweep } from "./sweep";

export interface SlurmOptions {
  /** Repository root the tasks `cd` into (default: this checkout). */
  workdir?: string;
  /** Node binary on the compute nodes (default: the one running now). */
  node?: string;
  partition?: string;
  /** Wall-clock limit per task, Slurm syntax (e.g. "02:00:00"). */
  time?: string;
  cpusPerTask?: number;
  /** Memory per task, Slurm syntax (e.g. "6G"). */
  mem?: string;
  /** At most this many tasks at once (`%K` suffix of --array); 0 = no limit. */
  maxParallel?: number;
  /** Directory for the per-task logs (default `<root>/<section>-<profile>-slurm`). */
  logDir?: string;
}

const REPO = path.resolve(__dirname, "..", "..");

/** Characters that need no quoting, in a shell word or an #SBATCH value. */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

function shellQuote(s: string): string {
  return PLAIN.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A value for the script (a path, a partition name, a time): a control character would end the
 * `#SBATCH` line early, so a newline in `--root` would become a shell command, and sbatch's own
 * quoting cannot carry a double quote. Both are refused; anything else is safe once quoted.
 */
function scriptValue(what: string, s: string): string {
  const unsafe = [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f || c === '"');
  if (unsafe) {
    throw new Error(
      `${what} ${JSON.stringify(s)} contains a control character or a double quote, which a Slurm script cannot carry; choose one without them`,
    );
  }
  return s;
}

/** `#SBATCH --name=value`, the value in double quotes (which sbatch removes) where it has spaces or shell characters. */
function directive(name: string, what: string, value: string): string {
  const v = scriptValue(what, value);
  return PLAIN.test(v) ? `--${name}=${v}` : `--${name}="${v}"`;
}

function runIndexArgs(sweep: Sweep, indexVar: string): string {
  return [
    "sweep",
    "run-index",
    sweep.section,
    indexVar,
    "--profile",
    sweep.profile,
    "--root",
    shellQuote(scriptValue("--root", path.resolve(sweep.root))),
  ].join(" ");
}

function pluginExport(): string[] {
  const p = pluginPaths();
  return p.length ? [`export ${PLUGINS_ENV}=${shellQuote(p.join(","))}`] : [];
}

/** An sbatch script running the sweep as a job array, one run per task. */
export function slurmScript(sweep: Sweep, o: SlurmOptions = {}): string {
  const n = sweep.runs.length;
  if (n === 0) throw new Error(`sweep ${sweep.section}/${sweep.profile} has no runs to submit`);
  scriptValue("the section name", sweep.section);
  const workdir = scriptValue("the work directory", path.resolve(o.workdir ?? REPO));
  const node = scriptValue("the node binary", o.node ?? process.execPath);
  const logDir = scriptValue(
    "the log directory",
    path.resolve(o.logDir ?? path.join(sweep.root, `${sweep.section}-${sweep.profile}-slurm`)),
  );
  const array = `0-${n - 1}${o.maxParallel ? `%${o.maxParallel}` : ""}`;
  const directives = [
    `--job-name=clipdown-${sweep.section}-${sweep.profile}`,
    `--array=${array}`,
    directive("output", "the log directory", `${logDir}/%a.log`),
    `--open-mode=append`,
    `--cpus-per-task=${o.cpusPerTask ?? 1}`,
    ...(o.mem ? [directive("mem", "--mem", o.mem)] : []),
    ...(o.time ? [directive("time", "--time", o.time)] : []),
    ...(o.partition ? [directive("partition", "--partition", o.partition)] : []),
  ];
  return [
    "#!/bin/bash",
    `# clipdown sweep ${sweep.section} --profile ${sweep.profile}: ${n} runs as a Slurm job array.`,
    "# Task i runs run i of the sweep (`clipdown sweep list` / `--dry-run` shows the order).",
    "# Resubmitting is safe: finished runs are skipped, interrupted ones resume, and a lock per run",
    "# directory keeps two tasks off the same run. Logs: one file per task index (appended).",
    ...directives.map((d) => `#SBATCH ${d}`),
    "set -euo pipefail",
    `mkdir -p ${shellQuote(logDir)}`,
    `cd ${shellQuote(workdir)}`,
    ...pluginExport(),
    `echo "clipdown: task \${SLURM_ARRAY_TASK_ID} of job \${SLURM_ARRAY_JOB_ID:-?} on $(hostname) at $(date -Is)"`,
    `exec ${shellQuote(node)} ${shellQuote(path.join(workdir, "bin", "clipdown.js"))} ${runIndexArgs(sweep, '"$SLURM_ARRAY_TASK_ID"')}`,
    "",
  ].join("\n");
}

export interface K8sOptions {
  /** Container image with this repository at `workdir` (and `npm ci` done). */
  image?: string;
  workdir?: string;
  /** Pods at once (default min(N, 4)). */
  parallelism?: number;
  cpu?: string;
  memory?: string;
  /** PersistentVolumeClaim mounted at `<workdir>/runs` so results outlive the pods. */
  runsClaim?: string;
  /** PersistentVolumeClaim with the built corpora, mounted read-only at `<workdir>/data`. */
  dataClaim?: string;
  /** Retries per index before the index counts as failed. */
  retriesPerIndex?: number;
}

/** YAML scalar: JSON strings are valid YAML, and quoting everything avoids YAML's type guessing. */
const q = (s: string) => JSON.stringify(s);

/** A Kubernetes Indexed Job manifest with the same contract as the Slurm array. */
export function k8sManifest(sweep: Sweep, o: K8sOptions = {}): string {
  const n = sweep.runs.length;
  if (n === 0) throw new Error(`sweep ${sweep.section}/${sweep.profile} has no runs to submit`);
  const workdir = o.workdir ?? "/clipdown";
  const name = `clipdown-${sweep.section}-${sweep.profile}`.slice(0, 63);
  const root = path.posix.join(workdir, "runs", "sweeps");
  const cmd = `exec node bin/clipdown.js sweep run-index ${sweep.section} "$JOB_COMPLETION_INDEX" --profile ${sweep.profile} --root ${root}`;
  const lines = [
    `# clipdown sweep ${sweep.section} --profile ${sweep.profile}: ${n} runs as an Indexed Job.`,
    "# Pod i runs run i of the sweep (JOB_COMPLETION_INDEX); re-applying after deleting the Job is safe:",
    "# finished runs are skipped, interrupted ones resume, a lock per run directory prevents doubles.",
    "apiVersion: batch/v1",
    "kind: Job",
    "metadata:",
    `  name: ${q(name)}`,
    "  labels:",
    `    app.kubernetes.io/name: "clipdown-sweep"`,
    `    clipdown/section: ${q(sweep.section)}`,
    `    clipdown/profile: ${q(sweep.profile)}`,
    "spec:",
    "  completionMode: Indexed",
    `  completions: ${n}`,
    `  parallelism: ${o.parallelism ?? Math.min(n, 4)}`,
    `  backoffLimitPerIndex: ${o.retriesPerIndex ?? 2}`,
    `  backoffLimit: ${n * ((o.retriesPerIndex ?? 2) + 1)}`,
    "  template:",
    "    spec:",
    "      restartPolicy: Never",
    "      containers:",
    "        - name: run",
    `          image: ${q(o.image ?? "clipdown:latest")}`,
    `          workingDir: ${q(workdir)}`,
    `          command: ["/bin/sh", "-c", ${q(cmd)}]`,
    "          resources:",
    "            requests:",
    `              cpu: ${q(o.cpu ?? "1")}`,
    `              memory: ${q(o.memory ?? "4Gi")}`,
    "            limits:",
    `              memory: ${q(o.memory ?? "4Gi")}`,
    "          volumeMounts:",
    `            - { name: runs, mountPath: ${q(path.posix.join(workdir, "runs"))} }`,
    `            - { name: data, mountPath: ${q(path.posix.join(workdir, "data"))}, readOnly: true }`,
    "      volumes:",
    `        - { name: runs, persistentVolumeClaim: { claimName: ${q(o.runsClaim ?? "clipdown-runs")} } }`,
    `        - { name: data, persistentVolumeClaim: { claimName: ${q(o.dataClaim ?? "clipdown-data")} } }`,
    "",
  ];
  return lines.join("\n");
}
