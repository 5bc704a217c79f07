/**
 * Sweep results for notebooks and reports: each finished run appends one JSON line to
 * `<root>/<section>-<profile>.jsonl` (spec, metrics, samples seen, FLOPs, wall time, provenance), so
 * results load without re-running anything; and the plain-text table `clipdown sweep` prints.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  HELDOUT_ACC1,
  HELDOUT_ACC5,
  heldoutImageRecall,
  heldoutTextRecall,
  migrateMetricNames,
} from "../util/metric-names";
import { appendLine } from "./atomic";
import type { RunResult } from "./run-dir";
import type { Json } from "./spec";
import { DEFAULT_ROOT } from "./sweep";

/** One line of a sweep's JSONL: a run's result.json plus where it sits in the sweep. */
export interface ResultLine extends RunResult {
  profile: string;
  index: number;
  /** The run's labels in the sweep that made (or, for published lines, reads) it; see RunLabels. */
  labels?: Record<string, string[]>;
}

/** `line` with the labels `run` has in the current sweep (none: the line as it is). */
export function withLabels<L extends ResultLine>(line: L, labels: Record<string, string[]> | undefined): L {
  return labels && Object.keys(labels).length ? { ...line, labels } : line;
}

/** The one value of label `key` on a line (undefined when it has none; the first when it has several). */
export function labelOf(line: { labels?: Record<string, string[]> }, key: string): string | undefined {
  return line.labels?.[key]?.[0];
}

/** True when the line was given `value` under `key` (a run shared by two grids has both). */
export function hasLabel(line: { labels?: Record<string, string[]> }, key: string, value: string): boolean {
  return line.labels?.[key]?.includes(value) ?? false;
}

export function appendResult(file: string, line: ResultLine): void {
  appendLine(file, JSON.stringify(line));
}

export interface LoadedResults {
  /** One record per run hash (the last line wins when a run was redone), in first-seen order. */
  records: ResultLine[];
  /** Lines that were not valid JSON results (e.g. a line cut short by a crash), skipped. */
  skipped: Array<{ line: number; reason: string }>;
}

/** Reads a sweep JSONL file; a missing file is an empty result, a malformed line is skipped and counted. */
export function loadResultsFile(file: string): LoadedResults {
  const out: LoadedResults = { records: [], skipped: [] };
  if (!fs.existsSync(file)) return out;
  const byHash = new Map<string, ResultLine>();
  fs.readFileSync(file, "utf8")
    .split("\n")
    .forEach((text, i) => {
      if (!text.trim()) return;
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch (e) {
        out.skipped.push({ line: i + 1, reason: (e as Error).message });
        return;
      }
      const r = v as Partial<ResultLine>;
      if (!r || typeof r.hash !== "string" || !r.spec || !r.metrics) {
        out.skipped.push({ line: i + 1, reason: "not a result line (hash, spec and metrics expected)" });
        return;
      }
      byHash.delete(r.hash);
      // Lines written before the `<dataset>/<metric>` names hold the older flat keys.
      byHash.set(r.hash, { ...(r as ResultLine), metrics: migrateMetricNames(r.metrics) });
    });
  out.records = [...byHash.values()];
  return out;
}

/** The results of `clipdown sweep <section> --profile <profile>` so far (nothing is run). */
export function loadSweepResults(
  section: string,
  profile: string,
  root: string = DEFAULT_ROOT,
): ResultLine[] {
  return loadResultsFile(path.join(root, `${section}-${profile}.jsonl`)).records;
}

// ── tables ──────────────────────────────────────────────────────────────────────────────────────

export interface TableRow {
  index: number;
  hash: string;
  status: string;
  fields: Record<string, Json>;
  metrics: Record<string, number>;
  samples?: number;
  flops?: number;
  wallSeconds?: number;
}

/** Metrics shown first when present (the paper's headline numbers), then the rest alphabetically. */
const METRIC_ORDER = [
  HELDOUT_ACC1,
  HELDOUT_ACC5,
  heldoutTextRecall(1),
  heldoutImageRecall(1),
  "lp_acc",
  "loss",
];

function fmt(v: Json | undefined): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "number") {
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : v.toFixed(a >= 100 ? 1 : 4);
  }
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

/**
 * Renders rows as an aligned text table. Spec fields that are the same for every row are left out
 * (they are listed once above the table), so each row shows what distinguishes that run.
 */
export function formatTable(rows: TableRow[], opts: { maxMetrics?: number } = {}): string {
  if (!rows.length) return "(no runs)";
  const fieldNames = [...new Set(rows.flatMap((r) => Object.keys(r.fields)))];
  const varying = fieldNames.filter((f) => new Set(rows.map((r) => JSON.stringify(r.fields[f]))).size > 1);
  const constant = fieldNames.filter((f) => !varying.includes(f));
  const metricNames = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))].sort((a, b) => {
    const ia = METRIC_ORDER.indexOf(a);
    const ib = METRIC_ORDER.indexOf(b);
    if (ia >= 0 || ib >= 0) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    return a.localeCompare(b);
  });
  const metrics = metricNames.slice(0, opts.maxMetrics ?? 8);
  const header = ["#", "run", "status", ...varying, ...metrics, "samples", "GFLOPs", "wall s"];
  const body = rows.map((r) => [
    String(r.index),
    r.hash.slice(0, 8),
    r.status,
    ...varying.map((f) => fmt(r.fields[f])),
    ...metrics.map((m) => fmt(r.metrics[m])),
    r.samples === undefined ? "" : String(r.samples),
    r.flops === undefined ? "" : (r.flops / 1e9).toExponential(2),
    r.wallSeconds === undefined ? "" : r.wallSeconds.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < 3 + varying.length && i !== 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  const common = constant.length
    ? `all runs: ${constant.map((f) => `${f}=${fmt(rows[0]!.fields[f])}`).join(" ")}\n`
    : "";
  const hidden =
    metricNames.length > metrics.length
      ? `\n(${metricNames.length - metrics.length} more metrics in the JSONL: ${metricNames.slice(metrics.length).join(", ")})`
      : "";
  return `${common}${line(header)}\n${body.map(line).join("\n")}${hidden}`;
}
