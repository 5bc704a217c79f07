/**
 * A corpus's identity: its manifest's content hash (sha256 over every shard's and file's bytes),
 * its pair count, and for a derived corpus (a noise-injected copy, a quality subset) the content
 * hash of the corpus it was made from. Results record the identity of the corpus they trained on,
 * so a published line is reused only on a machine whose corpus has the same bytes.
 */
import { readManifest } from "./write";

export interface CorpusIdentity {
  /** The folder (or `run:<hash>` reference) the run named. */
  dir: string;
  contentHash: string;
  samples: number;
  /** Content hash of the corpus this one was derived from (noise, subsets); absent for a built corpus. */
  source?: string;
}

/** The identity of the built corpus in `folder` (named `dir` in the record); undefined when it has no manifest. */
export function corpusIdentity(folder: string, dir: string = folder): CorpusIdentity | undefined {
  const m = readManifest(folder);
  if (!m || typeof m.contentHash !== "string") return undefined;
  const source = m.build?.inputs?.source;
  return {
    dir,
    contentHash: m.contentHash,
    samples: m.samples,
    ...(typeof source === "string" && source.startsWith("sha256:") ? { source } : {}),
  };
}

/** The content hash of the built corpus underneath (the source of a derived one). */
export function baseCorpusHash(id: Pick<CorpusIdentity, "contentHash" | "source">): string {
  return id.source ?? id.contentHash;
}

/** `sha256:ee9de253…` for messages. */
export function shortHash(h: string): string {
  return h.length > 19 ? `${h.slice(0, 19)}…` : h;
}
