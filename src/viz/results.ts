/**
 * Sweep results (the JSONL lines `clipdown sweep` appends, see sweep/results.ts) as tables and
 * as the papers' line figures: one line per group (e.g. model size), x = samples seen or GFLOPs,
 * y = a metric averaged over seeds with a ± one standard deviation band.
 */

import type { Json } from "../sweep/spec";
import { meanStd as meanStdOf } from "../util/stats";
import type { LineSeries } from "./charts";
import { makeTable, type Row, type Table } from "./table";

/** What the viz needs of a result line (structurally a subset of experiments' `ResultLine`). */
export interface ResultRecord {
  hash: string;
  spec: { kind: string; [field: string]: Json };
  metrics: Record<string, number>;
  samples?: number;
  flops?: number;
  wallSeconds?: number;
}

/** Mean, sample standard deviation (n − 1; 0 for one value) and count of finite values. */
export function meanStd(values: ReadonlyArray<number>): { mean: number; std: number; n: number } {
  return meanStdOf(values.filter((x) => Number.isFinite(x)));
}

/**
 * Lines for `lineChart`: records grouped by `group`, then by `x`; each point is the mean of `y`
 * over the records sharing (group, x) — typically the seeds — with `err` = their standard deviation.
 * Records where `y` is undefined (metric not measured) are left out. Groups keep first-seen order
 * unless `order` is given; points are sorted by x.
 */
export function seriesBy(
  records: ReadonlyArray<ResultRecord>,
  opts: {
    x: (r: ResultRecord) => number;
    y: (r: ResultRecord) => number | undefined;
    group: (r: ResultRecord) => string;
    order?: string[];
  },
): LineSeries[] {
  const groups = new Map<string, Map<number, number[]>>();
  for (const r of records) {
    const y = opts.y(r);
    if (y === undefined || !Number.isFinite(y)) continue;
    const g = opts.group(r);
    const x = opts.x(r);
    if (!groups.has(g)) groups.set(g, new Map());
    const byX = groups.get(g)!;
    if (!byX.has(x)) byX.set(x, []);
    byX.get(x)!.push(y);
  }
  const names = opts.order ? opts.order.filter((g) => groups.has(g)) : [...groups.keys()];
  return names.map((name) => {
    const pts = [...groups.get(name)!].sort((a, b) => a[0] - b[0]);
    const stats = pts.map(([, ys]) => meanStd(ys));
    return { name, x: pts.map(([x]) => x), y: stats.map((s) => s.mean), err: stats.map((s) => s.std) };
  });
}

/** The spec fields whose value differs between records (what distinguishes the runs). */
export function varyingFields(records: ReadonlyArray<ResultRecord>): string[] {
  const names = [...new Set(records.flatMap((r) => Object.keys(r.spec)))];
  return names.filter((f) => new Set(records.map((r) => JSON.stringify(r.spec[f] ?? null))).size > 1);
}

/**
 * One row per run: the varying spec fields, the chosen metrics (default all, headline ones first),
 * samples seen, GFLOPs and wall time.
 */
export function resultsTable(
  records: ReadonlyArray<ResultRecord>,
  opts: { metrics?: string[]; title?: string; decimals?: number } = {},
): Table {
  // The spec's `samples` is the budget, shown once as the samples-seen column.
  const tail = ["samples", "GFLOPs", "wall s"];
  const fields = varyingFields(records).filter((f) => !tail.includes(f));
  const headline = [
    "heldout-emoji-441/acc1",
    "heldout-emoji-441/acc5",
    "heldout-noto/text_retrieval_recall@1",
    "heldout-noto/image_retrieval_recall@1",
    "lp_acc",
    "loss",
  ];
  const all = [...new Set(records.flatMap((r) => Object.keys(r.metrics)))];
  const metrics = (
    opts.metrics ?? [
      ...headline.filter((m) => all.includes(m)),
      ...all.filter((m) => !headline.includes(m)).sort(),
    ]
  ).filter((m) => !tail.includes(m) && !fields.includes(m));
  const rows: Row[] = records.map((r) => {
    const row: Row = {};
    for (const f of fields) {
      const v = r.spec[f];
      row[f] = v === undefined || v === null ? null : typeof v === "object" ? JSON.stringify(v) : v;
    }
    for (const m of metrics) row[m] = r.metrics[m] ?? null;
    row.samples = r.samples ?? null;
    row.GFLOPs = r.flops !== undefined ? r.flops / 1e9 : null;
    row["wall s"] = r.wallSeconds ?? null;
    return row;
  });
  return makeTable(rows, {
    columns: [...fields, ...metrics, ...tail],
    decimals: Object.fromEntries([
      ...metrics.map((m) => [m, opts.decimals ?? 3]),
      ["wall s", 1],
      ["GFLOPs", 1],
    ]),
    ...(opts.title ? { title: opts.title } : {}),
  });
}
