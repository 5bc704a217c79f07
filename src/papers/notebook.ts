/**
 * One call that opens a paper section for a notebook: the working directory at the project root
 * (sweep specs name `data/` relative to it), the compute backend, the profile (CLIPDOWN_PROFILE,
 * default `quick`), the sweep root (CLIPDOWN_RUNS/sweeps, default runs/sweeps), the section's sweep,
 * and a `results()` that returns the published results and runs what is missing.
 *
 * @example
 *   const { profile, sweep, results } = await openSection("vit-size");
 *   const lines = await results();
 */
import * as path from "node:path";
import { PROJECT_ROOT } from "../quickstart/settings";
import type { TrainSpec } from "../runs/train";
import type { ResultLine } from "../sweep/results";
import { checkProfile, type Profile, type Section, type Sweep } from "../sweep/sweep";
import { initBackend } from "../tf";
import { getSection, sweepFor } from "./catalog";
import { type SectionResultsOptions, sectionResults } from "./published";

export interface OpenSection {
  section: Section;
  profile: Profile;
  /** Directory of the run directories and sweep JSONL files. */
  root: string;
  sweep: Sweep;
  /** The backend that was chosen (`wasm`, `tensorflow`, …). */
  backend: string;
  /** The section's results in sweep order: published lines, local runs, and runs made now. */
  results(opts?: Omit<SectionResultsOptions, "root">): Promise<ResultLine[]>;
}

export async function openSection(name: string, env: NodeJS.ProcessEnv = process.env): Promise<OpenSection> {
  process.chdir(PROJECT_ROOT);
  const { backend } = await initBackend();
  const profile = checkProfile(env.CLIPDOWN_PROFILE || "quick");
  const root = env.CLIPDOWN_RUNS ? path.join(env.CLIPDOWN_RUNS, "sweeps") : path.join("runs", "sweeps");
  const sweep = sweepFor(name, profile, root);
  // Progress lines of this section only (a run's ✓/✗ line, the sweep's summary), not every step.
  const mine = new RegExp(`^(✓|✗|sweep|${name})`);
  const results = (opts: Omit<SectionResultsOptions, "root"> = {}) =>
    sectionResults(name, profile, {
      jobs: 0,
      log: (s) => {
        if (mine.test(s)) console.log(s);
      },
      ...opts,
      root,
    });
  return { section: getSection(name), profile, root, sweep, backend, results };
}

/** The fields every train spec has and their types (a spec from a sweep or a published line). */
const TRAIN_SPEC_TYPES = {
  model: "string",
  strategy: "string",
  samples: "number",
  subset: "number",
  batch: "number",
  seed: "number",
} as const;

/**
 * A run's spec read as the train spec it is, so notebooks and findings write `trainSpec(r).samples`
 * instead of `r.spec.samples as number`. The spec is returned as it was hashed (not re-normalised);
 * an error names the run when it is another kind of run or lacks a field every train spec has.
 */
export function trainSpec(r: { hash?: string; spec: Record<string, unknown> }): TrainSpec {
  const who = `run ${r.hash ? r.hash.slice(0, 8) : "(no hash)"}`;
  if (r.spec.kind !== "train")
    throw new Error(`${who} is a ${String(r.spec.kind)} run, not a train run; read its spec fields directly`);
  for (const [f, type] of Object.entries(TRAIN_SPEC_TYPES))
    if (typeof r.spec[f] !== type)
      throw new Error(`${who}: its train spec has no ${type} "${f}" (got ${JSON.stringify(r.spec[f])})`);
  return r.spec as unknown as TrainSpec;
}
