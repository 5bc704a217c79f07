/**
 * `clipdown <command> [...]`: the command-line entry point.
 *
 * Each command lives next to the code it drives (src/<area>/cli.ts) and exports
 * `run(argv): Promise<number>`; this file only dispatches, loading a command's module lazily so
 * that `clipdown info` does not pay for loading sharp or the data packages.
 */
import { UsageError } from "./util/args";

type CommandModule = { run(argv: string[]): Promise<number> };

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  info: { summary: "show the compute backend chosen and why", load: () => import("./tf/cli") },
  catlip: { summary: "CatLIP synset vocabulary of captions (vocab)", load: () => import("./text/cli") },
  data: {
    summary: "build|inspect|noise|score|select the embedded corpora",
    load: () => import("./data/cli"),
  },
  shards: { summary: "CSV/TSV manifest or image folder to shards", load: () => import("./data/shards-cli") },
  models: {
    summary: "model presets: params and forward GFLOPs (--markdown, --json)",
    load: () => import("./models/cli"),
  },
  train: {
    summary: "train a model preset with a strategy (clip, clip-aug, slip, flip, siglip, catlip)",
    load: () => import("./train/cli"),
  },
  checkpoint: {
    summary: "verify checkpoints: checksums, metadata, finite weights and moments",
    load: () => import("./train/checkpoint-cli"),
  },
  eval: {
    summary: "zero-shot, linear probe, few-shot, retrieval, transfer → CLIP_benchmark JSON",
    load: () => import("./eval/cli"),
  },
  classify: {
    summary: 'zero-shot classify images against labels you type (--labels "cat,dog")',
    load: () => import("./infer/classify-cli"),
  },
  embed: {
    summary: "image folder / CSV or texts → embeddings.npy|.jsonl",
    load: () => import("./infer/embed-cli"),
  },
  search: {
    summary: "text → image search over embeddings from clipdown embed",
    load: () => import("./infer/search-cli"),
  },
  export: {
    summary: "export web: a static zero-shot demo page that runs in the browser",
    load: () => import("./infer/export-cli"),
  },
  sweep: {
    summary: "paper-section sweeps (list, run, --emit slurm|k8s)",
    load: () => import("./papers/sweep-cli"),
  },
  reproduce: {
    summary: "run sections, publish results/<section>.jsonl",
    load: () => import("./papers/reproduce-cli"),
  },
  findings: {
    summary: "judge the papers' findings on results/ → results/FINDINGS.md (--readme)",
    load: () => import("./papers/findings/cli"),
  },
  quickstart: {
    summary: "train a small CLIP for a few minutes, write reports/quickstart.html",
    load: () => import("./quickstart/cli"),
  },
  report: {
    summary: "HTML report (loss, held-out metrics, table) of run directories",
    load: () => import("./viz/report-cli"),
  },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`);
  return [
    "usage: clipdown <command> [options]",
    "",
    "commands:",
    ...rows,
    "",
    "clipdown <command> --help for its options",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name ? 0 : 1;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`clipdown: unknown command "${name}"; valid commands: ${Object.keys(COMMANDS).join(", ")}`);
    return 2;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`clipdown ${name}: ${err.message}`);
      return 2;
    }
    // A user's mistake (a missing file, a bad image, a wrong run) is one line naming it and the fix;
    // the stack is for reporting bugs, on request.
    const debug = Boolean(process.env.CLIPDOWN_DEBUG);
    const msg = err instanceof Error ? (debug ? (err.stack ?? err.message) : err.message) : String(err);
    console.error(`clipdown ${name}: ${msg}${debug ? "" : " (CLIPDOWN_DEBUG=1 for a stack trace)"}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
