/**
 * Builders for the papers' chart types: lines with error bands (accuracy vs samples seen / GFLOPs,
 * loss curves), scatter plots (accuracy vs compute, one point per run) and grouped bars (strategy
 * × model size). Each returns a plain Plotly `Figure`; nothing is drawn here.
 */
import {
  type AxesOptions,
  baseLayout,
  checkLengths,
  type Figure,
  seriesColor,
  type Trace,
  withAlpha,
} from "./figure";

/** One line: `y[i]` at `x[i]`, with an optional band (± `err[i]`, or explicit lower/upper). */
export interface LineSeries {
  name: string;
  x: ReadonlyArray<number | string>;
  y: ReadonlyArray<number>;
  /** Symmetric half-width of the band (e.g. the std over seeds). */
  err?: ReadonlyArray<number>;
  /** Explicit band edges (e.g. min/max over seeds); wins over `err`. */
  lower?: ReadonlyArray<number>;
  upper?: ReadonlyArray<number>;
  /** Marker + line (default) or line only. */
  markers?: boolean;
  dash?: "solid" | "dash" | "dot" | "dashdot";
  /** Override the palette colour (`#rrggbb`). */
  color?: string;
}

/**
 * Lines with translucent error bands. Each band is drawn as a closed polygon (x forward along the
 * upper edge, back along the lower edge, `fill: "toself"`) before its line, in the line's colour
 * and legend group, so toggling a series in the legend hides both.
 */
export function lineChart(series: LineSeries[], opts: AxesOptions = {}): Figure {
  const data: Trace[] = [];
  series.forEach((s, i) => {
    const n = checkLengths(`lineChart series "${s.name}"`, {
      x: s.x,
      y: s.y,
      err: s.err,
      lower: s.lower,
      upper: s.upper,
    });
    const color = s.color ?? seriesColor(i);
    const band = bandEdges(s, n);
    if (band) {
      data.push({
        type: "scatter",
        mode: "lines",
        name: `${s.name} band`,
        x: [...s.x, ...[...s.x].reverse()],
        y: [...band.upper, ...[...band.lower].reverse()],
        fill: "toself",
        fillcolor: withAlpha(color, 0.2),
        line: { width: 0, color },
        hoverinfo: "skip",
        showlegend: false,
        legendgroup: s.name,
      });
    }
    data.push({
      type: "scatter",
      mode: s.markers === false ? "lines" : "lines+markers",
      name: s.name,
      x: [...s.x],
      y: [...s.y],
      line: { color, ...(s.dash && s.dash !== "solid" ? { dash: s.dash } : {}) },
      legendgroup: s.name,
    });
  });
  return { data, layout: baseLayout(opts) };
}

function bandEdges(s: LineSeries, n: number): { lower: number[]; upper: number[] } | undefined {
  if (s.lower && s.upper) return { lower: [...s.lower], upper: [...s.upper] };
  if (s.lower || s.upper) throw new Error(`lineChart series "${s.name}": give both lower and upper, or err`);
  if (!s.err) return undefined;
  const err = s.err;
  return {
    lower: Array.from({ length: n }, (_, i) => s.y[i]! - err[i]!),
    upper: Array.from({ length: n }, (_, i) => s.y[i]! + err[i]!),
  };
}

/** One group of points, e.g. the runs of one model family. */
export interface ScatterSeries {
  name: string;
  x: ReadonlyArray<number>;
  y: ReadonlyArray<number>;
  /** Hover text per point (e.g. the run's name); also drawn next to it with `labels: true`. */
  text?: ReadonlyArray<string>;
  /** Marker diameter in pixels (default 9). */
  size?: number;
  symbol?: string;
  color?: string;
}

/** Points, one trace per series; `labels` writes each point's text beside it. */
export function scatterChart(series: ScatterSeries[], opts: AxesOptions & { labels?: boolean } = {}): Figure {
  const data: Trace[] = series.map((s, i) => {
    checkLengths(`scatterChart series "${s.name}"`, { x: s.x, y: s.y, text: s.text });
    return {
      type: "scatter",
      mode: opts.labels && s.text ? "markers+text" : "markers",
      name: s.name,
      x: [...s.x],
      y: [...s.y],
      ...(s.text ? { text: [...s.text] } : {}),
      ...(opts.labels && s.text ? { textposition: "top center" } : {}),
      marker: {
        size: s.size ?? 9,
        color: s.color ?? seriesColor(i),
        ...(s.symbol ? { symbol: s.symbol } : {}),
      },
    };
  });
  return { data, layout: baseLayout(opts) };
}

/** One bar per category for each series, side by side; `err` draws error bars. */
export interface BarSeries {
  name: string;
  values: ReadonlyArray<number>;
  err?: ReadonlyArray<number>;
  color?: string;
}

/** Grouped bars: categories along x, one coloured bar per series within each category. */
export function groupedBars(
  categories: ReadonlyArray<string>,
  series: BarSeries[],
  opts: AxesOptions = {},
): Figure {
  const data: Trace[] = series.map((s, i) => {
    const n = checkLengths(`groupedBars series "${s.name}"`, { values: s.values, err: s.err });
    if (n !== categories.length) {
      throw new Error(
        `groupedBars series "${s.name}": ${n} values for ${categories.length} categories (${categories.join(", ")})`,
      );
    }
    return {
      type: "bar",
      name: s.name,
      x: [...categories],
      y: [...s.values],
      marker: { color: s.color ?? seriesColor(i) },
      ...(s.err ? { error_y: { type: "data", array: [...s.err], visible: true } } : {}),
    };
  });
  return { data, layout: { ...baseLayout(opts), barmode: "group" } };
}
