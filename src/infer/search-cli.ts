/**
 * `clipdown search --checkpoint R --index embeddings.npy --query "a red car"`: text → image search
 * over a folder embedded by `clipdown embed`, best first, with cosine similarities.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type FlagSpecs, formatHelp, parseArgs, UsageError } from "../util/args";
import { readIndex, searchRows } from "./embedding-index";
import { DATA_DIR_FLAG } from "./flags";

const SPECS: FlagSpecs = {
  checkpoint: { kind: "string", help: "the run that built the index (its text tower embeds the query)" },
  index: { kind: "string", help: "embeddings.npy (with its .json) or embeddings.jsonl from clipdown embed" },
  query: { kind: "string", help: 'the text to search for, e.g. "a red car"' },
  queries: { kind: "string", help: "a file of queries, one per line (instead of --query)" },
  "top-k": { kind: "number", help: "results per query", default: 10 },
  "data-dir": DATA_DIR_FLAG,
  json: { kind: "boolean", help: "print JSON: [{ query, results: [{ rank, item, score, caption? }] }]" },
  help: { kind: "boolean", help: "show this help" },
};

export async function run(argv: string[]): Promise<number> {
  const { flags, positional } = parseArgs(argv, SPECS);
  if (flags.help) {
    console.log(
      formatHelp('clipdown search --checkpoint RUN --index embeddings.npy --query "a red car"', SPECS),
    );
    return 0;
  }
  if (positional.length)
    throw new UsageError(`unexpected argument "${positional[0]}"; quote the query: --query "a red car"`);
  if (typeof flags.checkpoint !== "string")
    throw new UsageError("--checkpoint RUN is required (the run that built the index)");
  if (typeof flags.index !== "string")
    throw new UsageError("--index is required: the output of clipdown embed");
  const one = flags.query as string | undefined;
  const file = flags.queries as string | undefined;
  if ((one === undefined) === (file === undefined))
    throw new UsageError('give exactly one of --query "text" and --queries FILE');
  if (file !== undefined && !fs.existsSync(file)) throw new UsageError(`--queries ${file}: no such file`);
  const queries =
    one !== undefined
      ? [one]
      : fs
          .readFileSync(file!, "utf8")
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter(Boolean);
  if (queries.length === 0 || queries.some((q) => !q.trim()))
    throw new UsageError("the query is empty; give some words to search for");
  const k = flags["top-k"] as number;
  if (!(Number.isInteger(k) && k >= 1)) throw new UsageError(`--top-k must be a whole number >= 1, got ${k}`);
  const index = readIndex(flags.index);
  if (index.kind !== "image")
    throw new Error(
      `${flags.index} holds text embeddings; search needs an image index (clipdown embed --images DIR)`,
    );

  const { loadClip } = await import(".");
  const clip = await loadClip(
    flags.checkpoint,
    typeof flags["data-dir"] === "string" ? { dataDir: flags["data-dir"] } : {},
  );
  try {
    if (path.resolve(clip.checkpoint) !== path.resolve(index.checkpoint))
      console.error(
        `search: note: the index was embedded with ${index.checkpoint}, the query with ${clip.checkpoint}`,
      );
    const hits = searchRows(index.emb, await clip.encodeTexts(queries), k);
    const results = queries.map((query, q) => ({
      query,
      results: hits[q]!.map((h, r) => ({
        rank: r + 1,
        item: index.items[h.index]!,
        score: h.score,
        ...(index.captions ? { caption: index.captions[h.index] } : {}),
      })),
    }));
    if (flags.json) console.log(JSON.stringify(results, null, 1));
    else
      for (const r of results) {
        console.log(r.query);
        for (const h of r.results)
          console.log(`  ${String(h.rank).padStart(2)}. ${h.score.toFixed(4)}  ${h.item}`);
      }
    return 0;
  } finally {
    clip.dispose();
  }
}
