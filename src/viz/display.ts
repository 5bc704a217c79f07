/**
 * Showing figures and tables: in a tslab notebook as Jupyter `display_data` messages (several MIME
 * types in one output, which tslab's public `display` cannot send), elsewhere as text on stdout.
 *
 * tslab's public API sends one MIME type per output, so this writes through the function tslab
 * itself uses (`lastWriteDisplayData` in tslab/dist/jupyter.js, an internal of the pinned tslab
 * 1.0.22). A module that is already loaded in this process is the sign of running inside the kernel;
 * nothing is loaded here to find out.
 */
import { type MimeBundle, PlotlySession, plotlyBundle } from "./bundle";
import { describeFigure, type Figure } from "./figure";
import type { Table } from "./table";

/** One display message: the bundle, and a display id for outputs updated in place. */
export interface DisplayMessage {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient: { display_id?: string };
}

/** Where display messages go; `update` = replace the output with the same display id. */
export type DisplaySink = (msg: DisplayMessage, update: boolean) => void;

let sinkOverride: DisplaySink | undefined;

/** Routes display messages to `sink` (tests, other front ends); `undefined` restores the default. */
export function setDisplaySink(sink: DisplaySink | undefined): void {
  sinkOverride = sink;
}

/** tslab's writer for the executing cell, when this process is a tslab kernel. */
function tslabSink(): DisplaySink | undefined {
  let file: string;
  try {
    file = require.resolve("tslab/dist/jupyter");
  } catch {
    // Not running under tslab: no notebook display sink, figures go to the other sinks.
    return undefined;
  }
  const mod = require.cache[file];
  const write = (mod?.exports as { lastWriteDisplayData?: DisplaySink | null } | undefined)
    ?.lastWriteDisplayData;
  return typeof write === "function" ? write : undefined;
}

/** True when display messages reach a notebook (or a sink set by `setDisplaySink`). */
export function inNotebook(): boolean {
  return Boolean(sinkOverride ?? tslabSink());
}

/** Sends one bundle; outside a notebook prints its `text/plain` part. */
export function displayBundle(bundle: MimeBundle, opts: { displayId?: string; update?: boolean } = {}): void {
  const sink = sinkOverride ?? tslabSink();
  if (!sink) {
    console.log(String(bundle["text/plain"] ?? "<display>"));
    return;
  }
  sink(
    { data: bundle, metadata: {}, transient: opts.displayId ? { display_id: opts.displayId } : {} },
    opts.update ?? false,
  );
}

/** Shows a figure as one MIME bundle (JSON + HTML + text); plotly.js travels with the session's first. */
export function show(fig: Figure): void {
  if (!inNotebook()) {
    console.log(`${describeFigure(fig)} (not in a notebook: writeReport() saves figures as HTML)`);
    return;
  }
  displayBundle(PlotlySession.current().bundle(fig));
}

/** Shows a table as HTML (with a text fallback). */
export function showTable(table: Table): void {
  if (!inNotebook()) {
    console.log(table.toText());
    return;
  }
  displayBundle({ "text/html": table.toHtml(), "text/plain": table.toText() });
}

/** Shows an HTML fragment (text fallback: the tags stripped). */
export function showHtml(html: string): void {
  displayBundle({ "text/html": html, "text/plain": html.replace(/<[^>]*>/g, "") });
}

let liveCounter = 0;

/**
 * A figure that redraws in place (one output, replaced through its display id) — for training
 * curves that grow while a cell runs. Updates closer than `minIntervalMs` apart are held back;
 * `done()` sends the last one. If this figure was the session's first, every update carries
 * plotly.js again, so the saved notebook still holds the library.
 */
export class LiveFigure {
  private readonly displayId = `clipdown-live-${process.pid}-${++liveCounter}-${Date.now()}`;
  private shown = false;
  private carriesLibrary = false;
  private lastSent = 0;
  private pending: Figure | undefined;
  /** Number of display messages sent (first display + updates). */
  sent = 0;

  constructor(readonly minIntervalMs = 1000) {}

  /** Replaces the figure (throttled unless `force`). Outside a notebook this does nothing. */
  update(fig: Figure, force = false): void {
    if (!inNotebook()) return;
    const now = Date.now();
    if (this.shown && !force && now - this.lastSent < this.minIntervalMs) {
      this.pending = fig;
      return;
    }
    this.pending = undefined;
    this.lastSent = now;
    if (!this.shown) {
      const session = PlotlySession.current();
      this.carriesLibrary = !session.libraryShown;
      this.shown = true;
      displayBundle(session.bundle(fig), { displayId: this.displayId, update: false });
    } else {
      displayBundle(plotlyBundle(fig, { includeLibrary: this.carriesLibrary }), {
        displayId: this.displayId,
        update: true,
      });
    }
    this.sent++;
  }

  /** Sends the held-back update, if any. */
  done(): void {
    if (this.pending) this.update(this.pending, true);
  }
}

/** A new in-place figure; see `LiveFigure`. */
export function liveFigure(minIntervalMs = 1000): LiveFigure {
  return new LiveFigure(minIntervalMs);
}
