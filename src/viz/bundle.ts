/**
 * A figure as one Jupyter MIME bundle:
 *  - `application/vnd.plotly.v1+json`: the figure JSON, drawn natively by JupyterLab with the
 *    plotly renderer extension (and by VS Code);
 *  - `text/html`: a div plus a script calling `Plotly.newPlot`, for classic Notebook, JupyterLab
 *    without the extension and `nbconvert --to html` (which ignore the JSON type). The first
 *    figure of a kernel session also carries plotly.js itself, inlined, so saved notebooks and
 *    their HTML export draw offline;
 *  - `text/plain`: a one-line description for consoles and text-only front ends.
 */
import { randomBytes } from "node:crypto";
import { describeFigure, type Figure } from "./figure";
import { escapeScriptText, plotlyLibrary, scriptJson } from "./plotly-lib";

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** MIME type → payload, as in a Jupyter `display_data` message. */
export type MimeBundle = Record<string, unknown>;

/** Plotly config used unless the figure sets its own fields. */
export const DEFAULT_CONFIG = { responsive: true, displaylogo: false } as const;

/**
 * Deep copy that is valid JSON: typed arrays become arrays, non-finite numbers become null
 * (Plotly's "gap"), as `JSON.stringify` alone would turn a Float32Array into an object.
 */
export function plainFigure(fig: Figure): Figure {
  return JSON.parse(
    JSON.stringify(fig, (_key, value) => (ArrayBuffer.isView(value) ? Array.from(value as never) : value)),
  ) as Figure;
}

/** A fresh element id, unique across kernel sessions so re-run cells never collide on a page. */
export function newFigureId(): string {
  return `clipdown-fig-${randomBytes(6).toString("hex")}`;
}

/** `<script>` element with plotly.js inlined (escaped). */
export function plotlyScriptTag(): string {
  return `<script type="text/javascript">${escapeScriptText(plotlyLibrary().source)}</script>`;
}

/**
 * The div + drawing script of one figure. When plotly.js is missing from the page (a notebook saved
 * after its first figure's cell was cleared), the div says how to fix it instead of staying blank.
 */
export function figureHtml(fig: Figure, divId: string): string {
  const plain = plainFigure(fig);
  const spec = {
    data: plain.data,
    layout: plain.layout,
    config: { ...DEFAULT_CONFIG, ...(plain.config ?? {}) },
  };
  const height = typeof plain.layout.height === "number" ? `${plain.layout.height}px` : "450px";
  const width = typeof plain.layout.width === "number" ? `${plain.layout.width}px` : "100%";
  return [
    `<div id="${divId}" class="clipdown-plotly" style="width:${width};height:${height};"></div>`,
    '<script type="text/javascript">',
    "(function () {",
    `  var el = document.getElementById(${JSON.stringify(divId)});`,
    `  var spec = ${scriptJson(spec)};`,
    "  if (el && window.Plotly) { window.Plotly.newPlot(el, spec.data, spec.layout, spec.config); }",
    "  else if (el) { el.style.height = 'auto'; el.textContent = 'plotly.js is not loaded on this page: " +
      "run the notebook again from the top (Restart & Run All), so that its first figure carries plotly.js.'; }",
    "})();",
    "</script>",
  ].join("\n");
}

/** The three-part MIME bundle of a figure; `includeLibrary` inlines plotly.js before the figure. */
export function plotlyBundle(
  fig: Figure,
  opts: { includeLibrary: boolean; divId?: string } = { includeLibrary: false },
): MimeBundle {
  const plain = plainFigure(fig);
  const divId = opts.divId ?? newFigureId();
  const html = (opts.includeLibrary ? `${plotlyScriptTag()}\n` : "") + figureHtml(plain, divId);
  return {
    [PLOTLY_MIME]: {
      data: plain.data,
      layout: plain.layout,
      config: { ...DEFAULT_CONFIG, ...(plain.config ?? {}) },
    },
    "text/html": html,
    "text/plain": describeFigure(plain),
  };
}

/**
 * Per-kernel memory of whether plotly.js was already sent. Kept on `globalThis` so that
 * re-importing this module in a notebook (after an edit) does not send the 4.8 MB library again.
 */
export class PlotlySession {
  private static readonly KEY = Symbol.for("clipdown.viz.plotlySession");

  /** The session of this process (kernel). */
  static current(): PlotlySession {
    const g = globalThis as unknown as Record<symbol, PlotlySession | undefined>;
    g[PlotlySession.KEY] ??= new PlotlySession();
    return g[PlotlySession.KEY]!;
  }

  libraryShown = false;

  /** The bundle for the next figure: the first one of the session includes plotly.js. */
  bundle(fig: Figure, divId?: string): MimeBundle {
    const includeLibrary = !this.libraryShown;
    this.libraryShown = true;
    return plotlyBundle(fig, { includeLibrary, ...(divId ? { divId } : {}) });
  }

  /** Forget that the library was sent (e.g. after clearing all outputs). */
  reset(): void {
    this.libraryShown = false;
  }
}
