/**
 * Runs a sweep's pending runs: finished ones are skipped, interrupted ones resume, corrupt results
 * are discarded and redone, a failing run is recorded (status.json) without stopping the others,
 * and a run that another runner holds (its lock) is waited for instead of being run twice.
 *
 * Runs execute in worker processes (`jobs` ≥ 1) or in this process (`jobs` = 0: tests, Slurm
 * tasks). The runner alone writes status.json / result.json and the sweep's JSONL, and prints one
 * line per event plus a periodic progress line with an ETA.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Progress } from "../util/progress";
import { writeJsonAtomic } from "./atomic";
import type { RunOutput } from "./kinds";
import { Heartbeat, type HeldLock, readLock, staleReason, tryLock } from "./lock";
import { WorkerPool } from "./pool";
import { appendResult, formatTable, loadResultsFile, type TableRow, withLabels } from "./results";
import {
  discardResult,
  inspectRun,
  LOG_FILE,
  priorAttemptSeconds,
  provenance,
  RESULT_FILE,
  type RunResult,
  readStatus,
  SPEC_FILE,
  writeStatus,
} from "./run-dir";
import type { Json } from "./spec";
import type { Sweep, SweepRun } from "./sweep";
import { errorText, executeJob } from "./worker";

export interface RunSweepOptions {
  /** Worker processes (≥ 1), or 0 to execute runs in this process. Default: defaultJobs(). */
  jobs?: number;
  /** Receives progress lines (default: stderr). */
  log?: (line: string) => void;
  /** Only these runs (and nothing else); default the whole sweep. Dependencies must be included. */
  runs?: SweepRun[];
  /** How often runs held by other runners are re-checked, in ms. */
  pollMs?: number;
  /** How often a progress line is printed while runs are going, in ms. */
  progressEveryMs?: number;
  /** Mark running runs interrupted and release their locks on SIGINT/SIGTERM (the CLI sets this). */
  handleSignals?: boolean;
  /** Script the workers run (tests may substitute one). */
  workerEntry?: string;
  /**
   * Called after each run this invocation finishes, once its result is on disk (e.g. to publish it
   * at once, so a kill loses no finished run). An error it throws is logged, not raised.
   */
  onDone?: (run: SweepRun, result: RunResult) => void;
}

export type OutcomeState = "done" | "failed" | "blocked";

export interface SweepOutcome {
  run: SweepRun;
  state: OutcomeState;
  result?: RunResult;
  error?: string;
  /** Executed (or finished) by this invocation rather than found finished. */
  ranHere: boolean;
}

export interface SweepReport {
  sweep: Sweep;
  outcomes: SweepOutcome[];
  ran: number;
  failed: number;
  wallSeconds: number;
}

/** Workers that fit this machine: one per core (tfjs-wasm uses one thread), ~3 GiB of memory each. */
export function defaultJobs(): number {
  const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(cores, Math.floor(os.totalmem() / 3 / 2 ** 30)));
}

type TrackState = "pending" | "running" | "elsewhere" | OutcomeState;

interface Track {
  run: SweepRun;
  state: TrackState;
  result?: RunResult;
  error?: string;
  ranHere: boolean;
  cost: number;
  /** Fraction already done when this invocation started it (resumed runs). */
  startFrac: number;
}

export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "–";
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** Spec fields that differ between the runs (what identifies a run at a glance). */
export function varyingFields(runs: SweepRun[]): string[] {
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.kind.describe(r.spec))))];
  return names.filter((n) => new Set(runs.map((r) => JSON.stringify(r.kind.describe(r.spec)[n]))).size > 1);
}

function label(run: SweepRun, fields: string[]): string {
  const d = run.kind.describe(run.spec);
  const parts = fields.filter((f) => d[f] !== undefined).map((f) => `${f}=${fmtField(d[f]!)}`);
  return `${run.hash.slice(0, 8)} ${parts.join(" ")}`.trim();
}

function fmtField(v: Json): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

function headline(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .slice(0, 4)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(4)}`)
    .join(" ");
}

/** Runs what is pending in `sweep`; resolves when every selected run is done, failed or blocked. */
export async function runSweep(sweep: Sweep, opts: RunSweepOptions = {}): Promise<SweepReport> {
  return new SweepSession(sweep, opts).run();
}

/** Tracks of the selected runs: finished ones as done, the rest pending; every dependency must be selected. */
function trackRuns(selected: readonly SweepRun[]): Track[] {
  const tracks: Track[] = selected.map((run) => {
    const insp = inspectRun(run.dir, run.hash, run.kind);
    const cost = Math.max(1, run.kind.cost(run.spec));
    if (insp.state === "done")
      return { run, state: "done", result: insp.result, ranHere: false, cost, startFrac: 1 };
    return { run, state: "pending", ranHere: false, cost, startFrac: 0 };
  });
  const hashes = new Set(tracks.map((t) => t.run.hash));
  for (const t of tracks) {
    for (const h of t.run.needs) {
      if (!hashes.has(h))
        throw new Error(`run ${t.run.hash} needs ${h}, which is not among the selected runs`);
    }
  }
  return tracks;
}

/** Progress of a track as a fraction in [0, 1] (its kind reads the run directory). */
function progressOf(t: Track): number {
  if (t.state === "done") return 1;
  try {
    return Math.min(1, Math.max(0, t.run.kind.progress?.(t.run.spec, t.run.dir) ?? 0));
  } catch {
    return 0; // a half-written progress file mid-step: no progress to show yet
  }
}

/** How an attempt begins, for its ▶ line. */
function howItStarts(why: string | undefined, startFrac: number): string {
  if (why === "failed") return "retrying after a failure";
  if (startFrac > 0) return `resuming at ${(startFrac * 100).toFixed(0)}%`;
  return why === "partial" ? "resuming" : "starting";
}

/**
 * One invocation of the runner over a sweep: the tracks of its runs, the locks it holds, the worker
 * pool, and the display. `run()` schedules until every run is done, failed or blocked.
 */
class SweepSession {
  private readonly name: string;
  private readonly fields: string[];
  private readonly jobs: number;
  private readonly t0 = Date.now();
  private readonly progress: Progress;
  private readonly tracks: Track[];
  private readonly byHash: Map<string, Track>;
  private readonly heartbeat = new Heartbeat();
  private readonly held = new Map<string, HeldLock>();
  private readonly running = new Map<string, Promise<void>>();
  private pool: WorkerPool | undefined;
  private jobId = 0;
  private lastProgress = Date.now();

  constructor(
    private readonly sweep: Sweep,
    private readonly opts: RunSweepOptions,
  ) {
    this.name = `${sweep.section}/${sweep.profile}`;
    this.fields = varyingFields(sweep.runs);
    this.jobs = Math.max(0, Math.floor(opts.jobs ?? defaultJobs()));
    const selected = opts.runs ?? sweep.runs;
    // The shared display: a bar on a terminal with event lines above it, plain lines elsewhere. The
    // runner decides when a status line is due (progressEveryMs), so the display does not throttle.
    this.progress = new Progress({
      label: `sweep ${this.name}`,
      total: selected.length,
      unit: "runs",
      everyMs: 0,
      ...(opts.log ? { log: opts.log } : {}),
    });
    this.tracks = trackRuns(selected);
    this.byHash = new Map(this.tracks.map((t) => [t.run.hash, t]));
  }

  private log(s: string): void {
    this.progress.note(s);
  }

  private label(run: SweepRun): string {
    return label(run, this.fields);
  }

  async run(): Promise<SweepReport> {
    backfillJsonl(this.sweep, this.tracks);
    const n = this.tracks.length;
    const pending = this.tracks.filter((t) => t.state !== "done").length;
    const where = this.jobs === 0 ? "in this process" : `${Math.min(this.jobs, pending)} worker process(es)`;
    this.log(
      `sweep ${this.name}: ${n} runs, ${n - pending} already finished, ${pending} to run` +
        (pending ? ` (${where})` : ""),
    );
    if (this.jobs > 0 && pending > 0)
      this.pool = new WorkerPool(Math.min(this.jobs, pending), this.opts.workerEntry);
    const onSignal = (sig: NodeJS.Signals) => this.interrupted(sig);
    if (this.opts.handleSignals) {
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
    }
    try {
      await this.schedule();
    } finally {
      if (this.opts.handleSignals) {
        process.removeListener("SIGINT", onSignal);
        process.removeListener("SIGTERM", onSignal);
      }
      this.pool?.close();
    }
    return this.report();
  }

  /** Starts ready runs while slots are free, waits for one to end (or a poll), until nothing can run. */
  private async schedule(): Promise<void> {
    const slots = this.pool ? this.pool.size : 1;
    const everyMs = this.opts.progressEveryMs ?? 30_000;
    for (;;) {
      for (const t of this.tracks) {
        if (this.running.size >= slots) break;
        if (t.state === "pending") this.tryStart(t);
      }
      if (this.tracks.every((t) => t.state === "done" || t.state === "failed" || t.state === "blocked"))
        return;
      const waiting = this.tracks.some((t) => t.state === "elsewhere");
      if (!this.running.size && !waiting) {
        // Only pending runs whose dependencies can never finish remain (should not happen).
        for (const t of this.tracks.filter((x) => x.state === "pending"))
          Object.assign(t, { state: "blocked", error: "its dependencies did not finish" });
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        ...this.running.values(),
        new Promise<void>((r) => {
          timer = setTimeout(r, waiting ? (this.opts.pollMs ?? 1000) : everyMs);
        }),
      ]);
      clearTimeout(timer);
      for (const t of this.tracks.filter((x) => x.state === "elsewhere")) recheckElsewhere(t, this.t0);
      if (Date.now() - this.lastProgress >= everyMs) this.progressLine();
    }
  }

  /** Starts a pending run whose dependencies are done and whose lock is free; blocks it when one failed. */
  private tryStart(t: Track): void {
    const deps = t.run.needs.map((h) => this.byHash.get(h)!);
    const broken = deps.find((d) => d.state === "failed" || d.state === "blocked");
    if (broken) {
      Object.assign(t, {
        state: "blocked",
        error: `needs run ${broken.run.hash}, which ${broken.state === "failed" ? "failed" : "could not run"}`,
      });
      this.log(`⊘ [${t.run.index}] ${this.label(t.run)} skipped: ${t.error}`);
      return;
    }
    if (deps.some((d) => d.state !== "done")) return;
    const lock = tryLock(t.run.dir, {
      onStale: (why) => this.log(`  ${this.label(t.run)}: breaking a stale lock (${why})`),
    });
    if (!lock) {
      t.state = "elsewhere";
      const h = readLock(t.run.dir);
      this.log(
        `… [${t.run.index}] ${this.label(t.run)} is being run by ${h ? `${h.host}:${h.pid}` : "another runner"}; waiting for it`,
      );
      return;
    }
    this.held.set(t.run.hash, lock);
    this.heartbeat.add(lock);
    t.state = "running";
    this.running.set(
      t.run.hash,
      this.attempt(t).finally(() => {
        this.heartbeat.delete(lock);
        this.held.delete(t.run.hash);
        lock.release();
        this.running.delete(t.run.hash);
      }),
    );
  }

  /** One attempt at a locked run: prepare its directory, execute it, record the result or the failure. */
  private async attempt(t: Track): Promise<void> {
    const { run } = t;
    const started = Date.now();
    // Someone may have finished it between our first look and taking the lock.
    const insp = inspectRun(run.dir, run.hash, run.kind);
    if (insp.state === "done") {
      Object.assign(t, { state: "done", result: insp.result });
      return;
    }
    if (insp.why === "corrupt") {
      this.log(`  ${this.label(run)}: discarding an unusable result (${insp.detail}); redoing it`);
      discardResult(run.dir, run.kind);
    }
    const status = this.markRunning(run, started);
    t.startFrac = progressOf(t);
    this.log(`▶ [${run.index}] ${this.label(run)} — ${howItStarts(insp.why, t.startFrac)}`);
    let output: RunOutput;
    try {
      output = await this.execute(run);
      const bad = run.kind.verify(run.dir);
      if (bad) throw new Error(`the run finished but its artifacts do not verify: ${bad}`);
    } catch (e) {
      this.recordFailure(t, status, errorText(e));
      return;
    }
    this.recordResult(t, status, output, (Date.now() - started) / 1000);
  }

  /** Writes spec.json (once) and a `running` status.json; returns the status. */
  private markRunning(run: SweepRun, started: number): RunningStatus {
    if (!fs.existsSync(path.join(run.dir, SPEC_FILE)))
      writeJsonAtomic(path.join(run.dir, SPEC_FILE), run.spec);
    const prev = readStatus(run.dir);
    const priorSeconds = priorAttemptSeconds(prev, run.dir);
    const status: RunningStatus = {
      hash: run.hash,
      state: "running",
      attempts: (prev?.attempts ?? 0) + 1,
      host: os.hostname(),
      pid: process.pid,
      startedAt: new Date(started).toISOString(),
      ...(priorSeconds > 0 ? { priorSeconds } : {}),
    };
    writeStatus(run.dir, status);
    return status;
  }

  /** Executes a run in a worker (or in this process with jobs 0). */
  private execute(run: SweepRun): Promise<RunOutput> {
    const job = {
      spec: run.spec,
      dir: run.dir,
      deps: Object.fromEntries(run.needs.map((h) => [h, this.byHash.get(h)!.run.dir])),
      logFile: path.join(run.dir, LOG_FILE),
    };
    return this.pool ? this.pool.exec({ ...job, id: this.jobId++ }) : executeJob(run.kind, job);
  }

  private recordFailure(t: Track, status: RunningStatus, error: string): void {
    const { run } = t;
    writeStatus(run.dir, { ...status, state: "failed", endedAt: new Date().toISOString(), error });
    Object.assign(t, { state: "failed", error, ranHere: true });
    this.log(
      `✗ [${run.index}] ${this.label(run)} failed: ${error.split("\n")[0]} (details: ${run.dir}/status.json)`,
    );
  }

  /** result.json (atomically), a `done` status, the sweep's JSONL line, the ✓ line and the hook. */
  private recordResult(t: Track, status: RunningStatus, output: RunOutput, attemptSeconds: number): void {
    const { run } = t;
    const result: RunResult = {
      hash: run.hash,
      section: this.sweep.section,
      kind: run.spec.kind,
      spec: run.spec,
      metrics: output.metrics,
      samples: output.samples,
      flops: output.flops,
      wallSeconds: (status.priorSeconds ?? 0) + attemptSeconds,
      attemptSeconds,
      attempts: status.attempts,
      finishedAt: new Date().toISOString(),
      provenance: { ...provenance(), ...output.provenance },
      ...(output.info ? { info: output.info } : {}),
      ...(output.corpus ? { corpus: output.corpus } : {}),
    };
    writeJsonAtomic(path.join(run.dir, RESULT_FILE), result);
    writeStatus(run.dir, { ...status, state: "done", endedAt: result.finishedAt });
    appendResult(
      this.sweep.jsonl,
      withLabels({ ...result, profile: this.sweep.profile, index: run.index }, run.labels),
    );
    Object.assign(t, { state: "done", result, ranHere: true });
    this.log(
      `✓ [${run.index}] ${this.label(run)} ${formatDuration(result.wallSeconds)}  ${headline(result.metrics)}`,
    );
    if (!this.opts.onDone) return;
    try {
      this.opts.onDone(run, result);
    } catch (e) {
      this.log(`  [${run.index}] after-run hook failed: ${errorText(e).split("\n")[0]}`);
    }
  }

  /** SIGINT/SIGTERM: running runs are marked interrupted (they resume next time), locks released. */
  private interrupted(sig: NodeJS.Signals): never {
    for (const [hash, lock] of this.held) {
      const t = this.byHash.get(hash)!;
      const st = readStatus(t.run.dir);
      if (st) writeStatus(t.run.dir, { ...st, state: "interrupted", endedAt: new Date().toISOString() });
      lock.release();
    }
    this.pool?.close();
    this.log(`sweep ${this.name}: ${sig}; running runs marked interrupted (they resume next time)`);
    process.exit(sig === "SIGINT" ? 130 : 143);
  }

  /** The status line: runs done, failures, the running runs' progress and a cost-weighted ETA. */
  private progressLine(): void {
    const active = this.tracks.filter((t) => t.state === "running" || t.state === "elsewhere");
    const now = Date.now();
    const elapsed = (now - this.t0) / 1000;
    let doneCost = 0;
    let remaining = 0;
    for (const t of this.tracks) {
      if (t.state === "blocked" || t.state === "failed") continue;
      const p = progressOf(t);
      if (t.ranHere || t.state === "running") doneCost += t.cost * Math.max(0, p - t.startFrac);
      remaining += t.cost * (1 - p);
    }
    const eta = doneCost > 0 ? (remaining / doneCost) * elapsed : Number.NaN;
    const count = (s: TrackState) => this.tracks.filter((t) => t.state === s).length;
    const parts = active.map(
      (t) =>
        `${t.run.hash.slice(0, 8)}${t.state === "elsewhere" ? "(other runner)" : ""} ${(progressOf(t) * 100).toFixed(0)}%`,
    );
    // Runs differ in cost, so the ETA is the runner's cost-weighted one, not the display's count rate.
    this.progress.update(
      count("done"),
      { failed: count("failed"), running: parts.join(", ") || undefined, elapsed: formatDuration(elapsed) },
      eta,
    );
    this.lastProgress = now;
  }

  private report(): SweepReport {
    const outcomes: SweepOutcome[] = this.tracks.map((t) => ({
      run: t.run,
      state: t.state as OutcomeState,
      ranHere: t.ranHere,
      ...(t.result ? { result: t.result } : {}),
      ...(t.error ? { error: t.error } : {}),
    }));
    const n = outcomes.length;
    const failed = outcomes.filter((o) => o.state !== "done").length;
    const wallSeconds = (Date.now() - this.t0) / 1000;
    this.progress.close();
    const ranNow = outcomes.filter((o) => o.ranHere && o.state === "done").length;
    this.log(
      `sweep ${this.name}: ${n - failed}/${n} finished (${ranNow} ran now), ` +
        `${failed} failed or blocked, ${formatDuration(wallSeconds)}; results in ${this.sweep.jsonl}`,
    );
    return {
      sweep: this.sweep,
      outcomes,
      ran: outcomes.filter((o) => o.ranHere).length,
      failed,
      wallSeconds,
    };
  }
}

/** The status.json of an attempt in progress. */
interface RunningStatus {
  hash: string;
  state: "running";
  attempts: number;
  host: string;
  pid: number;
  startedAt: string;
  priorSeconds?: number;
}

/** A run another runner held: finished now, failed there, or free to take (lock released / stale). */
function recheckElsewhere(t: Track, since: number): void {
  const insp = inspectRun(t.run.dir, t.run.hash, t.run.kind);
  if (insp.state === "done") {
    Object.assign(t, { state: "done", result: insp.result });
    return;
  }
  const holder = readLock(t.run.dir);
  if (holder && !staleReason(holder)) return;
  const st = readStatus(t.run.dir);
  // It failed in the other runner during this sweep: report that rather than failing it again.
  if (st?.state === "failed" && st.endedAt && Date.parse(st.endedAt) >= since) {
    Object.assign(t, { state: "failed", error: st.error ?? "failed in another runner" });
    return;
  }
  t.state = "pending";
}

/** Appends finished runs missing from the sweep's JSONL (e.g. it was deleted, or they ran under another profile). */
function backfillJsonl(sweep: Sweep, tracks: Track[]): void {
  const done = tracks.filter((t) => t.state === "done");
  if (!done.length) return;
  const have = new Set(loadResultsFile(sweep.jsonl).records.map((r) => r.hash));
  for (const t of done) {
    if (!have.has(t.run.hash))
      appendResult(
        sweep.jsonl,
        withLabels({ ...t.result!, profile: sweep.profile, index: t.run.index }, t.run.labels),
      );
  }
}

/** Table rows for a sweep report (one per run, in sweep order). */
export function reportRows(report: SweepReport): TableRow[] {
  return report.outcomes.map((o) => ({
    index: o.run.index,
    hash: o.run.hash,
    status: o.state,
    fields: o.run.kind.describe(o.run.spec),
    metrics: o.result?.metrics ?? {},
    ...(o.result
      ? { samples: o.result.samples, flops: o.result.flops, wallSeconds: o.result.wallSeconds }
      : {}),
  }));
}

export function reportTable(report: SweepReport): string {
  return formatTable(reportRows(report));
}
