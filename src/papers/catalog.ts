/**
 * Sections by name. The paper's sections register themselves from `sections/index.ts`; a user (or a
 * test) can add sweeps and run kinds without editing clipdown by listing modules in
 * CLIPDOWN_SWEEP_PLUGINS (comma-separated paths, `.ts` allowed under tsx): each is required once and
 * calls `registerSection` / `registerRunKind`. Worker processes and Slurm tasks inherit the variable
 * (the emitted scripts set it), so every process sees the same sections.
 */
import * as path from "node:path";
import { processWide } from "../util/process-wide";
import { buildSweep, checkProfile, checkSectionName, DEFAULT_ROOT, type Section, type Sweep } from "../sweep/sweep";

/**
 * Kept on globalThis: tslab loads the modules a notebook imports through its own loader, and the
 * sections' `registerSection` calls (required lazily below) can reach another instance of this
 * module than the notebook's; one process-wide map makes both see the same sections.
 */
const SECTIONS: Map<string, Section> = processWide("clipdown.sections", () => new Map<string, Section>());

export const PLUGINS_ENV = "CLIPDOWN_SWEEP_PLUGINS";

export function registerSection(section: Section): void {
  SECTIONS.set(checkSectionName(section.name), section);
}

let loaded = false;

/** Registers the built-in sections and the plugin modules named in CLIPDOWN_SWEEP_PLUGINS. */
export function loadSections(): void {
  if (loaded) return;
  loaded = true;
  require("./sections");
  for (const p of pluginPaths()) {
    try {
      require(p);
    } catch (e) {
      throw new Error(`${PLUGINS_ENV}: cannot load ${p}: ${(e as Error).message}`);
    }
  }
}

/** Absolute paths of the plugin modules (relative entries resolve against the current directory). */
export function pluginPaths(): string[] {
  return (process.env[PLUGINS_ENV] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((p) => path.resolve(p));
}

export function sectionNames(): string[] {
  loadSections();
  return [...SECTIONS.keys()];
}

export function getSection(name: string): Section {
  loadSections();
  const s = SECTIONS.get(name);
  if (!s) throw new Error(`unknown sweep section "${name}"; valid sections: ${sectionNames().join(", ")}`);
  return s;
}

/** Builds the sweep of `section` for `profile` under `root`. */
export function sweepFor(section: string, profile: string, root: string = DEFAULT_ROOT): Sweep {
  const p = checkProfile(profile);
  return buildSweep(getSection(section).build(p), root);
}
