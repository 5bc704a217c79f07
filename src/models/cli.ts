/**
 * `clipdown models`: the preset table (parameters from the actual variables, forward FLOPs from
 * shapes). Nothing is timed.
 */
import { initBackend } from "../tf";
import { formatHelp, parseArgs, UsageError } from "../util/args";
import { buildClipModel } from "./clip-model";
import { countParams } from "./flops";
import { PRESET_NAMES, presetDescription, resolvePreset } from "./presets";

const SPECS = {
  "image-size": { kind: "number" as const, help: "image side in pixels", default: 32 },
  "vocab-size": { kind: "number" as const, help: "tokenizer vocabulary size", default: 2048 },
  markdown: { kind: "boolean" as const, help: "print a Markdown table", default: false },
  json: { kind: "boolean" as const, help: "print JSON", default: false },
  help: { kind: "boolean" as const, help: "show this help", default: false },
};

export interface ModelRow {
  preset: string;
  tower: string;
  description: string;
  imageParams: number;
  textParams: number;
  imageGflops: number;
  textGflops: number;
}

/** Builds each preset once (seed 0) to count its variables; returns one row per preset. */
export function modelTable(imageSize: number, vocabSize: number): ModelRow[] {
  return PRESET_NAMES.map((name) => {
    const cfg = resolvePreset(name, { imageSize, vocabSize });
    const model = buildClipModel(cfg, 0);
    try {
      const f = model.flops();
      return {
        preset: name,
        tower: cfg.image.kind,
        description: presetDescription(name),
        imageParams: countParams(model.params, "visual."),
        textParams: countParams(model.params, "text."),
        imageGflops: f.image / 1e9,
        textGflops: f.text / 1e9,
      };
    } finally {
      model.dispose();
    }
  });
}

export async function run(argv: string[]): Promise<number> {
  const { flags, positional } = parseArgs(argv, SPECS);
  if (flags.help) {
    console.log(formatHelp("clipdown models [--image-size 32] [--markdown|--json]", SPECS));
    return 0;
  }
  if (positional.length > 0) throw new UsageError(`unexpected argument "${positional[0]}"`);
  if (flags.markdown && flags.json) throw new UsageError("choose one of --markdown and --json");
  await initBackend();
  const rows = modelTable(flags["image-size"] as number, flags["vocab-size"] as number);
  if (flags.json) {
    console.log(JSON.stringify(rows, null, 2));
    return 0;
  }
  const header = [
    "preset",
    "tower",
    "analogue",
    "image params",
    "text params",
    "image GFLOPs",
    "text GFLOPs",
  ];
  const body = rows.map((r) => [
    r.preset,
    r.tower,
    r.description,
    r.imageParams.toLocaleString("en-US"),
    r.textParams.toLocaleString("en-US"),
    r.imageGflops.toFixed(4),
    r.textGflops.toFixed(4),
  ]);
  if (flags.markdown) {
    console.log(`| ${header.join(" | ")} |`);
    console.log(`|${header.map(() => "---").join("|")}|`);
    for (const b of body) console.log(`| ${b.join(" | ")} |`);
  } else {
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
    console.log(line(header));
    for (const b of body) console.log(line(b));
  }
  console.log(`(image ${flags["image-size"]} px; forward FLOPs per sample, multiply-add = 2)`);
  return 0;
}
