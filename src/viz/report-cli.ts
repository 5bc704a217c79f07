/**
 * `clipdown report RUN_DIR... [--out FILE]`: one self-contained HTML report comparing training
 * runs (loss curves, held-out metrics over training, a final-metrics table), from the files
 * `clipdown train` wrote. Opens offline.
 */
import * as fs from "node:fs";
import { type FlagSpecs, formatHelp, parseArgs, UsageError } from "../util/args";

const SPECS: FlagSpecs = {
  out: { kind: "string", help: "report file", default: "reports/report.html" },
  title: { kind: "string", help: "report title", default: "clipdown runs" },
  metrics: {
    kind: "string",
    help: "comma-separated eval metrics to plot and tabulate (default: all the runs logged)",
  },
  x: { kind: "string", help: "x axis: samples | step", default: "samples" },
  help: { kind: "boolean", help: "show this help" },
};

export async function run(argv: string[]): Promise<number> {
  const { flags, positional } = parseArgs(argv, SPECS);
  if (flags.help) {
    console.log(formatHelp("clipdown report RUN_DIR [RUN_DIR ...] [--out reports/report.html]", SPECS));
    return 0;
  }
  if (!positional.length)
    throw new UsageError("give at least one run directory, e.g. clipdown report runs/quickstart-quick");
  const x = String(flags.x);
  if (x !== "samples" && x !== "step") throw new UsageError(`--x must be samples or step, got "${x}"`);
  for (const dir of positional) {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
      throw new UsageError(`${dir}: no such run directory`);
  }
  const { evalFigure, evalKeys, lossFigure, readRunLog, runsTable } = await import("./runs");
  const { writeReportBlocks } = await import("./report");
  let runs: ReturnType<typeof readRunLog>[];
  try {
    runs = positional.map((d) => readRunLog(d));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const keys = typeof flags.metrics === "string" ? flags.metrics.split(",").filter(Boolean) : evalKeys(runs);
  const known = new Set(evalKeys(runs));
  const unknown = keys.filter((k) => !known.has(k));
  if (unknown.length)
    throw new UsageError(
      `--metrics: ${unknown.join(", ")} not logged by these runs; logged: ${[...known].join(", ") || "none"}`,
    );
  const out = writeReportBlocks(
    [
      { kind: "figure", figure: lossFigure(runs, { x }), title: "Training loss" },
      ...(keys.length
        ? [
            {
              kind: "figure" as const,
              figure: evalFigure(runs, keys, { x }),
              title: "Held-out metrics over training",
            },
          ]
        : []),
      { kind: "table", table: runsTable(runs, keys), title: "Final values" },
    ],
    String(flags.out),
    { title: String(flags.title) },
  );
  console.log(out);
  return 0;
}
