/**
 * The reference corpus the published results were run on, and how our sizes map onto the papers'.
 * A local corpus may differ (a rebuild without Debian's openclipart-svg has ~2k fewer pairs): code
 * that needs the local size reads the corpus manifest (`corpusPairs`); the sweeps keep these
 * numbers so their specs' hashes, and so the published rows, stay valid.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Pairs in data/pictograms when the published results were run (its manifest's `samples`). */
export const PICTOGRAM_PAIRS = 32_691;

/** Paper 3.4B samples seen ↔ one pass over our 32,691-pair corpus: one of our samples ≈ 104k of theirs. */
export const PAPER_SAMPLES_PER_OURS = 3.4e9 / PICTOGRAM_PAIRS;

/** The pairs of the corpus in `dataDir`, from its manifest; an error names the fix when it is not built. */
export function corpusPairs(dataDir: string): number {
  const file = path.join(dataDir, "manifest.json");
  let samples: unknown;
  try {
    samples = (JSON.parse(fs.readFileSync(file, "utf8")) as { samples?: unknown }).samples;
  } catch (e) {
    throw new Error(
      `${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; build the corpus with \`clipdown data build\``,
    );
  }
  if (typeof samples !== "number" || !Number.isInteger(samples) || samples < 0)
    throw new Error(`${file}: "samples" is not a pair count; rebuild it with \`clipdown data build\``);
  return samples;
}
