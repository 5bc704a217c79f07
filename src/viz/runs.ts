/**
 * Figures and tables from training run directories (`config.json`, `metrics.jsonl`, `eval.json`
 * as `clipdown train` writes them): loss curves, held-out metrics over training, a summary table.
 * Used by the quickstart report, `clipdown report` and the notebooks.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readMetrics } from "../train/metrics";
import { type LineSeries, lineChart } from "./charts";
import type { AxesOptions, Figure } from "./figure";
import { makeTable, type Row, type Table } from "./table";

/** What a run directory holds, parsed. */
export interface RunLog {
  dir: string;
  /** Display name (the directory's base name unless given). */
  name: string;
  config?: Record<string, unknown>;
  /** Training log lines (one per logged step), in order. */
  steps: Array<{ step: number; samples: number; loss: number } & Record<string, unknown>>;
  /** Held-out evaluations (`eval: true` lines), in order. */
  evals: Array<{ step: number; samples: number } & Record<string, number>>;
  finished: boolean;
}

/** Reads a run directory; a missing metrics file is an error naming the directory. */
export function readRunLog(dir: string, name = path.basename(path.resolve(dir))): RunLog {
  const metricsFile = path.join(dir, "metrics.jsonl");
  if (!fs.existsSync(metricsFile)) {
    throw new Error(`${dir}: no metrics.jsonl; is it a run directory written by clipdown train?`);
  }
  const configFile = path.join(dir, "config.json");
  const config = fs.existsSync(configFile)
    ? (JSON.parse(fs.readFileSync(configFile, "utf8")) as Record<string, unknown>)
    : undefined;
  const steps: RunLog["steps"] = [];
  const evals: RunLog["evals"] = [];
  for (const rec of readMetrics(metricsFile)) {
    if (rec.eval) {
      const numeric = Object.fromEntries(Object.entries(rec).filter(([, v]) => typeof v === "number"));
      evals.push(numeric as RunLog["evals"][number]);
    } else if (typeof rec.loss === "number") {
      steps.push(rec as RunLog["steps"][number]);
    }
  }
  return { dir, name, config, steps, evals, finished: fs.existsSync(path.join(dir, "final.safetensors")) };
}

/** x values of a run's records: samples seen (the papers' axis) or optimiser steps. */
export type RunAxis = "samples" | "step";

function axisTitle(x: RunAxis): string {
  return x === "samples" ? "samples seen" : "step";
}

/** Training loss against samples seen (or steps), one line per run. */
export function lossFigure(runs: RunLog[], opts: AxesOptions & { x?: RunAxis } = {}): Figure {
  const x = opts.x ?? "samples";
  const series: LineSeries[] = runs.map((r) => ({
    name: r.name,
    x: r.steps.map((s) => s[x]),
    y: r.steps.map((s) => s.loss),
    markers: false,
  }));
  return lineChart(series, { title: "Training loss", xTitle: axisTitle(x), yTitle: "loss", ...opts });
}

/** Held-out metrics (e.g. `heldout-emoji-441/acc1`) against samples seen, one line per run × metric. */
export function evalFigure(
  runs: RunLog[],
  keys: string[],
  opts: AxesOptions & { x?: RunAxis; labels?: Record<string, string> } = {},
): Figure {
  const x = opts.x ?? "samples";
  const series = metricSeries(runs, keys, (r) => r.evals, x, opts.labels);
  const fig = lineChart(series, {
    title: "Held-out evaluation during training",
    xTitle: axisTitle(x),
    yTitle: "score",
    ...(typeof opts.chance === "number"
      ? { chanceLabel: `chance (${(100 * opts.chance).toFixed(1)} %)` }
      : {}),
    ...opts,
  });
  // Small models score near chance: autoscale from zero rather than squash the lines into [0, 1].
  if (!opts.yRange) fig.layout.yaxis = { ...(fig.layout.yaxis as object), rangemode: "tozero" };
  return fig;
}

/** One line per run × metric over the records `of` picks (evals or training-log steps); absent metrics skipped. */
function metricSeries(
  runs: RunLog[],
  keys: string[],
  of: (r: RunLog) => ReadonlyArray<Record<string, unknown>>,
  x: RunAxis,
  labels: Record<string, string> = {},
): LineSeries[] {
  const series: LineSeries[] = [];
  for (const r of runs) {
    for (const k of keys) {
      const pts = of(r).filter((e) => typeof e[k] === "number");
      if (!pts.length) continue;
      const label = labels[k] ?? k;
      series.push({
        name: runs.length > 1 ? `${r.name} ${label}` : label,
        x: pts.map((e) => e[x] as number),
        y: pts.map((e) => e[k] as number),
      });
    }
  }
  return series;
}

/** Training-log metrics (e.g. `logit_scale`, `i2t_acc`) against samples seen, one line per run × metric. */
export function stepFigure(
  runs: RunLog[],
  keys: string[],
  opts: AxesOptions & { x?: RunAxis; labels?: Record<string, string> } = {},
): Figure {
  const x = opts.x ?? "samples";
  const series = metricSeries(runs, keys, (r) => r.steps, x, opts.labels).map((s) => ({
    ...s,
    markers: false,
  }));
  return lineChart(series, { title: "Training log", xTitle: axisTitle(x), yTitle: "value", ...opts });
}

/** One row per run: model, strategy, samples, final loss and the last evaluation's `keys`. */
export function runsTable(runs: RunLog[], keys: string[], opts: { title?: string } = {}): Table {
  const rows: Row[] = runs.map((r) => {
    const last = r.evals[r.evals.length - 1];
    const lastStep = r.steps[r.steps.length - 1];
    const row: Row = {
      run: r.name,
      model: typeof r.config?.model === "string" ? r.config.model : null,
      strategy: typeof r.config?.strategy === "string" ? r.config.strategy : null,
      samples: lastStep?.samples ?? null,
      "final loss": lastStep?.loss ?? null,
      finished: r.finished,
    };
    for (const k of keys) row[k] = last?.[k] ?? null;
    return row;
  });
  return makeTable(rows, {
    columns: ["run", "model", "strategy", "samples", "final loss", "finished", ...keys],
    decimals: Object.fromEntries([["final loss", 3], ...keys.map((k) => [k, 3])]),
    ...(opts.title ? { title: opts.title } : {}),
  });
}

/** The numeric eval keys present in any run, in a stable order (zero-shot first, then retrieval). */
export function evalKeys(runs: RunLog[]): string[] {
  const keys = new Set<string>();
  for (const r of runs) for (const e of r.evals) for (const k of Object.keys(e)) keys.add(k);
  keys.delete("step");
  keys.delete("samples");
  const rank = (k: string) =>
    k.startsWith("zs_") ? 0 : k.startsWith("i2t_") ? 1 : k.startsWith("t2i_") ? 2 : 3;
  return [...keys].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
