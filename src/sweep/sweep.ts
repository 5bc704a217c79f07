/**
 * A sweep is the list of runs one paper section needs for one profile, each a validated spec with
 * its hash and run directory, ordered so that every run comes after the runs it needs (a quality
 * filter after its scorer, a transfer evaluation after its CatLIP run). The same order is the array
 * index used by `clipdown sweep run-index` and by Slurm / Kubernetes tasks.
 */
import * as path from "node:path";
import { kindOf, normalizeSpec, type RunKind, type RunKinds } from "./kinds";
import { type RunSpec, specHash } from "./spec";

export const PROFILES = ["smoke", "quick", "full"] as const;
export type Profile = (typeof PROFILES)[number];

/** What a section function returns: raw specs (validated by buildSweep) and notes for readers. */
/**
 * What a run is in the experiment's design (`{ axis: "fixed samples", variant: "flip-50" }`): kept
 * beside the spec, outside its hash, so findings and notebooks select runs by label instead of
 * recovering the design from spec values. A spec listed twice (a point shared by two grids) has
 * every value it was given under a key, in the order given.
 */
export type RunLabels = Readonly<Record<string, string>>;

/** A run of a sweep definition with its labels. */
export interface LabelledRun {
  spec: Record<string, unknown>;
  labels: RunLabels;
}

export interface SweepDef {
  section: string;
  profile: Profile;
  /** Raw specs, or specs with labels (`{ spec, labels }`). */
  runs: Array<Record<string, unknown> | LabelledRun>;
  /** How the sizes map onto the paper's (their 400M ↔ our N), shown by `clipdown sweep list -v`. */
  notes?: string;
}

export interface Section {
  name: string;
  title: string;
  build(profile: Profile): SweepDef;
}

export interface SweepRun {
  index: number;
  spec: RunSpec;
  hash: string;
  dir: string;
  kind: RunKind;
  needs: string[];
  /** Every label value the definition gave this run, by key (empty when it gave none). */
  labels: Record<string, string[]>;
}

export interface Sweep {
  section: string;
  profile: Profile;
  root: string;
  runs: SweepRun[];
  /** `<root>/<section>-<profile>.jsonl`: one line per finished run. */
  jsonl: string;
  notes?: string;
}

export const DEFAULT_ROOT = path.join("runs", "sweeps");

export function checkProfile(p: unknown): Profile {
  if (typeof p !== "string" || !(PROFILES as readonly string[]).includes(p))
    throw new Error(`unknown profile ${JSON.stringify(p)}; valid profiles: ${PROFILES.join(", ")}`);
  return p as Profile;
}

export function checkSectionName(name: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name))
    throw new Error(`section name "${name}" must be lower-case letters, digits and dashes`);
  return name;
}

/**
 * Validates every spec, hashes it, drops exact duplicates (two axes of a grid may share a point),
 * checks dependencies exist in the sweep and orders runs after what they need (stable otherwise).
 */
/** The raw spec of a definition entry (with or without labels). */
export function specOf(entry: Record<string, unknown> | LabelledRun): Record<string, unknown> {
  return isLabelled(entry) ? entry.spec : entry;
}

function isLabelled(entry: Record<string, unknown> | LabelledRun): entry is LabelledRun {
  const e = entry as Partial<LabelledRun>;
  return typeof e.spec === "object" && e.spec !== null && typeof e.labels === "object" && e.labels !== null;
}

function addLabels(into: Record<string, string[]>, labels: RunLabels): void {
  for (const [k, v] of Object.entries(labels)) {
    if (typeof v !== "string") throw new Error(`run label "${k}" must be a string, got ${JSON.stringify(v)}`);
    into[k] ??= [];
    if (!into[k].includes(v)) into[k].push(v);
  }
}

export function buildSweep(def: SweepDef, kinds: RunKinds, root: string = DEFAULT_ROOT): Sweep {
  checkSectionName(def.section);
  const byHash = new Map<string, Omit<SweepRun, "index">>();
  def.runs.forEach((entry, i) => {
    const { raw, labels } = isLabelled(entry)
      ? { raw: entry.spec, labels: entry.labels }
      : { raw: entry, labels: {} };
    let spec: RunSpec;
    try {
      spec = normalizeSpec(kinds, raw);
    } catch (e) {
      throw new Error(`${def.section}/${def.profile} run ${i}: ${(e as Error).message}`);
    }
    const hash = specHash(spec);
    const seen = byHash.get(hash);
    if (seen) {
      addLabels(seen.labels, labels);
      return;
    }
    const kind = kindOf(kinds, spec.kind);
    const run = {
      spec,
      hash,
      kind,
      needs: kind.needs(spec),
      dir: path.join(root, def.section, hash),
      labels: {},
    };
    addLabels(run.labels, labels);
    byHash.set(hash, run);
  });
  for (const r of byHash.values()) {
    for (const n of r.needs) {
      if (!byHash.has(n))
        throw new Error(
          `${def.section}/${def.profile}: run ${r.hash} needs run ${n}, which is not in the sweep`,
        );
    }
  }
  // Depth-first topological order, visiting runs in definition order (ties keep the author's order).
  const ordered: Array<Omit<SweepRun, "index">> = [];
  const mark = new Map<string, "visiting" | "done">();
  const visit = (h: string, chain: string[]) => {
    if (mark.get(h) === "done") return;
    if (mark.get(h) === "visiting") throw new Error(`dependency cycle: ${[...chain, h].join(" → ")}`);
    mark.set(h, "visiting");
    const r = byHash.get(h)!;
    for (const n of r.needs) visit(n, [...chain, h]);
    mark.set(h, "done");
    ordered.push(r);
  };
  for (const h of byHash.keys()) visit(h, []);
  return {
    section: def.section,
    profile: def.profile,
    root,
    runs: ordered.map((r, index) => ({ ...r, index })),
    jsonl: path.join(root, `${def.section}-${def.profile}.jsonl`),
    notes: def.notes,
  };
}

/** The runs `index` needs (transitively) followed by itself, in sweep order. */
export function withDependencies(sweep: Sweep, index: number): SweepRun[] {
  const run = sweep.runs[index];
  if (!run) {
    throw new Error(
      `run index ${index} is out of range: ${sweep.section}/${sweep.profile} has ${sweep.runs.length} runs (0–${sweep.runs.length - 1})`,
    );
  }
  return withAllDependencies(sweep, [run]);
}

/** `runs` and every run they need (transitively), in sweep order. */
export function withAllDependencies(sweep: Sweep, runs: Iterable<SweepRun>): SweepRun[] {
  const byHash = new Map(sweep.runs.map((r) => [r.hash, r]));
  const keep = new Set<string>();
  const add = (r: SweepRun) => {
    if (keep.has(r.hash)) return;
    keep.add(r.hash);
    for (const n of r.needs) add(byHash.get(n)!);
  };
  for (const r of runs) add(r);
  return sweep.runs.filter((r) => keep.has(r.hash));
}
