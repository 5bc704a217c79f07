/**
 * What `clipdown sweep` and `clipdown reproduce` can run: the papers' sections (sections.ts) and the
 * built-in run kinds (src/runs), plus the sections and kinds of the plugin modules named in
 * CLIPDOWN_SWEEP_PLUGINS (src/sweep/plugins.ts). Plain records built from imports: a notebook, a
 * worker process and the CLI each get the same catalog without registering anything, however many
 * times tslab loads this module.
 */
import { RUN_KINDS } from "../runs";
import type { RunKind, RunKinds } from "../sweep/kinds";
import { loadPlugins } from "../sweep/plugins";
import {
  buildSweep,
  checkProfile,
  checkSectionName,
  DEFAULT_ROOT,
  type Section,
  type Sweep,
} from "../sweep/sweep";
import { SECTIONS } from "./sections";

export interface Catalog {
  sections: Readonly<Record<string, Section>>;
  kinds: RunKinds;
}

let cached: { env: string; catalog: Catalog } | undefined;

/** The built-in sections and kinds with the plugins' added (a plugin's entry replaces a built-in of its name). */
export function catalog(): Catalog {
  const env = process.env.CLIPDOWN_SWEEP_PLUGINS ?? "";
  if (cached?.env === env) return cached.catalog;
  const sections: Record<string, Section> = { ...SECTIONS };
  const kinds: Record<string, RunKind> = { ...RUN_KINDS };
  for (const p of loadPlugins()) {
    for (const s of p.sections ?? []) sections[checkSectionName(s.name)] = s;
    for (const k of p.kinds ?? []) kinds[k.name] = k;
  }
  cached = { env, catalog: { sections, kinds } };
  return cached.catalog;
}

export function sectionNames(): string[] {
  return Object.keys(catalog().sections);
}

export function getSection(name: string): Section {
  const { sections } = catalog();
  if (!Object.hasOwn(sections, name))
    throw new Error(`unknown sweep section "${name}"; valid sections: ${sectionNames().join(", ")}`);
  return sections[name]!;
}

/** Builds the sweep of `section` for `profile` under `root`. */
export function sweepFor(section: string, profile: string, root: string = DEFAULT_ROOT): Sweep {
  const p = checkProfile(profile);
  return buildSweep(getSection(section).build(p), catalog().kinds, root);
}
