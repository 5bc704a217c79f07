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
import { appendResult, formatTable, loadResultsFile, type TableRow } from "./results";
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
  const selected = opts.runs ?? sweep.runs;
  const jobs = Math.max(0, Math.floor(opts.jobs ?? defaultJobs()));
  const pollMs = opts.pollMs ?? 1000;
  const t0 = Date.now();
  const fields = varyingFields(sweep.runs);
  const n = selected.length;
  const name = `${sweep.section}/${sweep.profile}`;
  // The shared display: a bar on a terminal with event lines above it, plain lines elsewhere. The
  // runner decides when a status line is due (progressEveryMs), so the display does not throttle.
  const progress = new Progress({
    label: `sweep ${name}`,
    total: n,
    unit: "runs",
    everyMs: 0,
    ...(opts.log ? { log: opts.log } : {}),
  });
  const log = (s: string) => progress.note(s);

  const tracks: Track[] = selected.map((run) => {
    const insp = inspectRun(run.dir, run.hash, run.kind);
    const cost = Math.max(1, run.kind.cost(run.spec));
    if (insp.state === "done")
      return { run, state: "done", result: insp.result, ranHere: false, cost, startFrac: 1 };
    return { run, state: "pending", ranHere: false, cost, startFrac: 0 };
  });
  const byHash = new Map(tracks.map((t) => [t.run.hash, t]));
  for (const t of tracks) {
    for (const h of t.run.needs) {
      if (!byHash.has(h))
        throw new Error(`run ${t.run.hash} needs ${h}, which is not among the selected runs`);
    }
  }
  backfillJsonl(sweep, tracks);

  const pending = tracks.filter((t) => t.state !== "done").length;
  log(
    `sweep ${name}: ${n} runs, ${n - pending} already finished, ${pending} to run` +
      (pending
        ? ` (${jobs === 0 ? "in this process" : `${Math.min(jobs, pending)} worker process(es)`})`
        : ""),
  );

  const heartbeat = new Heartbeat();
  const held = new Map<string, HeldLock>();
  const pool =
    jobs > 0 && pending > 0 ? new WorkerPool(Math.min(jobs, pending), opts.workerEntry) : undefined;
  const slots = pool ? pool.size : 1;
  const running = new Map<string, Promise<void>>();
  let jobId = 0;

  const progressOf = (t: Track): number => {
    if (t.state === "done") return 1;
    try {
      return Math.min(1, Math.max(0, t.run.kind.progress?.(t.run.spec, t.run.dir) ?? 0));
    } catch {
      return 0;
    }
  };

  const attempt = async (t: Track, lock: HeldLock): Promise<void> => {
    const { run } = t;
    const started = Date.now();
    try {
      // Someone may have finished it between our first look and taking the lock.
      const insp = inspectRun(run.dir, run.hash, run.kind);
      if (insp.state === "done") {
        Object.assign(t, { state: "done", result: insp.result });
        return;
      }
      if (insp.why === "corrupt") {
        log(`  ${label(run, fields)}: discarding an unusable result (${insp.detail}); redoing it`);
        discardResult(run.dir, run.kind);
      }
      if (!fs.existsSync(path.join(run.dir, SPEC_FILE)))
        writeJsonAtomic(path.join(run.dir, SPEC_FILE), run.spec);
      const prev = readStatus(run.dir);
      const attempts = (prev?.attempts ?? 0) + 1;
      const priorSeconds = priorAttemptSeconds(prev, run.dir);
      const status = {
        hash: run.hash,
        state: "running" as const,
        attempts,
        host: os.hostname(),
        pid: process.pid,
        startedAt: new Date(started).toISOString(),
        ...(priorSeconds > 0 ? { priorSeconds } : {}),
      };
      writeStatus(run.dir, status);
      t.startFrac = progressOf(t);
      const how =
        insp.why === "failed"
          ? "retrying after a failure"
          : t.startFrac > 0
            ? `resuming at ${(t.startFrac * 100).toFixed(0)}%`
            : insp.why === "partial"
              ? "resuming"
              : "starting";
      log(`▶ [${run.index}] ${label(run, fields)} — ${how}`);
      const job = {
        spec: run.spec,
        dir: run.dir,
        deps: Object.fromEntries(run.needs.map((h) => [h, byHash.get(h)!.run.dir])),
        logFile: path.join(run.dir, LOG_FILE),
      };
      let output: RunOutput;
      try {
        output = pool ? await pool.exec({ ...job, id: jobId++ }) : await executeJob(run.kind, job);
        const bad = run.kind.verify(run.dir);
        if (bad) throw new Error(`the run finished but its artifacts do not verify: ${bad}`);
      } catch (e) {
        const error = errorText(e);
        writeStatus(run.dir, { ...status, state: "failed", endedAt: new Date().toISOString(), error });
        Object.assign(t, { state: "failed", error, ranHere: true });
        log(
          `✗ [${run.index}] ${label(run, fields)} failed: ${error.split("\n")[0]} (details: ${run.dir}/status.json)`,
        );
        return;
      }
      const attemptSeconds = (Date.now() - started) / 1000;
      const result: RunResult = {
        hash: run.hash,
        section: sweep.section,
        kind: run.spec.kind,
        spec: run.spec,
        metrics: output.metrics,
        samples: output.samples,
        flops: output.flops,
        wallSeconds: priorSeconds + attemptSeconds,
        attemptSeconds,
        attempts,
        finishedAt: new Date().toISOString(),
        provenance: { ...provenance(), ...output.provenance },
        ...(output.info ? { info: output.info } : {}),
      };
      writeJsonAtomic(path.join(run.dir, RESULT_FILE), result);
      writeStatus(run.dir, { ...status, state: "done", endedAt: result.finishedAt });
      appendResult(sweep.jsonl, { ...result, profile: sweep.profile, index: run.index });
      Object.assign(t, { state: "done", result, ranHere: true });
      log(
        `✓ [${run.index}] ${label(run, fields)} ${formatDuration(result.wallSeconds)}  ${headline(result.metrics)}`,
      );
      if (opts.onDone) {
        try {
          opts.onDone(run, result);
        } catch (e) {
          log(`  [${run.index}] after-run hook failed: ${errorText(e).split("\n")[0]}`);
        }
      }
    } finally {
      heartbeat.delete(lock);
      held.delete(run.hash);
      lock.release();
    }
  };

  const onSignal = (sig: NodeJS.Signals) => {
    for (const [hash, lock] of held) {
      const t = byHash.get(hash)!;
      const st = readStatus(t.run.dir);
      if (st) writeStatus(t.run.dir, { ...st, state: "interrupted", endedAt: new Date().toISOString() });
      lock.release();
    }
    pool?.close();
    log(`sweep ${name}: ${sig}; running runs marked interrupted (they resume next time)`);
    process.exit(sig === "SIGINT" ? 130 : 143);
  };
  if (opts.handleSignals) {
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  }

  let lastProgress = Date.now();
  const progressLine = () => {
    const active = tracks.filter((t) => t.state === "running" || t.state === "elsewhere");
    const now = Date.now();
    const elapsed = (now - t0) / 1000;
    let doneCost = 0;
    let remaining = 0;
    for (const t of tracks) {
      if (t.state === "blocked" || t.state === "failed") continue;
      const p = progressOf(t);
      if (t.ranHere || t.state === "running") doneCost += t.cost * Math.max(0, p - t.startFrac);
      remaining += t.cost * (1 - p);
    }
    const eta = doneCost > 0 ? (remaining / doneCost) * elapsed : Number.NaN;
    const count = (s: TrackState) => tracks.filter((t) => t.state === s).length;
    const parts = active.map(
      (t) =>
        `${t.run.hash.slice(0, 8)}${t.state === "elsewhere" ? "(other runner)" : ""} ${(progressOf(t) * 100).toFixed(0)}%`,
    );
    // Runs differ in cost, so the ETA is the runner's cost-weighted one, not the display's count rate.
    progress.update(
      count("done"),
      { failed: count("failed"), running: parts.join(", ") || undefined, elapsed: formatDuration(elapsed) },
      eta,
    );
    lastProgress = now;
  };

  try {
    for (;;) {
      for (const t of tracks) {
        if (running.size >= slots) break;
        if (t.state !== "pending") continue;
        const deps = t.run.needs.map((h) => byHash.get(h)!);
        const broken = deps.find((d) => d.state === "failed" || d.state === "blocked");
        if (broken) {
          Object.assign(t, {
            state: "blocked",
            error: `needs run ${broken.run.hash}, which ${broken.state === "failed" ? "failed" : "could not run"}`,
          });
          log(`⊘ [${t.run.index}] ${label(t.run, fields)} skipped: ${t.error}`);
          continue;
        }
        if (deps.some((d) => d.state !== "done")) continue;
        const lock = tryLock(t.run.dir, {
          onStale: (why) => log(`  ${label(t.run, fields)}: breaking a stale lock (${why})`),
        });
        if (!lock) {
          t.state = "elsewhere";
          const h = readLock(t.run.dir);
          log(
            `… [${t.run.index}] ${label(t.run, fields)} is being run by ${h ? `${h.host}:${h.pid}` : "another runner"}; waiting for it`,
          );
          continue;
        }
        held.set(t.run.hash, lock);
        heartbeat.add(lock);
        t.state = "running";
        running.set(
          t.run.hash,
          attempt(t, lock).finally(() => running.delete(t.run.hash)),
        );
      }
      if (tracks.every((t) => t.state === "done" || t.state === "failed" || t.state === "blocked")) break;
      const waiting = tracks.some((t) => t.state === "elsewhere");
      if (!running.size && !waiting) {
        // Only pending runs whose dependencies can never finish remain (should not happen).
        for (const t of tracks.filter((x) => x.state === "pending"))
          Object.assign(t, { state: "blocked", error: "its dependencies did not finish" });
        break;
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        ...running.values(),
        new Promise<void>((r) => {
          timer = setTimeout(r, waiting ? pollMs : (opts.progressEveryMs ?? 30_000));
        }),
      ]);
      clearTimeout(timer);
      for (const t of tracks.filter((x) => x.state === "elsewhere")) recheckElsewhere(t, t0);
      if (Date.now() - lastProgress >= (opts.progressEveryMs ?? 30_000)) progressLine();
    }
  } finally {
    if (opts.handleSignals) {
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
    }
    pool?.close();
  }

  const outcomes: SweepOutcome[] = tracks.map((t) => ({
    run: t.run,
    state: t.state as OutcomeState,
    ranHere: t.ranHere,
    ...(t.result ? { result: t.result } : {}),
    ...(t.error ? { error: t.error } : {}),
  }));
  const failed = outcomes.filter((o) => o.state !== "done").length;
  const wallSeconds = (Date.now() - t0) / 1000;
  progress.close();
  log(
    `sweep ${name}: ${n - failed}/${n} finished (${outcomes.filter((o) => o.ranHere && o.state === "done").length} ran now), ` +
      `${failed} failed or blocked, ${formatDuration(wallSeconds)}; results in ${sweep.jsonl}`,
  );
  return { sweep, outcomes, ran: outcomes.filter((o) => o.ranHere).length, failed, wallSeconds };
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
      appendResult(sweep.jsonl, { ...t.result!, profile: sweep.profile, index: t.run.index });
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
