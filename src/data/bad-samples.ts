/**
 * One accounting object for bad input, shared by every reader and builder in `src/data/`.
 *
 * Long builds and runs never stop on one bad file: the sample is skipped, its reason counted here
 * (with a few example details), the report is printed at the end and stored in `manifest.json`, and
 * only when the bad fraction exceeds a configurable threshold does the job fail, with a message that
 * names the dataset, the counts and the flag that raises the threshold.
 */

/** Why a sample (or a tar member) was skipped. */
export const BAD_REASONS = [
  "corrupt-image", // sharp could not decode it (truncated, bad header, wrong format for its extension)
  "empty-file", // zero bytes
  "unreadable-svg", // librsvg could not parse/render it
  "empty-caption", // empty or whitespace-only caption
  "non-utf8-caption", // caption bytes are not valid UTF-8
  "too-many-pixels", // input larger than the pixel limit (decompression-bomb guard)
  "unknown-extension", // not an image extension sharp reads here
  "unsafe-path", // tar member with an absolute path, a `..` component, or a NUL byte
  "non-regular-member", // tar symlink, hard link, device, fifo (never followed)
  "duplicate-key", // a sample key seen before (or a key+extension twice in one sample)
  "missing-image", // a sample with no image member / a manifest row whose file does not exist
  "missing-caption", // a sample with no .txt member / an empty caption cell where one is required
  "corrupt-json", // a sample's .json member is not valid JSON (its label/metadata would be lost)
  "corrupt-tar", // bad header checksum or truncated archive: the rest of that shard is unreadable
  "unreadable-file", // I/O error reading a file named by a manifest or folder
  "non-regular-file", // a manifest or folder names a device, FIFO, socket or directory (never read)
  "too-large-file", // a file over the byte limit (`--max-file-bytes`), refused before it is read
] as const;

export type BadReason = (typeof BAD_REASONS)[number];

/** Default tolerated bad fraction (bad / seen) before a build or run fails. */
export const DEFAULT_MAX_BAD_FRACTION = 0.05;

/** The command-line flag that raises the threshold (named in the failure message). */
export const MAX_BAD_FRACTION_FLAG = "--max-bad-fraction";

/** JSON form of the accounting, as stored in `manifest.json` and cache headers. */
export interface BadSampleReport {
  total: number;
  counts: Record<string, number>;
  examples: Record<string, string[]>;
}

/** Thrown by `assertBelow` when too much of a dataset is bad. */
export class TooManyBadSamplesError extends Error {
  constructor(
    message: string,
    readonly report: BadSampleReport,
  ) {
    super(message);
    this.name = "TooManyBadSamplesError";
  }
}

/** Counts skipped samples by reason and keeps the first few details of each. */
export class BadSamples {
  private readonly byReason = new Map<BadReason, number>();
  private readonly detailsByReason = new Map<BadReason, string[]>();

  /** @param maxExamples how many example details to keep per reason. */
  constructor(readonly maxExamples = 5) {}

  /** Records one skipped sample. `detail` names it (file, key, row) for the report. */
  add(reason: BadReason, detail?: string): void {
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
    if (detail !== undefined) {
      const list = this.detailsByReason.get(reason) ?? [];
      if (list.length < this.maxExamples) list.push(detail);
      this.detailsByReason.set(reason, list);
    }
  }

  /** Adds every count and example of another accounting object. */
  merge(other: BadSamples | BadSampleReport): void {
    const report = other instanceof BadSamples ? other.toJSON() : other;
    for (const [reason, n] of Object.entries(report.counts)) {
      const r = reason as BadReason;
      this.byReason.set(r, (this.byReason.get(r) ?? 0) + n);
      const list = this.detailsByReason.get(r) ?? [];
      for (const d of report.examples[reason] ?? []) if (list.length < this.maxExamples) list.push(d);
      if (list.length) this.detailsByReason.set(r, list);
    }
  }

  /** Count per reason, reasons in a fixed order (the order of BAD_REASONS), zero counts omitted. */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of BAD_REASONS) {
      const n = this.byReason.get(r);
      if (n) out[r] = n;
    }
    return out;
  }

  /** Number of skipped samples, all reasons together. */
  get total(): number {
    let t = 0;
    for (const n of this.byReason.values()) t += n;
    return t;
  }

  /** Example details for one reason, or for all reasons keyed by reason. */
  examples(): Record<string, string[]>;
  examples(reason: BadReason): string[];
  examples(reason?: BadReason): string[] | Record<string, string[]> {
    if (reason !== undefined) return [...(this.detailsByReason.get(reason) ?? [])];
    const out: Record<string, string[]> = {};
    for (const r of BAD_REASONS) {
      const d = this.detailsByReason.get(r);
      if (d?.length) out[r] = [...d];
    }
    return out;
  }

  toJSON(): BadSampleReport {
    return { total: this.total, counts: this.counts(), examples: this.examples() };
  }

  /** Rebuilds an accounting object from its JSON form (e.g. a stored manifest's report). */
  static fromJSON(report: BadSampleReport, maxExamples = 5): BadSamples {
    const b = new BadSamples(maxExamples);
    b.merge(report);
    return b;
  }

  /** "corrupt-image 3, empty-caption 1" (or "none"). */
  summary(): string {
    const parts = Object.entries(this.counts()).map(([r, n]) => `${r} ${n}`);
    return parts.length ? parts.join(", ") : "none";
  }

  /** Multi-line report for the end of a build or run. */
  format(seen: number, what: string): string {
    const total = this.total;
    if (total === 0) return `${what}: ${seen} samples, none skipped`;
    const lines = [`${what}: skipped ${total} of ${seen} samples (${pct(total, seen)})`];
    const examples = this.examples();
    for (const [reason, n] of Object.entries(this.counts())) {
      const ex = examples[reason]?.length ? `  e.g. ${examples[reason]!.join("; ")}` : "";
      lines.push(`  ${reason.padEnd(19)} ${String(n).padStart(7)}${ex}`);
    }
    return lines.join("\n");
  }

  /**
   * Throws `TooManyBadSamplesError` when bad / seen exceeds `fraction`.
   * @param seen every sample looked at, the bad ones included.
   * @param what the dataset (a path or name) for the message.
   */
  assertBelow(fraction: number, seen: number, what: string): void {
    const total = this.total;
    if (total === 0 || total <= fraction * seen) return;
    throw new TooManyBadSamplesError(
      `${what}: ${total} of ${seen} samples are bad (${pct(total, seen)} > ${(100 * fraction).toFixed(1)}% allowed): ` +
        `${this.summary()}. Fix or remove those files, or raise ${MAX_BAD_FRACTION_FLAG} ` +
        `(now ${fraction}) to skip them.`,
      this.toJSON(),
    );
  }
}

function pct(a: number, b: number): string {
  return `${((100 * a) / Math.max(1, b)).toFixed(1)}%`;
}
