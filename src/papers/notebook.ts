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
