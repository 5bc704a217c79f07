/**
 * A pool of long-lived worker processes (`clipdown sweep __worker`) that execute runs for the sweep
 * runner, one run per worker at a time. A separate process per worker keeps a crash (a wasm abort,
 * an out-of-memory kill) from taking the sweep down: the run is reported failed and the worker is
 * replaced. Workers exit when the runner goes away (the IPC channel closes), so killing the runner
 * leaves nothing behind. Each worker's stdout/stderr go to the log of the run it is executing.
 */
import { type ChildProcess, fork } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { RunOutput } from "./kinds";
import type { RunSpec } from "./spec";

/** What the runner sends a worker: everything needed to execute one run. */
export interface WorkerJob {
  id: number;
  spec: RunSpec;
  dir: string;
  /** Directories of the runs this one needs, by hash. */
  deps: Record<string, string>;
  logFile: string;
}

export type WorkerReply =
  | { type: "ready" }
  | { type: "done"; id: number; output: RunOutput }
  | { type: "error"; id: number; error: string };

/** The CLI entry that starts a worker (`bin/clipdown.js sweep __worker`). */
export const WORKER_ENTRY = path.join(__dirname, "..", "..", "bin", "clipdown.js");

interface Slot {
  child?: ChildProcess;
  ready?: Promise<void>;
  job?: { job: WorkerJob; resolve(o: RunOutput): void; reject(e: Error): void };
  log?: number;
}

export class WorkerPool {
  private readonly slots: Slot[];
  private closed = false;

  constructor(
    readonly size: number,
    private readonly entry: string = WORKER_ENTRY,
  ) {
    this.slots = Array.from({ length: size }, () => ({}));
  }

  /** Number of workers not executing a run. */
  get idle(): number {
    return this.slots.filter((s) => !s.job).length;
  }

  /** Runs a job on an idle worker (starting it if needed); rejects if the worker dies meanwhile. */
  exec(job: WorkerJob): Promise<RunOutput> {
    const slot = this.slots.find((s) => !s.job);
    if (!slot) throw new Error("WorkerPool.exec: no idle worker (check pool.idle first)");
    return new Promise<RunOutput>((resolve, reject) => {
      slot.job = { job, resolve, reject };
      slot.log = fs.openSync(job.logFile, "a");
      this.start(slot)
        .then(() => slot.child!.send({ type: "run", job }))
        .catch((e: Error) => this.finish(slot, { error: e }));
    });
  }

  private start(slot: Slot): Promise<void> {
    if (slot.child && slot.ready) return slot.ready;
    // The runner's pid in the arguments makes orphaned workers easy to spot in `ps`.
    const child = fork(this.entry, ["sweep", "__worker", String(process.pid)], {
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    slot.child = child;
    const toLog = (chunk: Buffer) => {
      if (slot.log !== undefined) fs.writeSync(slot.log, chunk);
    };
    child.stdout!.on("data", toLog);
    child.stderr!.on("data", toLog);
    slot.ready = new Promise<void>((resolve, reject) => {
      child.on("message", (m: WorkerReply) => {
        if (m.type === "ready") resolve();
        else if (slot.job && m.id === slot.job.job.id)
          this.finish(slot, m.type === "done" ? { output: m.output } : { error: new Error(m.error) });
      });
      child.on("exit", (code, signal) => {
        const why = signal ? `signal ${signal}` : `exit code ${code}`;
        reject(new Error(`sweep worker exited before it was ready (${why})`));
        if (slot.child === child) {
          slot.child = undefined;
          slot.ready = undefined;
        }
        if (slot.job && !this.closed)
          this.finish(slot, { error: new Error(`the worker process died while running this (${why})`) });
      });
    });
    return slot.ready;
  }

  private finish(slot: Slot, r: { output?: RunOutput; error?: Error }): void {
    const job = slot.job;
    slot.job = undefined;
    if (slot.log !== undefined) {
      fs.closeSync(slot.log);
      slot.log = undefined;
    }
    if (!job) return;
    if (r.error) job.reject(r.error);
    else job.resolve(r.output!);
  }

  /** Stops every worker (SIGTERM; a run in progress is abandoned and resumes next time). */
  close(): void {
    this.closed = true;
    for (const s of this.slots) {
      s.child?.kill("SIGTERM");
      s.child = undefined;
      s.ready = undefined;
    }
  }
}
