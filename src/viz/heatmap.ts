/**
 * Heatmaps (similarity matrices, accuracy grids) and `subplots`, which places several one-panel
 * figures side by side (e.g. the image–text similarity before and after training on one colour
 * scale).
 */
import { type AxesOptions, baseLayout, type Figure, type Layout, type Trace, titleOf } from "./figure";

/** A row-major matrix: `rows` arrays of equal length, or packed values with a shape. */
export type Matrix =
  | ReadonlyArray<ReadonlyArray<number>>
  | { data: ArrayLike<number>; rows: number; cols: number };

export interface HeatmapOptions extends AxesOptions {
  /** Column labels (x, left to right) and row labels (y, top to bottom); duplicates are fine. */
  xLabels?: ReadonlyArray<string>;
  yLabels?: ReadonlyArray<string>;
  /** Plotly colour scale name (default "Viridis"; "RdBu" suits signed similarities). */
  colorscale?: string;
  zmin?: number;
  zmax?: number;
  /** Writes each cell's value with this many decimals (omit for no text). */
  decimals?: number;
  /** Label of the colour bar. */
  zTitle?: string;
}

/** Matrix → plain nested arrays, checking that every row has the same length. */
export function toRows(m: Matrix): number[][] {
  if ("data" in m) {
    if (m.data.length !== m.rows * m.cols) {
      throw new Error(`heatmap: ${m.data.length} values for a ${m.rows}×${m.cols} matrix`);
    }
    return Array.from({ length: m.rows }, (_, r) =>
      Array.from({ length: m.cols }, (_, c) => Number(m.data[r * m.cols + c])),
    );
  }
  const cols = m[0]?.length ?? 0;
  m.forEach((row, r) => {
    if (row.length !== cols) throw new Error(`heatmap: row ${r} has ${row.length} values, row 0 has ${cols}`);
  });
  return m.map((row) => [...row]);
}

/**
 * A heatmap with row 0 at the top (like a printed matrix). Cells are placed at integer positions
 * and labelled through tick text, because Plotly would merge duplicate category labels (two
 * captions that read the same) into one row.
 */
export function heatmap(matrix: Matrix, opts: HeatmapOptions = {}): Figure {
  const z = toRows(matrix);
  const rows = z.length;
  const cols = z[0]?.length ?? 0;
  for (const [name, labels, n] of [
    ["xLabels", opts.xLabels, cols],
    ["yLabels", opts.yLabels, rows],
  ] as const) {
    if (labels && labels.length !== n)
      throw new Error(`heatmap: ${name} has ${labels.length} labels for ${n} cells`);
  }
  const xs = Array.from({ length: cols }, (_, i) => i);
  const ys = Array.from({ length: rows }, (_, i) => i);
  const trace: Trace = {
    type: "heatmap",
    z,
    x: xs,
    y: ys,
    colorscale: opts.colorscale ?? "Viridis",
    ...(opts.zmin !== undefined ? { zmin: opts.zmin } : {}),
    ...(opts.zmax !== undefined ? { zmax: opts.zmax } : {}),
    ...(opts.zTitle ? { colorbar: { title: { text: opts.zTitle } } } : {}),
    ...(opts.decimals !== undefined ? { texttemplate: `%{z:.${opts.decimals}f}` } : {}),
  };
  if (opts.xLabels || opts.yLabels) {
    trace.text = ys.map((r) => xs.map((c) => `${opts.yLabels?.[r] ?? r} · ${opts.xLabels?.[c] ?? c}`));
    trace.hovertemplate = "%{text}<br>%{z:.3f}<extra></extra>";
  }
  const layout = baseLayout(opts);
  layout.xaxis = { ...(layout.xaxis as object), ...ticks(opts.xLabels), tickangle: opts.xLabels ? -45 : 0 };
  layout.yaxis = { ...(layout.yaxis as object), ...ticks(opts.yLabels), autorange: "reversed" };
  return { data: [trace], layout };
}

function ticks(labels: ReadonlyArray<string> | undefined): Record<string, unknown> {
  if (!labels) return {};
  return { tickmode: "array", tickvals: labels.map((_, i) => i), ticktext: [...labels] };
}

export interface SubplotOptions {
  /** Panels per row (default: all in one row). */
  columns?: number;
  title?: string;
  height?: number;
  /** Put every heatmap on one colour axis (one colour bar, comparable colours). */
  shareColors?: boolean;
  /** Gap between panels as a fraction of the figure (default 0.08). */
  gap?: number;
}

/**
 * Places one-panel figures in a grid: panel k's traces move to axes x{k+1}/y{k+1}, its axis
 * settings are kept, and its title becomes an annotation above the panel.
 */
export function subplots(panels: Figure[], opts: SubplotOptions = {}): Figure {
  if (!panels.length) throw new Error("subplots: no panels given");
  const columns = Math.max(1, Math.min(opts.columns ?? panels.length, panels.length));
  const rows = Math.ceil(panels.length / columns);
  const gap = opts.gap ?? 0.08;
  const data: Trace[] = [];
  const layout: Layout = {
    margin: { l: 60, r: 20, t: opts.title ? 80 : 40, b: 50 },
    annotations: [] as unknown[],
    showlegend: panels.some((p) => p.data.some((t) => t.showlegend !== false && t.type !== "heatmap")),
  };
  if (opts.title) layout.title = { text: opts.title };
  if (opts.height) layout.height = opts.height;
  const allHeatmaps = panels.every((p) => p.data.every((t) => t.type === "heatmap"));
  panels.forEach((panel, k) => {
    for (const t of panel.data) {
      if ((t.xaxis && t.xaxis !== "x") || (t.yaxis && t.yaxis !== "y")) {
        throw new Error(
          `subplots: panel ${k} already uses several axes; only one-panel figures can be combined`,
        );
      }
    }
    const suffix = k === 0 ? "" : String(k + 1);
    const col = k % columns;
    const row = Math.floor(k / columns);
    const xDomain = [
      col / columns + (col > 0 ? gap / 2 : 0),
      (col + 1) / columns - (col < columns - 1 ? gap / 2 : 0),
    ];
    const yDomain = [
      1 - (row + 1) / rows + (row < rows - 1 ? gap / 2 : 0),
      1 - row / rows - (row > 0 ? gap / 2 : 0),
    ];
    for (const t of panel.data) {
      const moved: Trace = { ...t, xaxis: `x${suffix}`, yaxis: `y${suffix}` };
      if (opts.shareColors && allHeatmaps) {
        for (const f of ["colorscale", "zmin", "zmax", "colorbar"]) delete moved[f];
        moved.coloraxis = "coloraxis";
      }
      data.push(moved);
    }
    const px = (panel.layout.xaxis ?? {}) as object;
    const py = (panel.layout.yaxis ?? {}) as object;
    layout[`xaxis${suffix}`] = { ...px, domain: xDomain, anchor: `y${suffix}` };
    layout[`yaxis${suffix}`] = { ...py, domain: yDomain, anchor: `x${suffix}` };
    const title = titleOf(panel.layout);
    if (title) {
      (layout.annotations as unknown[]).push({
        text: title,
        x: (xDomain[0]! + xDomain[1]!) / 2,
        y: yDomain[1],
        xref: "paper",
        yref: "paper",
        xanchor: "center",
        yanchor: "bottom",
        showarrow: false,
        font: { size: 14 },
      });
    }
  });
  if (opts.shareColors && allHeatmaps) {
    const first = panels[0]!.data[0]!;
    layout.coloraxis = {
      colorscale: first.colorscale ?? "Viridis",
      ...(first.zmin !== undefined ? { cmin: first.zmin } : {}),
      ...(first.zmax !== undefined ? { cmax: first.zmax } : {}),
      ...(first.colorbar ? { colorbar: first.colorbar } : {}),
    };
  }
  return { data, layout };
}
