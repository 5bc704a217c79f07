/**
 * `clipdown classify --checkpoint R --labels "cat,dog,car" img1.png img2.jpg`: zero-shot
 * classification of image files against labels typed on the command line, top-k with probabilities.
 */
import { type FlagSpecs, formatHelp, parseArgs, UsageError } from "../util/args";
import { parseLabels } from "./core";
import { CHECKPOINT_FLAG, DATA_DIR_FLAG, TEMPLATES_FLAG } from "./flags";

const SPECS: FlagSpecs = {
  checkpoint: CHECKPOINT_FLAG,
  labels: { kind: "string", help: 'comma-separated labels, e.g. "cat,dog,car"' },
  "top-k": { kind: "number", help: "labels shown per image", default: 5 },
  templates: TEMPLATES_FLAG,
  "data-dir": DATA_DIR_FLAG,
  json: { kind: "boolean", help: "print JSON: [{ image, labels: [{ label, prob, cosine }] }]" },
  help: { kind: "boolean", help: "show this help" },
};

export async function run(argv: string[]): Promise<number> {
  const { flags, positional } = parseArgs(argv, SPECS);
  if (flags.help) {
    console.log(formatHelp('clipdown classify --checkpoint RUN --labels "cat,dog,car" IMAGE...', SPECS));
    return 0;
  }
  if (typeof flags.checkpoint !== "string")
    throw new UsageError("--checkpoint RUN is required (a run directory)");
  if (typeof flags.labels !== "string")
    throw new UsageError('--labels is required, e.g. --labels "cat,dog,car"');
  if (positional.length === 0) throw new UsageError("give one or more image files after the flags");
  const topK = flags["top-k"] as number;
  if (!(Number.isInteger(topK) && topK >= 1))
    throw new UsageError(`--top-k must be a whole number >= 1, got ${topK}`);
  let labels: string[];
  try {
    labels = parseLabels(flags.labels);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { loadClip } = await import(".");
  const clip = await loadClip(
    flags.checkpoint,
    typeof flags["data-dir"] === "string" ? { dataDir: flags["data-dir"] } : {},
  );
  try {
    const ranked = await clip.classify(positional, labels, { topK, templates: flags.templates as string });
    if (flags.json) {
      console.log(
        JSON.stringify(
          positional.map((image, i) => ({ image, labels: ranked[i] })),
          null,
          1,
        ),
      );
      return 0;
    }
    const width = Math.max(...labels.map((l) => l.length));
    positional.forEach((image, i) => {
      console.log(image);
      ranked[i]!.forEach((s, k) => {
        console.log(`  ${k + 1}. ${s.label.padEnd(width)}  ${(100 * s.prob).toFixed(1).padStart(5)} %`);
      });
    });
    return 0;
  } finally {
    clip.dispose();
  }
}
