/**
 * `clipdown quickstart` (what `npm start` runs): data → a few minutes of CLIP training with a
 * progress bar → held-out evaluation → `reports/quickstart.html`. Re-running reuses the finished run.
 */
import { type FlagSpecs, formatHelp, parseArgs, UsageError } from "../util/args";
import {
  defaultPaths,
  PROFILE_SETTINGS,
  PROFILES,
  type Profile,
  parseProfile,
  profileFromEnv,
  quickstartTrainConfig,
} from "./settings";

function flagSpecs(): FlagSpecs {
  const q = PROFILE_SETTINGS.quick;
  return {
    profile: {
      kind: "string",
      help: `run size: ${PROFILES.join(" | ")} (default: $CLIPDOWN_PROFILE, else quick)`,
    },
    smoke: { kind: "boolean", help: "same as --profile smoke (seconds; for tests)" },
    model: { kind: "string", help: `model preset (quick: ${q.model})` },
    samples: { kind: "number", help: `training samples seen (quick: ${q.samples}); fewer = shorter` },
    batch: { kind: "number", help: `batch size (quick: ${q.batch})` },
    seed: { kind: "number", help: "random seed (default 0)" },
    "data-root": { kind: "string", help: "where the datasets are (built there if missing)", default: "data" },
    "run-dir": { kind: "string", help: "run directory (default runs/quickstart-<profile>)" },
    report: { kind: "string", help: "report file (default reports/quickstart.html)" },
    fresh: { kind: "boolean", help: "train again even if the finished run exists" },
    quiet: { kind: "boolean", help: "no progress output" },
    help: { kind: "boolean", help: "show this help" },
  };
}

function positiveInt(flag: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0)
    throw new UsageError(`--${flag} must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

export async function run(argv: string[]): Promise<number> {
  const specs = flagSpecs();
  const { flags, positional } = parseArgs(argv, specs);
  if (flags.help) {
    console.log(formatHelp("clipdown quickstart [--profile quick] [--samples N] [--fresh]", specs));
    return 0;
  }
  if (positional.length)
    throw new UsageError(`unexpected argument "${positional[0]}"; all options are --flags`);
  let profile: Profile;
  try {
    profile = flags.smoke
      ? "smoke"
      : typeof flags.profile === "string"
        ? parseProfile(flags.profile)
        : profileFromEnv();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const seed = flags.seed === undefined ? undefined : Number(flags.seed);
  if (seed !== undefined && (!Number.isInteger(seed) || seed < 0))
    throw new UsageError(`--seed must be a non-negative integer, got ${flags.seed}`);
  const { settingsFor, runQuickstart } = await import("./run");
  const settings = settingsFor(profile, {
    ...(typeof flags.model === "string" ? { model: flags.model } : {}),
    samples: positiveInt("samples", flags.samples),
    batch: positiveInt("batch", flags.batch),
    seed,
  });
  const defaults = defaultPaths(profile);
  const paths = {
    dataRoot: String(flags["data-root"]),
    runDir: typeof flags["run-dir"] === "string" ? flags["run-dir"] : defaults.runDir,
    report: typeof flags.report === "string" ? flags.report : defaults.report,
  };
  try {
    quickstartTrainConfig(settings, paths); // the trainer's own validation, as a usage error
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const quiet = Boolean(flags.quiet);
  const log = quiet ? () => {} : (s: string) => console.error(s);
  const res = await runQuickstart(settings, paths, { fresh: Boolean(flags.fresh), log, quiet });
  const top1 = res.final["heldout-emoji-441/acc1"];
  console.log(
    [
      `run:    ${res.runDir}${res.reused ? " (reused)" : ""}`,
      res.summary,
      ...(top1 !== undefined
        ? [`fine-grained zero-shot top-1 on held-out emoji-441: ${(100 * top1).toFixed(1)}% (chance 0.2%)`]
        : []),
      `report: ${res.report}`,
      `open it in a browser, e.g. xdg-open ${res.report}`,
    ].join("\n"),
  );
  return 0;
}
