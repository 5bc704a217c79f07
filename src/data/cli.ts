/**
 * `clipdown data build|inspect|noise|select|score`: build the embedded corpora and held-out sets,
 * look inside a dataset folder, make a noisy copy with known ground truth, score pairs with a trained
 * model (CLIP-score) and select the top-k % by score with its precision against the ground truth.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type FlagSpecs, formatHelp, parseArgs, UsageError } from "../util/args";

const SUBCOMMANDS = {
  build:
    "build whatever is missing under --out (pictograms, noto, emoji-441, …); fast when all is built; " +
    "pictograms-xl only with --only",
  inspect: "counts per source, caption lengths (words, BPE tokens), bad samples, caches of <dir>",
  noise: "copy --from to --out with a known fraction of corrupted captions (ground truth in each json)",
  score: "CLIP-score every pair of --data with --checkpoint; writes <data>/quality.json",
  select: "top --top % of --data by quality score; precision/recall against the noise ground truth",
} as const;

const FLAGS: Record<keyof typeof SUBCOMMANDS, FlagSpecs> = {
  build: {
    out: { kind: "string", help: "data root", default: "data" },
    only: {
      kind: "string",
      help: "comma-separated dataset names (default: all but pictograms-xl, which is built only when named)",
    },
    force: { kind: "boolean", help: "rebuild even what is up to date" },
    "skin-tones": { kind: "boolean", help: "keep emoji skin-tone variants (captions folded)", default: true },
    "tabler-filled": { kind: "boolean", help: "add tabler's filled icons", default: true },
    openclipart: {
      kind: "boolean",
      help: "add OpenClipart objects when openclipart-svg is installed",
      default: true,
    },
    "in-flight": { kind: "number", help: "images decoded at once (default: 2 × cores, ≥ 4)" },
    "max-bad-fraction": { kind: "number", help: "fail a dataset above this bad fraction", default: 0.05 },
    quiet: { kind: "boolean", help: "no progress output" },
  },
  inspect: {
    tokenizer: {
      kind: "string",
      help: "tokenizer.json to count tokens with (default: the dataset's, else data/pictograms')",
    },
    "context-length": { kind: "number", help: "context length to report truncation against", default: 16 },
    json: { kind: "boolean", help: "print the report as JSON" },
  },
  noise: {
    from: { kind: "string", help: "clean dataset folder", default: "data/pictograms" },
    out: { kind: "string", help: "output folder (e.g. data/pictograms-noisy)" },
    fraction: { kind: "number", help: "fraction of captions to corrupt, in [0, 1]", default: 0.5 },
    seed: { kind: "number", help: "which samples and which corruptions", default: 0 },
    mix: {
      kind: "string",
      help: "relative weights, e.g. swap=2,truncate=1,generic=1",
      default: "swap=1,truncate=1,generic=1",
    },
  },
  score: {
    data: { kind: "string", help: "dataset folder to score" },
    checkpoint: { kind: "string", help: "a clipdown checkpoint (runs/<run>/final.safetensors)" },
    tokenizer: { kind: "string", help: "tokenizer.json (default: the training run's <data>/tokenizer.json)" },
  },
  select: {
    data: { kind: "string", help: "dataset folder with quality.json" },
    top: { kind: "number", help: "percentage to keep, (0, 100]", default: 40 },
    out: { kind: "string", help: "write the selected keys here (default <data>/selection-top<k>.json)" },
    json: { kind: "boolean", help: "print the report as JSON" },
  },
};

function need(flags: Record<string, unknown>, name: string): string {
  const v = flags[name];
  if (typeof v !== "string" || !v) throw new UsageError(`--${name} is required`);
  return v;
}

/** "swap=2,truncate=1" → { swap: 2, truncate: 1 }. */
export function parseMix(spec: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of spec.split(",").filter(Boolean)) {
    const m = /^\s*([a-z]+)\s*=\s*([0-9.]+)\s*$/.exec(part);
    if (!m || !Number.isFinite(Number(m[2])))
      throw new UsageError(`--mix: "${part}" is not kind=weight (kinds: swap, truncate, generic)`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

async function build(flags: Record<string, unknown>): Promise<number> {
  const { ensureData } = await import("./corpus/build");
  const t0 = performance.now();
  const only =
    typeof flags.only === "string"
      ? flags.only
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined;
  let report: Awaited<ReturnType<typeof ensureData>>;
  try {
    report = await ensureData(flags.out as string, {
      quiet: !!flags.quiet,
      force: !!flags.force,
      ...(only ? { only } : {}),
      params: {
        skinTones: !!flags["skin-tones"],
        tablerFilled: !!flags["tabler-filled"],
        openclipart: !!flags.openclipart,
      },
      ...(typeof flags["in-flight"] === "number" ? { inFlight: flags["in-flight"] } : {}),
      maxBadFraction: flags["max-bad-fraction"] as number,
    });
  } catch (e) {
    if ((e as Error).message.startsWith("unknown dataset")) throw new UsageError((e as Error).message);
    throw e;
  }
  const built = report.datasets.filter((d) => d.status === "built").length;
  console.log(
    `data build: ${built} built, ${report.datasets.filter((d) => d.status === "up-to-date").length} up to date` +
      `${built ? "" : " (nothing to do)"}, ${report.datasets.filter((d) => d.status === "unavailable").length} unavailable, ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  for (const d of report.datasets)
    console.log(
      `  ${d.name.padEnd(18)} ${d.status.padEnd(11)} ${d.samples !== undefined ? String(d.samples).padStart(6) : "     -"}` +
        `${d.seconds !== undefined ? `  ${d.seconds.toFixed(1)} s` : ""}${d.reason ? `  ${d.reason}` : ""}`,
    );
  return 0;
}

async function inspect(flags: Record<string, unknown>, positional: string[]): Promise<number> {
  const dir = positional[0];
  if (!dir) throw new UsageError("usage: clipdown data inspect <dataset dir> (e.g. data/pictograms)");
  const { formatInspect, inspectDataset } = await import("./corpus/inspect");
  const r = await inspectDataset(dir, {
    ...(typeof flags.tokenizer === "string" ? { tokenizer: flags.tokenizer } : {}),
    contextLength: flags["context-length"] as number,
  });
  console.log(flags.json ? JSON.stringify(r, null, 2) : formatInspect(r));
  return 0;
}

async function noise(flags: Record<string, unknown>): Promise<number> {
  const { injectNoise } = await import("./corpus/noise");
  const m = await injectNoise(flags.from as string, need(flags, "out"), {
    fraction: flags.fraction as number,
    seed: flags.seed as number,
    mix: parseMix(flags.mix as string),
  });
  console.log(`${need(flags, "out")}: ${m.samples} samples; ${m.description}`);
  return 0;
}

async function score(flags: Record<string, unknown>): Promise<number> {
  const data = need(flags, "data");
  const { loadScorer, scoreDataset } = await import("../eval/clip-score");
  const scorer = await loadScorer(
    need(flags, "checkpoint"),
    typeof flags.tokenizer === "string" ? flags.tokenizer : undefined,
  );
  const t0 = performance.now();
  const { file, scores } = await scoreDataset(data, scorer);
  scorer.model.dispose();
  const mean = scores.reduce((a, b) => a + b, 0) / Math.max(1, scores.length);
  console.log(
    `${file}: ${scores.length} CLIP scores (mean cosine ${mean.toFixed(3)}) from ${scorer.info.checkpoint} ` +
      `(${scorer.info.model} @${scorer.imageSize}px, step ${scorer.info.step}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return 0;
}

async function select(flags: Record<string, unknown>): Promise<number> {
  const data = need(flags, "data");
  const top = flags.top as number;
  if (!(top > 0 && top <= 100)) throw new UsageError(`--top must be in (0, 100], got ${top}`);
  const { loadQualityScores, selectionReport, topFractionIndices } = await import("./quality");
  const { readShards } = await import("./webdataset");
  const { file } = loadQualityScores(data);
  const chosen = topFractionIndices(file.scores, top);
  // Ground truth from each sample's json, matched by key (absent on a clean corpus).
  const truth = new Map<string, string>();
  for await (const s of readShards(data)) {
    if (!s.files.json) continue;
    const noiseLabel = (JSON.parse(s.files.json.toString("utf8")) as { noise?: unknown }).noise;
    if (typeof noiseLabel === "string") truth.set(s.key, noiseLabel);
  }
  const keys = Array.from(chosen, (i) => file.keys[i]!);
  const report =
    truth.size > 0
      ? selectionReport(
          chosen,
          file.keys.map((k) => (truth.get(k) ?? "none") as "none"),
        )
      : undefined;
  const out = typeof flags.out === "string" ? flags.out : path.join(data, `selection-top${top}.json`);
  fs.writeFileSync(
    out,
    `${JSON.stringify({ data, top, scorer: file.scorer, n: keys.length, keys, report }, null, 1)}\n`,
  );
  if (flags.json) {
    console.log(JSON.stringify({ out, selected: keys.length, of: file.n, report }, null, 2));
    return 0;
  }
  console.log(`top ${top}% of ${data}: ${keys.length} of ${file.n} pairs → ${out}`);
  if (report) {
    const p = (x: number): string => `${(100 * x).toFixed(1)}%`;
    console.log(
      `  precision ${p(report.precision)} (clean among selected; random selection: ${p(report.baselinePrecision)}), ` +
        `recall ${p(report.recall)} (clean pairs kept)`,
    );
    for (const [k, v] of Object.entries(report.kept))
      console.log(`  ${k.padEnd(9)} kept ${v.kept} of ${v.total} (${p(v.rate)})`);
  } else console.log("  no noise ground truth in this dataset (make one with clipdown data noise)");
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const help = (): string =>
    [
      "usage: clipdown data <subcommand> [options]",
      "",
      ...Object.entries(SUBCOMMANDS).map(([k, v]) => `  ${k.padEnd(8)} ${v}`),
      "",
      "clipdown data <subcommand> --help for its options",
    ].join("\n");
  if (sub === undefined || sub === "--help" || sub === "help" || sub === "-h") {
    console.log(help());
    return sub === undefined ? 1 : 0;
  }
  if (!(sub in SUBCOMMANDS))
    throw new UsageError(
      `unknown subcommand "${sub}"; valid subcommands: ${Object.keys(SUBCOMMANDS).join(", ")}`,
    );
  const name = sub as keyof typeof SUBCOMMANDS;
  const specs: FlagSpecs = { ...FLAGS[name], help: { kind: "boolean", help: "show this help" } };
  const { flags, positional } = parseArgs(rest, specs);
  if (flags.help) {
    console.log(formatHelp(`clipdown data ${name}${name === "inspect" ? " <dir>" : ""} [options]`, specs));
    return 0;
  }
  if (name !== "inspect" && positional.length) throw new UsageError(`unexpected argument "${positional[0]}"`);
  switch (name) {
    case "build":
      return build(flags);
    case "inspect":
      return inspect(flags, positional);
    case "noise":
      return noise(flags);
    case "score":
      return score(flags);
    case "select":
      return select(flags);
  }
}
