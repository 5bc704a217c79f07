/**
 * Plugin modules: sweeps and run kinds added without editing clipdown. CLIPDOWN_SWEEP_PLUGINS lists
 * module paths (comma-separated; `.ts` allowed under tsx); each exports `sections` and/or `kinds`
 * (arrays). Worker processes and Slurm tasks inherit the variable (the emitted scripts set it), so
 * every process of a sweep sees the same catalog.
 */
import * as path from "node:path";
import type { RunKind } from "./kinds";
import type { Section } from "./sweep";

export const PLUGINS_ENV = "CLIPDOWN_SWEEP_PLUGINS";

/** What a plugin module exports. */
export interface SweepPlugin {
  sections?: readonly Section[];
  kinds?: readonly RunKind[];
}

/** Absolute paths of the plugin modules (relative entries resolve against the current directory). */
export function pluginPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[PLUGINS_ENV] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((p) => path.resolve(p));
}

/** Loads the plugin modules named in the environment; an error names the module and the variable. */
export function loadPlugins(env: NodeJS.ProcessEnv = process.env): SweepPlugin[] {
  return pluginPaths(env).map((p) => {
    let mod: SweepPlugin;
    try {
      mod = require(p) as SweepPlugin;
    } catch (e) {
      throw new Error(`${PLUGINS_ENV}: cannot load ${p}: ${(e as Error).message}`);
    }
    for (const key of ["sections", "kinds"] as const) {
      if (mod[key] !== undefined && !Array.isArray(mod[key]))
        throw new Error(`${PLUGINS_ENV}: ${p} exports \`${key}\` that is not an array`);
    }
    if (!mod.sections && !mod.kinds)
      throw new Error(`${PLUGINS_ENV}: ${p} exports neither \`sections\` nor \`kinds\``);
    return mod;
  });
}
