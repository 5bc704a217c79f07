/**
 * A small, strict command-line parser shared by every `clipdown` command.
 *
 * Flags are kebab-case like open_clip's (`--batch-size 256`, `--batch-size=256`, `--json`).
 * A command declares its flags; an unknown flag or a missing value is an error that names
 * the flag and lists the valid ones, so a typo never silently falls back to a default.
 */

export type FlagKind = "string" | "number" | "boolean";

export interface FlagSpec {
  kind: FlagKind;
  /** One line shown by --help. */
  help: string;
  default?: string | number | boolean;
}

export type FlagSpecs = Record<string, FlagSpec>;

export interface ParsedArgs {
  flags: Record<string, string | number | boolean | undefined>;
  positional: string[];
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Parses argv against the declared flags. Throws UsageError with an actionable message. */
export function parseArgs(argv: string[], specs: FlagSpecs): ParsedArgs {
  const flags: ParsedArgs["flags"] = {};
  for (const [name, spec] of Object.entries(specs)) flags[name] = spec.default;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--") || arg === "--") {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    const spec = specs[name];
    if (!spec) {
      const valid = Object.keys(specs)
        .map((n) => `--${n}`)
        .join(", ");
      throw new UsageError(`unknown flag --${name}; valid flags: ${valid || "(none)"}`);
    }
    let raw: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    if (spec.kind === "boolean") {
      if (raw === undefined) flags[name] = true;
      else if (raw === "true" || raw === "false") flags[name] = raw === "true";
      else throw new UsageError(`--${name} takes true or false, got "${raw}"`);
      continue;
    }
    if (raw === undefined) {
      raw = argv[++i];
      if (raw === undefined) throw new UsageError(`--${name} needs a value (${spec.help})`);
    }
    if (spec.kind === "number") {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n)) {
        throw new UsageError(`--${name} must be a number, got "${raw}"`);
      }
      flags[name] = n;
    } else {
      flags[name] = raw;
    }
  }
  return { flags, positional };
}

/** Renders the flag table for --help. */
export function formatHelp(usage: string, specs: FlagSpecs): string {
  const lines = [`usage: ${usage}`, ""];
  for (const [name, spec] of Object.entries(specs)) {
    const def = spec.default === undefined ? "" : ` (default: ${spec.default})`;
    lines.push(`  --${name.padEnd(22)} ${spec.help}${def}`);
  }
  return lines.join("\n");
}

/** A config field's flag spelling: `maskRatio` → `mask-ratio`. */
export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** A flag's config field: `mask-ratio` → `maskRatio`. */
export function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
