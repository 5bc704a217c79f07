/**
 * The files a sweep keeps in each run directory (`<root>/<section>/<hash>/`), next to whatever the
 * run kind writes there (for training: config.json, metrics.jsonl, last/final.safetensors, eval.json):
 *
 *   spec.json    the normalised spec (the directory name is its hash)
 *   status.json  running | failed | interrupted | done, attempts, the last error
 *   result.json  written last and atomically: metrics, samples seen, FLOPs, wall time, provenance
 *   run.log      everything the run logged, across attempts
 *   lock         held while a runner executes it (lock.ts)
 *
 * A run is finished only when result.json is valid for this hash AND the kind's artifacts verify.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { migrateMetricNames } from "../util/metric-names";
import { readJson, writeJsonAtomic } from "./atomic";
import type { RunKind } from "./kinds";
import type { Json, RunSpec } from "./spec";

export const SPEC_FILE = "spec.json";
export const STATUS_FILE = "status.json";
export const RESULT_FILE = "result.json";
export const LOG_FILE = "run.log";

export type RunStateName = "running" | "failed" | "interrupted" | "done";

export interface RunStatus {
  hash: string;
  state: RunStateName;
  attempts: number;
  host: string;
  pid: number;
  startedAt: string;
  endedAt?: string;
  /** The error of the last failed attempt (message and stack, trimmed). */
  error?: string;
  /** Seconds spent in the attempts before this one (see `priorAttemptSeconds`). */
  priorSeconds?: number;
}

/** Where and with what a result was produced (issue 9 publishes these with each result). */
export interface Provenance {
  host: string;
  node: string;
  tfjs?: string;
  gitCommit?: string;
  /** The machine (for FINDINGS.md's hardware line): CPU model, logical cores, memory, OS-arch. */
  cpu?: string;
  cores?: number;
  memGiB?: number;
  platform?: string;
  /** The tfjs backend the run trained on (published lines copy it from the run's info). */
  backend?: string;
}

/**
 * The corpus a run trained on, as its manifest said when the run started: content hash (equal
 * hash ⇔ equal bytes), pairs, and for a derived corpus the hash of its source.
 */
export interface RunCorpus {
  dir: string;
  contentHash: string;
  samples: number;
  source?: string;
}

/** result.json of a finished run (also the body of each line of a sweep's JSONL). */
export interface RunResult {
  hash: string;
  section: string;
  kind: string;
  spec: RunSpec;
  metrics: Record<string, number>;
  samples: number;
  flops: number;
  /** Seconds over every attempt that led to this result (a resumed run counts its earlier attempts). */
  wallSeconds: number;
  /** Seconds of the last attempt alone (absent in results written before it was recorded). */
  attemptSeconds?: number;
  attempts: number;
  finishedAt: string;
  provenance: Provenance;
  info?: Record<string, Json>;
  /** Absent in lines written before corpora were recorded (issue 17): their corpus is unknown. */
  corpus?: RunCorpus;
}

export type Inspection =
  | { state: "done"; result: RunResult }
  | {
      state: "todo";
      /** new: never started; partial: started, may resume; failed: last attempt threw; corrupt: result unusable. */
      why: "new" | "partial" | "failed" | "corrupt";
      detail?: string;
      status?: RunStatus;
    };

/** Checks the shape of a parsed result.json; returns what is wrong, or undefined. */
export function resultProblem(v: unknown, hash?: string): string | undefined {
  if (!v || typeof v !== "object" || Array.isArray(v)) return "not an object";
  const r = v as Partial<RunResult>;
  if (typeof r.hash !== "string") return "no hash";
  if (hash && r.hash !== hash) return `hash ${r.hash} does not match the directory ${hash}`;
  if (!r.spec || typeof r.spec !== "object") return "no spec";
  if (!r.metrics || typeof r.metrics !== "object" || Array.isArray(r.metrics)) return "no metrics object";
  for (const [k, m] of Object.entries(r.metrics)) {
    if (typeof m !== "number" || !Number.isFinite(m)) return `metric ${k} is ${JSON.stringify(m)}`;
  }
  for (const k of ["samples", "flops", "wallSeconds"] as const) {
    const x = r[k];
    if (typeof x !== "number" || !Number.isFinite(x) || x < 0) return `${k} is ${JSON.stringify(x)}`;
  }
  return undefined;
}

/**
 * Seconds the attempts before the next one took: the previous status's `priorSeconds` plus its own
 * span, from `startedAt` to `endedAt` (failed or interrupted) or, for an attempt that died without
 * a word (SIGKILL, power loss), to the last write to run.log. A finished run (a result being
 * redone because it was corrupt) contributes nothing.
 */
export function priorAttemptSeconds(prev: RunStatus | undefined, dir: string): number {
  if (!prev || prev.state === "done") return 0;
  const before = Number.isFinite(prev.priorSeconds) ? prev.priorSeconds! : 0;
  const start = Date.parse(prev.startedAt);
  if (!Number.isFinite(start)) return before;
  let end = prev.endedAt ? Date.parse(prev.endedAt) : Number.NaN;
  if (!Number.isFinite(end)) {
    try {
      end = fs.statSync(path.join(dir, LOG_FILE)).mtimeMs;
    } catch {
      // No log file (the attempt never started logging): keep the earlier total.
      return before;
    }
  }
  return before + Math.max(0, (end - start) / 1000);
}

export function readStatus(dir: string): RunStatus | undefined {
  const r = readJson(path.join(dir, STATUS_FILE));
  return "value" in r && r.value && typeof r.value === "object" ? (r.value as RunStatus) : undefined;
}

export function writeStatus(dir: string, status: RunStatus): void {
  writeJsonAtomic(path.join(dir, STATUS_FILE), status);
}

/** Decides whether the run in `dir` is finished and intact; never modifies anything. */
export function inspectRun(dir: string, hash: string, kind: RunKind): Inspection {
  const status = readStatus(dir);
  const res = readJson(path.join(dir, RESULT_FILE));
  if ("value" in res) {
    const problem = resultProblem(res.value, hash);
    if (problem) return { state: "todo", why: "corrupt", detail: `result.json: ${problem}`, status };
    const bad = kind.verify(dir);
    if (bad) return { state: "todo", why: "corrupt", detail: bad, status };
    const result = res.value as RunResult;
    // A result.json written before the `<dataset>/<metric>` names holds the older flat keys.
    return { state: "done", result: { ...result, metrics: migrateMetricNames(result.metrics) } };
  }
  if (res.error !== "missing")
    return { state: "todo", why: "corrupt", detail: `result.json: ${res.error}`, status };
  if (!status) return { state: "todo", why: fs.existsSync(dir) ? "partial" : "new" };
  if (status.state === "failed") return { state: "todo", why: "failed", detail: status.error, status };
  return { state: "todo", why: "partial", status };
}

/** Removes an unusable result and the kind's unverifiable artifacts, keeping what can resume. */
export function discardResult(dir: string, kind: RunKind): void {
  fs.rmSync(path.join(dir, RESULT_FILE), { force: true });
  kind.discard(dir);
}

let provenanceCache: Provenance | undefined;

/** Host, Node and the git commit of the checkout (when it is one); a run kind adds its own (tfjs). */
export function provenance(): Provenance {
  if (provenanceCache) return provenanceCache;
  const cpus = os.cpus();
  const p: Provenance = {
    host: os.hostname(),
    node: process.version,
    cpu: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()}-${os.arch()}`,
  };
  try {
    p.gitCommit = execFileSync("git", ["rev-parse", "HEAD"], {
      cwd: path.join(__dirname, "..", ".."),
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .trim();
  } catch {
    // Not a git checkout (an installed package): no commit to record.
  }
  provenanceCache = p;
  return p;
}
