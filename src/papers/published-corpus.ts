/**
 * Results belong to a corpus. A published line records the content hash of the corpus it trained
 * on (`corpus`); this machine's corpus may differ (a build without Debian's openclipart-svg has
 * ~2k fewer pairs, a newer held-out listing removes a few). A published line is this machine's
 * result only when the hashes agree; otherwise a notebook or the CLI says which corpus the
 * published figures come from and offers to train them on the local one (`CLIPDOWN_CORPUS=local`).
 */
import { baseCorpusHash, type CorpusIdentity, corpusIdentity, shortHash } from "../data/corpus/identity";
import { kindOf, type RunKinds } from "../sweep/kinds";
import type { ResultLine } from "../sweep/results";
import { isRunRef, type RunSpec, refHash } from "../sweep/spec";
import type { Sweep } from "../sweep/sweep";

/** How published lines from another corpus are used: shown (labelled), or trained again locally. */
export const CORPUS_MODES = ["published", "local"] as const;
export type CorpusMode = (typeof CORPUS_MODES)[number];
export const CORPUS_ENV = "CLIPDOWN_CORPUS";

/** CLIPDOWN_CORPUS (default `published`); an unknown value is an error naming the valid ones. */
export function corpusMode(env: NodeJS.ProcessEnv = process.env): CorpusMode {
  const v = env[CORPUS_ENV] || "published";
  if (!(CORPUS_MODES as readonly string[]).includes(v))
    throw new Error(`${CORPUS_ENV}=${v} is not a corpus mode; use one of ${CORPUS_MODES.join(", ")}`);
  return v as CorpusMode;
}

/**
 * - `same`: trained on a corpus with this machine's bytes;
 * - `other`: on a corpus whose content hash differs from the local one;
 * - `unrecorded`: published before corpora were recorded;
 * - `no-local`: the corpus is not built here.
 * A run that reads no dataset is always `same`.
 */
export type CorpusMatch = "same" | "other" | "unrecorded" | "no-local";

/** The built corpus folder under a spec's dataset, following `run:<hash>` through the sweep's runs. */
export function baseDataDir(sweep: Sweep, kinds: RunKinds, spec: RunSpec): string | undefined {
  let s: RunSpec | undefined = spec;
  for (let hops = 0; s && hops <= sweep.runs.length; hops++) {
    const kind = kindOf(kinds, s.kind);
    const src = kind.dataSource?.(s);
    if (typeof src !== "string" || !src) return undefined;
    if (!isRunRef(src)) return src;
    const h = refHash(src);
    s = sweep.runs.find((r) => r.hash === h)?.spec;
  }
  return undefined;
}

/** Compares published lines with the corpora built here (each folder's manifest read once). */
export class CorpusChecker {
  private readonly local = new Map<string, CorpusIdentity | undefined>();

  constructor(
    private readonly sweep: Sweep,
    private readonly kinds: RunKinds,
  ) {}

  /** This machine's identity of the corpus under `spec`. */
  localCorpus(spec: RunSpec): CorpusIdentity | undefined {
    const dir = baseDataDir(this.sweep, this.kinds, spec);
    if (dir === undefined) return undefined;
    if (!this.local.has(dir)) this.local.set(dir, corpusIdentity(dir));
    return this.local.get(dir);
  }

  check(line: ResultLine): CorpusMatch {
    // A run that reads no dataset (an evaluation of a published checkpoint, a test kind) has no corpus to differ.
    if (baseDataDir(this.sweep, this.kinds, line.spec) === undefined) return "same";
    const local = this.localCorpus(line.spec);
    if (!local) return "no-local";
    if (!line.corpus) return "unrecorded";
    return baseCorpusHash(line.corpus) === local.contentHash ? "same" : "other";
  }
}

/**
 * One line per corpus the `foreign` published lines (those not trained on the local corpus) come
 * from, and what to do; empty when there are none.
 */
/** A published line not trained on the local corpus. */
export interface ForeignLine {
  line: ResultLine;
  match: CorpusMatch;
  local?: CorpusIdentity;
}

export function corpusNotes(label: string, foreign: ReadonlyArray<ForeignLine>, mode: CorpusMode): string[] {
  if (!foreign.length) return [];
  // Grouped by the built corpus underneath: a derived corpus (noise copy) counts with its source.
  const groups = new Map<string, { n: number; base?: string; dir: string; pairs?: number; ours: string }>();
  for (const f of foreign) {
    const c = f.line.corpus;
    const base = c ? baseCorpusHash(c) : undefined;
    const ours = f.local
      ? `your ${f.local.dir} is ${shortHash(f.local.contentHash)} (${f.local.samples.toLocaleString("en")} pairs)`
      : "that corpus is not built here";
    const key = `${base ?? "unrecorded"}|${ours}`;
    const g = groups.get(key) ?? { n: 0, ...(base ? { base } : {}), dir: f.local?.dir ?? c?.dir ?? "", ours };
    g.n++;
    if (c && !c.source) g.pairs = c.samples;
    groups.set(key, g);
  }
  const what =
    mode === "published"
      ? `shown as published; set ${CORPUS_ENV}=local to train them on your corpus`
      : "trained again on your corpus";
  return [...groups.values()].map((g) => {
    const theirs = g.base
      ? `${g.dir} ${shortHash(g.base)}${g.pairs !== undefined ? ` (${g.pairs.toLocaleString("en")} pairs)` : ""}`
      : "a corpus they did not record (published before corpus hashes were kept)";
    return `${label}: ${g.n} published run${g.n === 1 ? "" : "s"} trained on ${theirs}; ${g.ours} — ${what}`;
  });
}
