/**
 * Run kinds: what a spec of a given `kind` means. A kind validates and normalises raw specs, names
 * the runs it depends on (by hash), executes in a run directory, and checks that a finished run's
 * artifacts are intact. The runner, the locks and the result files know nothing about any kind.
 *
 * The built-in kinds (`train`, `noise`, `score`) live in `src/runs`; tests and users add their own
 * from a plugin module (CLIPDOWN_SWEEP_PLUGINS, see plugins.ts).
 */

import type { RunCorpus } from "./run-dir";
import type { Json, RunSpec } from "./spec";

export interface RunContext {
  /** This run's directory (exists). */
  dir: string;
  /** Directory of a dependency, by hash (it is finished when execute is called). */
  depDir(hash: string): string;
  /** Appends a line to this run's log. */
  log(line: string): void;
}

/** What a finished run reports; the runner adds identity, wall time and provenance. */
export interface RunOutput {
  /** Named scalar results (zero-shot top-1, R@1, linear-probe accuracy, loss, ...). */
  metrics: Record<string, number>;
  /** Training samples seen (0 for runs that do not train). */
  samples: number;
  /** Training FLOPs (samples × FLOPs per sample; 0 for runs that do not train). */
  flops: number;
  /** Free-form facts worth keeping (backend, vocabulary size, ...). */
  info?: Record<string, Json>;
  /** Versions the kind ran on, merged into the result's provenance (the train kind's tfjs). */
  provenance?: Record<string, string>;
  /** The identity of the corpus the run trained on (content hash, pairs), recorded with the result. */
  corpus?: RunCorpus;
}

export interface RunKind {
  name: string;
  /** Validates a raw spec and fills defaults; throws naming the field and the allowed values. */
  normalize(raw: Record<string, unknown>): RunSpec;
  /** Hashes of the runs this one needs finished first. */
  needs(spec: RunSpec): string[];
  /** Does the work in ctx.dir; resumes from what a previous attempt left there. */
  execute(spec: RunSpec, ctx: RunContext): Promise<RunOutput>;
  /** undefined when the finished artifacts in `dir` are intact, else what is wrong with them. */
  verify(dir: string): string | undefined;
  /** Removes finished artifacts that failed `verify` (partial state that can resume stays). */
  discard(dir: string): void;
  /** Estimated cost (training FLOPs, or a stand-in) for ETAs and `--dry-run`; never 0. */
  cost(spec: RunSpec): number;
  /** Progress of a running attempt as a fraction in [0, 1] read from its directory. */
  progress?(spec: RunSpec, dir: string): number;
  /** Short fields describing the run in tables (model, strategy, ...). */
  describe(spec: RunSpec): Record<string, Json>;
  /**
   * The dataset the run reads: a folder, or `run:<hash>` of a run that writes one. Lets a reader of
   * published results find the built corpus underneath and compare its content hash.
   */
  dataSource?(spec: RunSpec): string | undefined;
}

/**
 * The kinds a sweep can run, by name: a plain record, built by whoever assembles the catalog
 * (`src/papers/catalog.ts`: the built-in train, noise and score kinds plus plugins). The engine
 * never holds a registry of its own.
 */
export type RunKinds = Readonly<Record<string, RunKind>>;

export function kindOf(kinds: RunKinds, name: unknown): RunKind {
  const k = typeof name === "string" && Object.hasOwn(kinds, name) ? kinds[name] : undefined;
  if (!k) {
    throw new Error(
      `unknown run kind ${JSON.stringify(name)}; valid kinds: ${Object.keys(kinds).join(", ") || "(none)"}`,
    );
  }
  return k;
}

/** Validates a raw spec through its kind (`train` when it names none). */
export function normalizeSpec(kinds: RunKinds, raw: Record<string, unknown>): RunSpec {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new Error(`a run spec must be an object, got ${JSON.stringify(raw)}`);
  return kindOf(kinds, raw.kind ?? "train").normalize({ ...raw, kind: raw.kind ?? "train" });
}
