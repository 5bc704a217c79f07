/**
 * Adds the `corpus` record to published lines written before runs recorded it, where the evidence
 * says which corpus they trained on: the run was made on this host (provenance.host) and started
 * (finishedAt − wallSeconds) after the local corpus's manifest was last written, so it can only
 * have read the corpus that is here now. Every other line is left as it is (its corpus stays
 * unrecorded, and notebooks say so). Nothing else in a line changes. Idempotent.
 *
 * usage: npx tsx scripts/stamp-corpus.ts [--results results] [--check]
 *   --check  prints what it would stamp and exits 1 if anything is left to stamp
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { baseCorpusHash, corpusIdentity } from "../src/data/corpus/identity";
import { RESULTS_DIR } from "../src/papers/published";
import { writeFileAtomic } from "../src/sweep/atomic";
import type { ResultLine } from "../src/sweep/results";
import { isRunRef, refHash } from "../src/sweep/spec";

/**
 * The lines with `corpus` added where the rule above allows, and how many changed:
 * - a train run on a built corpus (`data` a folder) gets that corpus's identity;
 * - a noise run gets the identity of the corpus it copied (`from`), as noise runs now record;
 * - a train run on a copy (`data: "run:<hash>"`) that recorded the copy but only the copy's
 *   immediate source gets, as `source`, the built corpus its noise run (stamped above) copied.
 */
export function stampLines(
  lines: ResultLine[],
  host: string = os.hostname(),
  corpusAt: (
    dir: string,
  ) => { id: ReturnType<typeof corpusIdentity>; writtenMs: number } | undefined = localCorpus,
): { lines: ResultLine[]; stamped: number } {
  let stamped = 0;
  const madeHere = (l: ResultLine, dir: string) => {
    if (l.provenance.host !== host) return undefined;
    const local = corpusAt(dir);
    if (!local?.id) return undefined;
    const startedMs = Date.parse(l.finishedAt) - l.wallSeconds * 1000;
    return startedMs > local.writtenMs ? local.id : undefined;
  };
  const out = lines.map((l) => {
    const dir = l.kind === "train" ? l.spec.data : l.kind === "noise" ? l.spec.from : undefined;
    if (l.corpus || typeof dir !== "string" || isRunRef(dir)) return l;
    const id = madeHere(l, dir);
    if (!id) return l;
    stamped++;
    return { ...l, corpus: id };
  });
  const byHash = new Map(out.map((l) => [l.hash, l]));
  const repaired = out.map((l) => {
    const data = l.spec.data;
    if (l.kind !== "train" || !l.corpus || typeof data !== "string" || !isRunRef(data)) return l;
    const maker = byHash.get(refHash(data));
    const base = maker?.corpus ? baseCorpusHash(maker.corpus) : undefined;
    if (!base || l.corpus.source === base) return l;
    stamped++;
    return { ...l, corpus: { ...l.corpus, source: base } };
  });
  return { lines: repaired, stamped };
}

function localCorpus(dir: string) {
  const manifest = path.join(dir, "manifest.json");
  if (!fs.existsSync(manifest)) return undefined;
  return { id: corpusIdentity(dir), writtenMs: fs.statSync(manifest).mtimeMs };
}

function main(argv: string[]): number {
  const at = argv.indexOf("--results");
  const dir = at >= 0 ? argv[at + 1]! : RESULTS_DIR;
  const check = argv.includes("--check");
  let left = 0;
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".jsonl"))) {
    const file = path.join(dir, f);
    const text = fs.readFileSync(file, "utf8");
    const lines = text
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as ResultLine);
    const { lines: out, stamped } = stampLines(lines);
    const unrecorded = out.filter((l) => !l.corpus).length;
    console.log(
      `${f}: ${stamped} line(s) ${check ? "to stamp" : "stamped"}, ${unrecorded} of ${out.length} without a corpus`,
    );
    left += stamped;
    if (!check && stamped) writeFileAtomic(file, out.map((l) => `${JSON.stringify(l)}\n`).join(""));
  }
  return check && left ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
