/**
 * Result tables: a danfojs-node DataFrame behind a small `Table` class, so the rest of clipdown
 * (reports, notebooks, experiments) never depends on danfo's API and it could be swapped.
 *
 * Loading danfo has a cost worth knowing: it brings its own tfjs 4.21 (the npm `overrides` in
 * package.json alias its `@tensorflow/tfjs-node` to pure-JS tfjs, see environment.md), whose
 * import re-registers every cpu kernel and every gradient in tfjs's process-global registries,
 * with a warning for each, replacing clipdown's (e.g. the fast BatchMatMul gradient). `loadDanfo`
 * therefore silences those warnings and restores the registrations it found.
 */
import type { DataFrame } from "danfojs-node";
import { tf } from "../tf";

export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

/** Aggregations `Table.groupBy` accepts (danfo's names). */
export type AggName = "mean" | "std" | "count" | "min" | "max" | "sum" | "median" | "var";

export interface TableOptions {
  /** Column order (default: keys in order of first appearance). */
  columns?: string[];
  title?: string;
  /** Decimals for non-integer numbers, for all columns or per column (default: 4 significant digits). */
  decimals?: number | Record<string, number>;
}

type Danfo = typeof import("danfojs-node");
let danfo: Danfo | undefined;

/** Loads danfojs-node once, keeping tfjs's kernel and gradient registrations as they were. */
export function loadDanfo(): Danfo {
  if (danfo) return danfo;
  const restore = snapshotTfRegistries();
  const env = tf.env();
  const prod = env.getBool("PROD");
  // PROD mutes tfjs's "already registered" warnings (log.warn checks it); the env is shared by
  // both tfjs copies through the global engine.
  env.set("PROD", true);
  try {
    danfo = require("danfojs-node") as Danfo;
  } finally {
    restore();
    env.set("PROD", prod);
  }
  return danfo;
}

/** Every kernel of the known backends and every gradient of their kernel names, re-registrable. */
export function snapshotTfRegistries(): () => void {
  const kernels = ["cpu", "wasm", "tensorflow", "webgl"].flatMap((b) => tf.getKernelsForBackend(b));
  const names = new Set<string>(kernels.map((k) => k.kernelName));
  // Gradients of kernels no backend lists (none today) are found through tfjs's exported names.
  for (const v of Object.values(tf))
    if (typeof v === "string" && /^[A-Z_][A-Za-z0-9]*$/.test(v)) names.add(v);
  const grads = [...names].map((n) => tf.getGradient(n)).filter((g) => g !== undefined);
  return () => {
    for (const k of kernels) {
      if (tf.getKernel(k.kernelName, k.backendName) === k) continue;
      tf.unregisterKernel(k.kernelName, k.backendName);
      tf.registerKernel(k);
    }
    for (const g of grads) if (tf.getGradient(g.kernelName) !== g) tf.registerGradient(g);
  };
}

/** Rows → Table. Missing cells become null; `undefined` and NaN are treated as missing. */
export function makeTable(
  rows: ReadonlyArray<Record<string, Cell | undefined>>,
  opts: TableOptions = {},
): Table {
  const columns = opts.columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const twice = columns.filter((c, i) => columns.indexOf(c) !== i);
  if (twice.length)
    throw new Error(`table columns must be unique; listed twice: ${[...new Set(twice)].join(", ")}`);
  const normalised: Row[] = rows.map((r) =>
    Object.fromEntries(
      columns.map((c) => {
        const v = r[c];
        return [c, v === undefined || (typeof v === "number" && Number.isNaN(v)) ? null : v];
      }),
    ),
  );
  const dfd = loadDanfo();
  const df = normalised.length ? new dfd.DataFrame(normalised, { columns }) : undefined;
  return new Table(df, columns, opts);
}

/** A result table; `df` is the danfo DataFrame for anything this class does not offer. */
export class Table {
  constructor(
    readonly df: DataFrame | undefined,
    readonly columns: string[],
    readonly opts: TableOptions = {},
  ) {}

  get title(): string | undefined {
    return this.opts.title;
  }

  get length(): number {
    return this.df?.shape[0] ?? 0;
  }

  /** The rows as plain objects (missing values are null). */
  rows(): Row[] {
    if (!this.df) return [];
    const cols = this.df.columns as string[];
    return (this.df.values as Cell[][]).map((vals) =>
      Object.fromEntries(
        cols.map((c, i) => {
          const v = vals[i];
          return [c, v === undefined || (typeof v === "number" && Number.isNaN(v)) ? null : (v ?? null)];
        }),
      ),
    );
  }

  /** One column's values. */
  column(name: string): Cell[] {
    if (!this.columns.includes(name))
      throw new Error(`table has no column "${name}"; columns: ${this.columns.join(", ")}`);
    return this.rows().map((r) => r[name] ?? null);
  }

  /** Rows grouped by `by`, each value column aggregated, e.g. `{acc: ["mean", "std"]}` → acc_mean, acc_std. */
  groupBy(by: string[], agg: Record<string, AggName[]>, opts: TableOptions = {}): Table {
    for (const c of [...by, ...Object.keys(agg)]) {
      if (!this.columns.includes(c))
        throw new Error(`groupBy: table has no column "${c}"; columns: ${this.columns.join(", ")}`);
    }
    if (!this.df) return makeTable([], { ...opts, columns: [...by, ...aggColumns(agg)] });
    const out = this.df.groupby(by).agg(agg as Record<string, string[]>) as DataFrame;
    const rows = (out.values as Cell[][]).map((vals) =>
      Object.fromEntries((out.columns as string[]).map((c, i) => [c, vals[i] ?? null])),
    );
    return makeTable(rows, { ...opts, columns: [...by, ...aggColumns(agg)] });
  }

  /** Formatted text of one cell (numbers to the configured decimals; missing → "–"). */
  format(column: string, v: Cell): string {
    if (v === null) return "–";
    if (typeof v !== "number") return String(v);
    if (Number.isInteger(v)) return String(v);
    const d = typeof this.opts.decimals === "number" ? this.opts.decimals : this.opts.decimals?.[column];
    return d !== undefined ? v.toFixed(d) : String(Number(v.toPrecision(4)));
  }

  /** An HTML table (cells escaped; numbers right-aligned). */
  toHtml(): string {
    const head = this.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
    const body = this.rows()
      .map((r) => {
        const cells = this.columns.map((c) => {
          const v = r[c] ?? null;
          const cls = typeof v === "number" ? ' class="num" style="text-align:right"' : "";
          return `<td${cls}>${escapeHtml(this.format(c, v))}</td>`;
        });
        return `<tr>${cells.join("")}</tr>`;
      })
      .join("\n");
    const caption = this.title ? `<caption>${escapeHtml(this.title)}</caption>` : "";
    return `<table class="clipdown-table">${caption}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
  }

  /** Fixed-width text (for terminals and `text/plain`). */
  toText(): string {
    const cells = [
      this.columns,
      ...this.rows().map((r) => this.columns.map((c) => this.format(c, r[c] ?? null))),
    ];
    const widths = this.columns.map((_, j) => Math.max(...cells.map((row) => row[j]!.length)));
    const line = (row: string[]) =>
      row
        .map((s, j) => s.padEnd(widths[j]!))
        .join("  ")
        .trimEnd();
    const out = [line(cells[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)];
    return (this.title ? `${this.title}\n` : "") + out.join("\n");
  }

  /** RFC 4180 CSV with the raw (unformatted) values. */
  toCsv(): string {
    const q = (v: Cell) => {
      const s = v === null ? "" : String(v);
      return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    };
    return [
      this.columns.map(q).join(","),
      ...this.rows().map((r) => this.columns.map((c) => q(r[c] ?? null)).join(",")),
    ]
      .map((l) => `${l}\n`)
      .join("");
  }
}

function aggColumns(agg: Record<string, AggName[]>): string[] {
  return Object.entries(agg).flatMap(([c, fs]) => fs.map((f) => `${c}_${f}`));
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
