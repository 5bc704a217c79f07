/**
 * `clipdown catlip vocab`: the CatLIP label space of a caption set, at a glance.
 *
 * Reads captions from a text file (one per line), a directory holding `captions.txt`, or a directory
 * of WebDataset shards (`*.tar`, the `.txt` member of each sample), extracts synsets under the chosen
 * rule, and prints the vocabulary size at several pruning thresholds Vτ plus the most frequent synsets.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BadSamples } from "../data/bad-samples";
import { readTarFile } from "../data/tar";
import { type FlagSpecs, formatHelp, parseArgs, UsageError } from "../util/args";
import { MATCH_RULES, type MatchRule } from "./nouns";
import { buildSynsetVocab } from "./synset-vocab";
import { loadWordNet } from "./wordnet";

const THRESHOLDS = [5, 10, 20, 50, 100];

const FLAGS: FlagSpecs = {
  data: {
    kind: "string",
    help: "captions .txt file, or a directory with captions.txt or *.tar WebDataset shards",
  },
  rule: { kind: "string", help: `synset matching rule: ${MATCH_RULES.join(" | ")}`, default: "paper" },
  top: { kind: "number", help: "how many of the most frequent synsets to list", default: 20 },
  "min-count": { kind: "number", help: "Vτ for the saved vocabulary: keep count > this", default: 0 },
  out: { kind: "string", help: "write the pruned vocabulary (JSON) to this file" },
  json: { kind: "boolean", help: "print one JSON object instead of tables", default: false },
  help: { kind: "boolean", help: "show this help", default: false },
};

const USAGE =
  "clipdown catlip vocab --data <file|dir> [--rule paper|reference] [--min-count N] [--out vocab.json]";

/**
 * Caption text of every `.txt` member of a ustar archive (read with the data layer's tar reader,
 * which skips members with absolute or `..` paths and non-regular members).
 */
export function tarCaptions(file: string): string[] {
  const bad = new BadSamples();
  const members = readTarFile(file, { bad });
  if (bad.counts()["corrupt-tar"]) throw new Error(`${file}: ${bad.examples("corrupt-tar")[0]}`);
  return members.filter((m) => m.name.endsWith(".txt")).map((m) => m.data.toString("utf8").trim());
}

/** Captions from a .txt file, a directory with captions.txt, or a directory of .tar shards. */
export function readCaptions(source: string): string[] {
  if (!fs.existsSync(source)) throw new UsageError(`--data ${source} does not exist`);
  const lines = (file: string): string[] =>
    fs
      .readFileSync(file, "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.length > 0);
  if (fs.statSync(source).isFile()) {
    return source.endsWith(".tar") ? tarCaptions(source) : lines(source);
  }
  const txt = path.join(source, "captions.txt");
  if (fs.existsSync(txt)) return lines(txt);
  const shards = fs
    .readdirSync(source)
    .filter((f) => f.endsWith(".tar"))
    .sort();
  if (shards.length === 0) {
    throw new UsageError(
      `--data ${source} has neither captions.txt nor *.tar shards; run \`clipdown data build\` first`,
    );
  }
  return shards.flatMap((s) => tarCaptions(path.join(source, s)));
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== "vocab") {
    if (sub === undefined || sub === "--help" || sub === "help") {
      console.log(`${formatHelp(USAGE, FLAGS)}\n\nsubcommands: vocab`);
      return sub === undefined ? 1 : 0;
    }
    throw new UsageError(`unknown subcommand "${sub}"; valid subcommands: vocab`);
  }
  const { flags } = parseArgs(rest, FLAGS);
  if (flags.help) {
    console.log(formatHelp(USAGE, FLAGS));
    return 0;
  }
  if (typeof flags.data !== "string")
    throw new UsageError("--data is required (a captions .txt file or a dataset dir)");
  const rule = flags.rule as MatchRule;
  if (!MATCH_RULES.includes(rule))
    throw new UsageError(`--rule must be one of ${MATCH_RULES.join(", ")}, got "${rule}"`);

  const captions = readCaptions(flags.data);
  const t0 = performance.now();
  const all = buildSynsetVocab(captions, { rule });
  const seconds = (performance.now() - t0) / 1000;
  const wn = loadWordNet();
  const sizes = Object.fromEntries(THRESHOLDS.map((t) => [t, all.prune({ minCount: t }).size]));
  const top = all.entries.slice(0, flags.top as number).map((e) => ({
    id: e.id,
    lemma: e.lemma,
    count: e.count,
    gloss: wn.synset(e.offset).gloss.split(";")[0]!,
  }));
  const pruned = all.prune({ minCount: flags["min-count"] as number });
  if (typeof flags.out === "string") pruned.save(flags.out);

  const summary = {
    rule,
    captions: all.stats.captions,
    captionsWithSynset: all.stats.captionsWithSynset,
    distinctSynsets: all.stats.distinctSynsets,
    captionsPerSecond: Math.round(captions.length / seconds),
    vocabSizeByThreshold: sizes,
    top,
    saved: typeof flags.out === "string" ? { path: flags.out, size: pruned.size } : undefined,
  };
  if (flags.json) {
    console.log(JSON.stringify(summary, null, 2));
    return 0;
  }
  const pct = ((100 * all.stats.captionsWithSynset) / Math.max(1, all.stats.captions)).toFixed(1);
  console.log(`rule: ${rule}`);
  console.log(
    `captions: ${all.stats.captions} (${pct}% with at least one synset), ${summary.captionsPerSecond} captions/s`,
  );
  console.log(`distinct synsets: ${all.stats.distinctSynsets}`);
  console.log("vocabulary size (count > Vτ):");
  for (const t of THRESHOLDS) console.log(`  Vτ=${String(t).padEnd(4)} ${sizes[t]}`);
  console.log(`top ${top.length} synsets:`);
  for (const e of top) {
    console.log(
      `  ${e.id.padEnd(10)} ${e.lemma.padEnd(16)} ${String(e.count).padStart(7)}  ${e.gloss.slice(0, 60)}`,
    );
  }
  if (summary.saved)
    console.log(
      `wrote ${summary.saved.size} synsets (count > ${flags["min-count"]}) to ${summary.saved.path}`,
    );
  return 0;
}
