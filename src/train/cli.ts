/**
 * `clipdown train`: flags are the kebab-case names of `TrainConfig` fields; `--config run.json`
 * supplies any of them (camelCase or kebab-case) and explicit flags override the file. open_clip's
 * names are accepted where they mean the same thing (`--batch-size`, `--train-data`, `--epochs`,
 * `--resume latest`), so a command line from open_clip's README needs no translation.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { strategyHelp } from "../strategies";
import { type FlagSpecs, formatHelp, parseArgs, UsageError } from "../util/args";
import { camel, kebab, resolveTrainConfig, TRAIN_DEFAULTS, TRAIN_FIELDS, type TrainConfig } from "./config";

/**
 * open_clip's flag names (open_clip_train/params.py) that mean what one of our fields means; `--lr`,
 * `--wd`, `--warmup` (steps) and `--seed` already have open_clip's names and meanings.
 */
export const OPEN_CLIP_ALIASES = {
  "batch-size": "batch",
  "train-data": "data",
} as const satisfies Record<string, keyof TrainConfig>;

/**
 * Training length in epochs, as open_clip counts it: samples = epochs × the pairs the run trains on
 * (`--subset` when set, else the top `--quality-top` % of the data directory's manifest.json count).
 */
export function samplesForEpochs(
  epochs: number,
  cfg: Pick<TrainConfig, "data" | "subset" | "qualityTop">,
): number {
  if (!(Number.isInteger(epochs) && epochs >= 1))
    throw new UsageError(`--epochs must be a whole number >= 1, got ${epochs}`);
  let pairs = cfg.subset;
  if (pairs <= 0) {
    const file = path.join(cfg.data, "manifest.json");
    let n: unknown;
    try {
      n = JSON.parse(fs.readFileSync(file, "utf8")).samples;
    } catch {
      // No readable manifest: n stays unknown and the check below names the folder and the fix.
      n = undefined;
    }
    if (!(typeof n === "number" && Number.isInteger(n) && n > 0))
      throw new UsageError(
        `--epochs needs the dataset size from ${file} ("samples"), which is missing; build the data (clipdown data build) or give --samples instead`,
      );
    pairs = cfg.qualityTop < 100 ? Math.max(1, Math.round((n * cfg.qualityTop) / 100)) : n;
  }
  return epochs * pairs;
}

function flagSpecs(): FlagSpecs {
  const specs: FlagSpecs = {};
  for (const [field, f] of Object.entries(TRAIN_FIELDS)) {
    const def = TRAIN_DEFAULTS[field as keyof TrainConfig];
    specs[kebab(field)] = { kind: f.kind === "int" ? "number" : f.kind, help: f.help, default: def };
  }
  for (const [alias, field] of Object.entries(OPEN_CLIP_ALIASES)) {
    const f = TRAIN_FIELDS[field];
    specs[alias] = {
      kind: f.kind === "int" ? "number" : f.kind,
      help: `open_clip's name for --${kebab(field)}`,
    };
  }
  specs.epochs = {
    kind: "number",
    help: "open_clip's budget: samples = epochs × dataset size (--subset, else manifest.json's count)",
  };
  specs.config = { kind: "string", help: "JSON file with any of these fields (flags override it)" };
  specs.help = { kind: "boolean", help: "show this help" };
  return specs;
}

/** Merges defaults ← --config file ← explicit flags, validating every field. */
export function configFromArgv(rawArgv: string[]): TrainConfig | undefined {
  const specs = flagSpecs();
  const argv = resumeLatest(rawArgv);
  const { flags, positional } = parseArgs(argv, specs);
  if (flags.help) {
    console.log(
      formatHelp("clipdown train [--model vit-ti/8] [--strategy clip] [--samples N] ...", specs) +
        "\n  --resume latest          open_clip's spelling of --resume (continue from <out>/last.safetensors)" +
        `\n\nstrategies:\n${strategyHelp()
          .map((l) => `  ${l}`)
          .join("\n")}`,
    );
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
  const given = (name: string) => argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  const explicit: Record<string, unknown> = {};
  for (const name of Object.keys(TRAIN_FIELDS).map(kebab)) if (given(name)) explicit[name] = flags[name];
  for (const [alias, field] of Object.entries(OPEN_CLIP_ALIASES)) {
    if (!given(alias)) continue;
    if (given(kebab(field)))
      throw new UsageError(`--${alias} and --${kebab(field)} are the same setting; give one of them`);
    explicit[kebab(field)] = flags[alias];
  }
  // Merge by camelCase field name before validating, so cross-field checks see the final values.
  const merged: Record<string, unknown> = {};
  for (const [k, v] of [...Object.entries(fromFile), ...Object.entries(explicit)]) merged[camel(k)] = v;
  if (given("epochs")) {
    if (given("samples"))
      throw new UsageError("--epochs and --samples both set the budget; give one of them");
    const sized = { ...TRAIN_DEFAULTS, ...merged } as TrainConfig; // validated below, with the samples
    merged.samples = samplesForEpochs(flags.epochs as number, sized);
  }
  try {
    return resolveTrainConfig(merged, TRAIN_DEFAULTS);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** `--resume latest` (open_clip) → `--resume`; a path after --resume is refused with the fix. */
function resumeLatest(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--resume=latest" || (a === "--resume" && argv[i + 1] === "latest")) {
      out.push("--resume");
      if (a === "--resume") i++;
      continue;
    }
    const next = argv[i + 1];
    if (a === "--resume" && next !== undefined && !next.startsWith("--"))
      throw new UsageError(
        `--resume takes no checkpoint path here: it continues <out>/last.safetensors; give --out ${next.endsWith(".safetensors") ? path.dirname(next) : next} --resume (or --resume latest)`,
      );
    out.push(a);
  }
  return out;
}

export async function run(argv: string[]): Promise<number> {
  const cfg = configFromArgv(argv);
  if (!cfg) return 0;
  const { trainRun } = await import("./run");
  // The CLI composes training with the held-out evaluation; the trainer itself knows no dataset.
  const { heldOutEvaluator } = await import("../eval/during-training");
  const { NonFiniteLossError } = await import("./trainer");
  let res: Awaited<ReturnType<typeof trainRun>>;
  try {
    res = await trainRun(cfg, undefined, heldOutEvaluator);
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
