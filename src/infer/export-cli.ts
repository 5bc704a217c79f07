/**
 * `clipdown export web --checkpoint R --out DIR`: writes the in-browser zero-shot demo
 * (src/infer/web/export.ts). `web` is the only target so far; the word leaves room for others.
 */
import { resolveTemplates } from "../eval/templates";
import { type FlagSpecs, formatHelp, parseArgs, UsageError } from "../util/args";
import { parseLabels } from "./core";
import { CHECKPOINT_FLAG, DATA_DIR_FLAG, TEMPLATES_FLAG } from "./flags";

const SPECS: FlagSpecs = {
  checkpoint: CHECKPOINT_FLAG,
  out: { kind: "string", help: "folder to write the page into (created)" },
  labels: {
    kind: "string",
    help: "labels the page starts with (the user can edit them)",
    default: "cat,dog,car,tree,pizza",
  },
  templates: TEMPLATES_FLAG,
  "data-dir": DATA_DIR_FLAG,
  help: { kind: "boolean", help: "show this help" },
};

export async function run(argv: string[]): Promise<number> {
  const { flags, positional } = parseArgs(argv, SPECS);
  const usage = "clipdown export web --checkpoint RUN --out DIR [--labels cat,dog]";
  if (flags.help) {
    console.log(formatHelp(usage, SPECS));
    return 0;
  }
  if (positional[0] !== "web" || positional.length > 1)
    throw new UsageError(`export what? the only target is "web": ${usage}`);
  if (typeof flags.checkpoint !== "string")
    throw new UsageError("--checkpoint RUN is required (a run directory)");
  if (typeof flags.out !== "string")
    throw new UsageError("--out DIR is required (the folder to write the page into)");
  let labels: string[];
  let templates: string[];
  try {
    labels = parseLabels(flags.labels as string);
    templates = resolveTemplates(flags.templates as string);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { exportWeb } = await import("./web/export");
  const files = await exportWeb(flags.checkpoint, {
    out: flags.out,
    labels,
    templates,
    ...(typeof flags["data-dir"] === "string" ? { dataDir: flags["data-dir"] } : {}),
  });
  console.error(
    `export web: ${files.length} files in ${flags.out}; serve the folder (e.g. npx http-server ${flags.out}, python3 -m http.server) and open index.html`,
  );
  return 0;
}
