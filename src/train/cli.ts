/**
 * `clipdown train`: flags are the kebab-case names of `TrainConfig` fields; `--config run.json`
 * supplies any of them (camelCase or kebab-case) and explicit flags override the file.
 */
import * as fs from "node:fs";
import { type FlagSpecs, formatHelp, parseArgs, UsageError } from "../util/args";
import { camel, kebab, resolveTrainConfig, TRAIN_DEFAULTS, TRAIN_FIELDS, type TrainConfig } from "./config";

function flagSpecs(): FlagSpecs {
  const specs: FlagSpecs = {};
  for (const [field, f] of Object.entries(TRAIN_FIELDS)) {
    const def = TRAIN_DEFAULTS[field as keyof TrainConfig];
    specs[kebab(field)] = { kind: f.kind === "int" ? "number" : f.kind, help: f.help, default: def };
  }
  specs.config = { kind: "string", help: "JSON file with any of these fields (flags override it)" };
  specs.help = { kind: "boolean", help: "show this help" };
  return specs;
}

/** Merges defaults ← --config file ← explicit flags, validating every field. */
export function configFromArgv(argv: string[]): TrainConfig | undefined {
  const specs = flagSpecs();
  const { flags, positional } = parseArgs(argv, specs);
  if (flags.help) {
    console.log(formatHelp("clipdown train [--model vit-ti/8] [--strategy clip] [--samples N] ...", specs));
    return undefined;
  }
  if (positional.length)
    throw new UsageError(`unexpected argument "${positional[0]}"; all options are --flags`);
  let fromFile: Record<string, unknown> = {};
  if (typeof flags.config === "string") {
    const text = fs.readFileSync(flags.config, "utf8");
    try {
      fromFile = JSON.parse(text);
    } catch (e) {
      throw new UsageError(`--config ${flags.config}: not valid JSON (${(e as Error).message})`);
    }
  }
  // Only flags given explicitly override the file; parseArgs fills defaults, so detect presence in argv.
  const explicit: Record<string, unknown> = {};
  for (const name of Object.keys(TRAIN_FIELDS).map(kebab)) {
    if (argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`))) explicit[name] = flags[name];
  }
  // Merge by camelCase field name before validating, so cross-field checks see the final values.
  const merged: Record<string, unknown> = {};
  for (const [k, v] of [...Object.entries(fromFile), ...Object.entries(explicit)]) merged[camel(k)] = v;
  try {
    return resolveTrainConfig(merged, TRAIN_DEFAULTS);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export async function run(argv: string[]): Promise<number> {
  const cfg = configFromArgv(argv);
  if (!cfg) return 0;
  const { trainRun } = await import("./run");
  const { NonFiniteLossError } = await import("./trainer");
  let res: Awaited<ReturnType<typeof trainRun>>;
  try {
    res = await trainRun(cfg);
  } catch (e) {
    if (!(e instanceof NonFiniteLossError)) throw e;
    console.error(`clipdown train: ${e.message} (${cfg.out}/last.safetensors holds the last good state)`);
    return 1;
  }
  console.log(
    JSON.stringify({
      out: cfg.out,
      steps: res.steps,
      samples: res.samples,
      finalLoss: res.finalLoss,
      evals: res.evals,
    }),
  );
  return 0;
}
