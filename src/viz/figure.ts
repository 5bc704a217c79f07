/**
 * Plotly figure specs as plain JSON data: what the builders return, what `show` sends to a
 * notebook and what `writeReport` embeds. Nothing here touches a DOM or plotly.js, so figures
 * can be built, tested and saved anywhere (the JSON is exactly what `Plotly.newPlot` takes).
 */

/** One Plotly trace (`{type: "scatter", x, y, …}`); the fields are Plotly's own. */
export interface Trace {
  type: string;
  [field: string]: unknown;
}

/** Plotly layout (`{title, xaxis, yaxis, …}`). */
export type Layout = Record<string, unknown>;

/** A complete figure: `Plotly.newPlot(div, fig.data, fig.layout, fig.config)`. */
export interface Figure {
  data: Trace[];
  layout: Layout;
  config?: Record<string, unknown>;
}

/** Common options of the builders. */
export interface AxesOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  /** Logarithmic x axis (e.g. samples seen or GFLOPs, as the papers plot them). */
  logX?: boolean;
  logY?: boolean;
  /** Fixed y range, e.g. [0, 1] for accuracies. */
  yRange?: [number, number];
  /** Pixel height of the figure (width follows the page). */
  height?: number;
  /**
   * The chance level in the y axis's units: drawn as a dashed grey line across the whole plot and
   * labelled `chanceLabel` (default "chance"), so a reader sees how far above chance a result is.
   * Several levels (top-1 and top-5 on one chart) are a list of `{ y, label }`.
   */
  chance?: number | ReadonlyArray<{ y: number; label: string }>;
  chanceLabel?: string;
}

/** Plotly's default qualitative palette (D3 category10), so lines and their bands match. */
export const PALETTE = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
] as const;

/** Colour of the i-th series (cycles through PALETTE). */
export function seriesColor(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
}

/** `#rrggbb` → `rgba(r,g,b,alpha)` (error bands are the line's colour, translucent). */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`withAlpha: expected a colour like #1f77b4, got ${JSON.stringify(hex)}`);
  const [r, g, b] = [m[1]!, m[2]!, m[3]!].map((h) => Number.parseInt(h, 16));
  return `rgba(${r},${g},${b},${alpha})`;
}

/** The layout fields every builder shares: title, axis titles and types, margins, height. */
export function baseLayout(o: AxesOptions): Layout {
  const layout: Layout = {
    margin: { l: 60, r: 20, t: o.title ? 50 : 20, b: 50 },
    xaxis: axis(o.xTitle, o.logX),
    yaxis: { ...axis(o.yTitle, o.logY), ...(o.yRange ? { range: o.yRange } : {}) },
    legend: { orientation: "v" },
  };
  if (o.title) layout.title = { text: o.title };
  if (o.height) layout.height = o.height;
  if (o.chance !== undefined) {
    const levels =
      typeof o.chance === "number" ? [{ y: o.chance, label: o.chanceLabel ?? "chance" }] : o.chance;
    const line = { color: "#888", dash: "dash", width: 1.5 };
    layout.shapes = [];
    layout.annotations = [];
    for (const c of levels) {
      if (!Number.isFinite(c.y)) throw new Error(`chance must be a finite number, got ${c.y}`);
      // Plotly places shapes and annotations on a log axis by the log10 of the value.
      const y = o.logY ? Math.log10(c.y) : c.y;
      // xref "paper" spans the plot whatever the x axis (log, categories); yref "y" follows the data.
      (layout.shapes as unknown[]).push({
        type: "line",
        xref: "paper",
        x0: 0,
        x1: 1,
        yref: "y",
        y0: y,
        y1: y,
        line,
      });
      (layout.annotations as unknown[]).push({
        xref: "paper",
        x: 1,
        xanchor: "right",
        yref: "y",
        y,
        yanchor: "bottom",
        text: c.label,
        showarrow: false,
        font: { color: "#666", size: 11 },
      });
    }
  }
  return layout;
}

function axis(title: string | undefined, log: boolean | undefined): Record<string, unknown> {
  return { ...(title ? { title: { text: title } } : {}), ...(log ? { type: "log" } : {}), automargin: true };
}

/** Throws unless every array has the same length (a mismatched series is always a caller bug). */
export function checkLengths(what: string, arrays: Record<string, ArrayLike<unknown> | undefined>): number {
  let n: number | undefined;
  for (const a of Object.values(arrays)) {
    if (!a) continue;
    if (n === undefined) n = a.length;
    else if (a.length !== n) {
      const sizes = Object.entries(arrays)
        .filter(([, v]) => v)
        .map(([k, v]) => `${k}=${v!.length}`)
        .join(", ");
      throw new Error(`${what}: arrays must have equal lengths, got ${sizes}`);
    }
  }
  return n ?? 0;
}

/** A short human description of a figure (its `text/plain` form). */
export function describeFigure(fig: Figure): string {
  const title = titleOf(fig.layout);
  const counts = new Map<string, number>();
  for (const t of fig.data) counts.set(t.type, (counts.get(t.type) ?? 0) + 1);
  const kinds = [...counts].map(([k, n]) => `${n} ${k}`).join(", ");
  return `<Plotly figure${title ? ` "${title}"` : ""}: ${kinds || "no traces"}>`;
}

/** The figure's title text, if any. */
export function titleOf(layout: Layout): string | undefined {
  const t = layout.title;
  if (typeof t === "string") return t;
  if (t && typeof t === "object" && typeof (t as { text?: unknown }).text === "string")
    return (t as { text: string }).text;
  return undefined;
}
