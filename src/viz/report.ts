/**
 * Self-contained HTML reports (the quickstart's `reports/quickstart.html`, `clipdown report`): one
 * file with plotly.js inlined once in the head, then text, figures and tables in order. It opens
 * offline in any browser; nothing is fetched.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { figureHtml, plotlyScriptTag } from "./bundle";
import type { Figure } from "./figure";
import { escapeHtml, type Table } from "./table";

/** A figure with an optional heading and caption. */
export interface ReportFigure {
  figure: Figure;
  title?: string;
  caption?: string;
}

export type ReportBlock =
  | ({ kind: "figure" } & ReportFigure)
  | { kind: "table"; table: Table; title?: string }
  | { kind: "heading"; text: string }
  | { kind: "text"; text: string }
  /** Trusted HTML written by clipdown itself (never user data). */
  | { kind: "html"; html: string };

export interface ReportOptions {
  title?: string;
  /** Paragraphs under the title (blank lines separate paragraphs). */
  intro?: string;
  /** Footer line; default names clipdown and the time of writing. */
  footer?: string;
}

const STYLE = `
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.7em; } h2 { font-size: 1.25em; margin-top: 1.6em; }
p { line-height: 1.45; } code { background: #f3f3f3; padding: 0 .2em; }
figure { margin: 1.2em 0; } figcaption { color: #555; font-size: .92em; margin-top: .3em; }
table.clipdown-table { border-collapse: collapse; margin: 1em 0; font-size: .92em; }
table.clipdown-table caption { text-align: left; font-weight: bold; padding-bottom: .3em; }
table.clipdown-table th, table.clipdown-table td { border: 1px solid #ccc; padding: .25em .6em; }
table.clipdown-table th { background: #f3f3f3; }
footer { color: #777; font-size: .85em; margin-top: 3em; }
`;

/** Paragraphs from plain text: escaped, blank lines split paragraphs, `code` spans kept. */
export function textToHtml(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${escapeHtml(p).replace(/`([^`]+)`/g, "<code>$1</code>")}</p>`)
    .join("\n");
}

/** The whole report as an HTML string; figure divs are numbered `fig-1`, `fig-2`, … in order. */
export function renderReport(blocks: ReportBlock[], opts: ReportOptions = {}): string {
  const title = opts.title ?? "clipdown report";
  let figures = 0;
  const body = blocks.map((b) => blockHtml(b, () => `fig-${++figures}`));
  const footer = opts.footer ?? `Written by clipdown on ${new Date().toISOString()}.`;
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    // Only figures need plotly.js; a table-only report stays small.
    figures > 0 ? plotlyScriptTag() : "",
    "</head>",
    "<body>",
    `<h1>${escapeHtml(title)}</h1>`,
    opts.intro ? textToHtml(opts.intro) : "",
    ...body,
    `<footer>${escapeHtml(footer)}</footer>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function blockHtml(b: ReportBlock, nextFigureId: () => string): string {
  switch (b.kind) {
    case "figure": {
      const head = b.title ? `<h2>${escapeHtml(b.title)}</h2>\n` : "";
      const cap = b.caption ? `\n<figcaption>${escapeHtml(b.caption)}</figcaption>` : "";
      return `<figure>\n${head}${figureHtml(b.figure, nextFigureId())}${cap}\n</figure>`;
    }
    case "table":
      return `${b.title ? `<h2>${escapeHtml(b.title)}</h2>\n` : ""}${b.table.toHtml()}`;
    case "heading":
      return `<h2>${escapeHtml(b.text)}</h2>`;
    case "text":
      return textToHtml(b.text);
    case "html":
      return b.html;
  }
}

/** Writes `html` to `file` atomically (temp file + rename); returns the absolute path. */
export function writeHtmlFile(file: string, html: string): string {
  const abs = path.resolve(file);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  const tmp = `${abs}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, html);
  fs.renameSync(tmp, abs);
  return abs;
}

/** Writes a report of these blocks to `file`; returns its absolute path. */
export function writeReportBlocks(blocks: ReportBlock[], file: string, opts: ReportOptions = {}): string {
  return writeHtmlFile(file, renderReport(blocks, opts));
}

/**
 * Writes figures, then tables, as one self-contained HTML file; returns its absolute path.
 * A figure may come with a title and caption (`{figure, title, caption}`).
 */
export function writeReport(
  figures: ReadonlyArray<Figure | ReportFigure>,
  tables: ReadonlyArray<Table>,
  file: string,
  opts: ReportOptions = {},
): string {
  const blocks: ReportBlock[] = [
    ...figures.map(
      (f): ReportBlock => ("figure" in f ? { kind: "figure", ...f } : { kind: "figure", figure: f }),
    ),
    ...tables.map((t): ReportBlock => ({ kind: "table", table: t })),
  ];
  return writeReportBlocks(blocks, file, opts);
}
