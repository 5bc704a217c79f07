/**
 * The one progress display of every long clipdown command (data build, cache, train, eval, sweep).
 *
 * On a terminal: a bar redrawn in place (at most 10 times a second) with the count, rate, ETA and
 * the command's key metrics. Elsewhere (CI logs, notebooks, a file): a plain line at most every
 * `everyMs` (and at the end), numbers rounded to 3 significant digits so logs stay readable and
 * diffable. `quiet`: nothing at all. Written here rather than taken from npm's cli-progress so
 * the non-TTY mode, which is what CI and tslab see, is first-class and tested.
 */

export type ProgressMetrics = Record<string, number | string | undefined>;

export interface ProgressOptions {
  /** What is progressing, e.g. "train", "cache data/noto @32px". */
  label: string;
  /** Units to reach; undefined when unknown (then count and rate only). */
  total?: number;
  /** The count this session starts from (a resumed run's step), so rate and ETA count only new work. */
  startAt?: number;
  /** What is counted ("steps", "images", "runs"). */
  unit?: string;
  /** Where the bar is drawn and lines are written (default: process.stderr). */
  stream?: { write(s: string): unknown; isTTY?: boolean };
  /** Plain lines go here instead of the stream (e.g. a command's own log function); never a bar then. */
  log?: (line: string) => void;
  quiet?: boolean;
  /** Least time between plain lines, in ms (default 10 000). */
  everyMs?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

const BAR_WIDTH = 24;
const TTY_REDRAW_MS = 100;

/** 3 significant digits; exponent form for very small or large magnitudes; integers stay whole. */
export function roundNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e6) return String(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return String(Number(v.toPrecision(3)));
}

/** Seconds as "42s", "3m05s", "2h07m"; "?" when unknown. */
export function formatEta(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "?";
  const t = Math.round(s);
  if (t < 60) return `${t}s`;
  if (t < 3600) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, "0")}s`;
  return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, "0")}m`;
}

export class Progress {
  private readonly tty: boolean;
  private readonly start: number;
  private startDone: number | undefined;
  private done = 0;
  private metrics: ProgressMetrics = {};
  private lastLine = Number.NEGATIVE_INFINITY;
  private lastText = "";
  private lastDraw = Number.NEGATIVE_INFINITY;
  private drawn = false;
  private finished = false;
  private etaOverride: number | undefined;

  constructor(private readonly o: ProgressOptions) {
    this.tty = !o.log && Boolean((o.stream ?? process.stderr).isTTY);
    this.start = this.now();
    if (o.startAt !== undefined) this.done = this.startDone = o.startAt;
  }

  private now(): number {
    return this.o.now ? this.o.now() : performance.now();
  }

  /**
   * Sets the count reached (the first call's count is where this session started, so a resumed
   * run's rate and ETA count only its own work) and the metrics shown. `eta` (seconds) replaces
   * the rate-based estimate when the caller knows better (a sweep's runs differ in cost).
   */
  update(done: number, metrics: ProgressMetrics = {}, eta?: number): void {
    if (this.startDone === undefined) this.startDone = done;
    this.done = done;
    // The latest metrics replace the shown ones (an eval's next dataset, a step's loss).
    if (Object.keys(metrics).length) this.metrics = metrics;
    this.etaOverride = eta;
    this.render(false);
  }

  /** Adds `n` to the count. */
  tick(n = 1, metrics: ProgressMetrics = {}): void {
    if (this.startDone === undefined) this.startDone = this.done;
    this.update(this.done + n, metrics, this.etaOverride);
  }

  /** Prints a line of its own without garbling the bar (the bar is redrawn below it). */
  note(line: string): void {
    if (this.o.quiet) return;
    if (this.o.log) {
      this.o.log(line);
      return;
    }
    const s = this.o.stream ?? process.stderr;
    if (this.tty && this.drawn) s.write(`\r\x1b[K${line}\n`);
    else s.write(`${line}\n`);
    this.lastDraw = Number.NEGATIVE_INFINITY;
    if (this.tty && this.drawn) this.render(false);
  }

  /** Final state: always shown (bar completed with a newline, or one last plain line). */
  finish(metrics: ProgressMetrics = {}): void {
    if (this.finished) return;
    this.metrics = { ...this.metrics, ...metrics };
    this.render(true);
    this.finished = true;
  }

  /** Ends a bar drawn on a terminal (completing its line); prints nothing otherwise. For callers that sum up in their own words. */
  close(): void {
    if (this.tty && this.drawn) this.finish();
    this.finished = true;
  }

  /** The status text (without the bar): "45% 1234/5000 steps · 120 steps/s · ETA 31s · loss 4.92". */
  line(): string {
    const { total, unit } = this.o;
    const parts: string[] = [];
    const elapsed = (this.now() - this.start) / 1000;
    const worked = this.done - (this.startDone ?? this.done);
    const rate = elapsed > 0 ? worked / elapsed : 0;
    const count = total !== undefined ? `${this.done}/${total}` : `${this.done}`;
    const pct = total ? `${Math.floor((100 * Math.min(this.done, total)) / total)}% ` : "";
    parts.push(`${pct}${count}${unit ? ` ${unit}` : ""}`);
    if (rate > 0) parts.push(`${roundNum(rate)}${unit ? ` ${unit}` : ""}/s`);
    if (total !== undefined && this.done < total) {
      const eta = this.etaOverride ?? (rate > 0 ? (total - this.done) / rate : Number.NaN);
      parts.push(`ETA ${formatEta(eta)}`);
    } else if (total !== undefined) parts.push(`in ${formatEta(elapsed)}`);
    for (const [k, v] of Object.entries(this.metrics)) {
      if (v === undefined) continue;
      parts.push(`${k} ${typeof v === "number" ? roundNum(v) : v}`);
    }
    return `${this.o.label} ${parts.join(" · ")}`;
  }

  private render(final: boolean): void {
    if (this.o.quiet || this.finished) return;
    const t = this.now();
    if (this.tty) {
      if (!final && t - this.lastDraw < TTY_REDRAW_MS) return;
      this.lastDraw = t;
      const { total } = this.o;
      const frac = total ? Math.min(1, this.done / total) : 0;
      const full = Math.round(frac * BAR_WIDTH);
      const bar = total ? `${"█".repeat(full)}${"·".repeat(BAR_WIDTH - full)} ` : "";
      (this.o.stream ?? process.stderr).write(`\r${bar}${this.line()}\x1b[K${final ? "\n" : ""}`);
      this.drawn = true;
      return;
    }
    if (!final && t - this.lastLine < (this.o.everyMs ?? 10_000)) return;
    const text = this.line();
    // The last update may already have printed the final state: a log says it once.
    if (final && text === this.lastText) return;
    this.lastLine = t;
    this.lastText = text;
    if (this.o.log) this.o.log(text);
    else (this.o.stream ?? process.stderr).write(`${text}\n`);
  }
}
