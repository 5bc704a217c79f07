import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { lineChart } from "../../src/viz/charts";
import { heatmap } from "../../src/viz/heatmap";
import { renderReport, textToHtml, writeReport } from "../../src/viz/report";
import { makeTable } from "../../src/viz/table";

const line = lineChart([{ name: "loss", x: [0, 1], y: [4, 3] }], { title: "loss" });
const heat = heatmap([[1, 0]], { title: "sim" });

test("renderReport: plotly.js inlined once, figures numbered in order, tables and text escaped", () => {
  const html = renderReport(
    [
      { kind: "heading", text: "A <section>" },
      { kind: "text", text: "First `npm start`.\n\nSecond <p>." },
      { kind: "figure", figure: line, title: "Loss", caption: "per step" },
      { kind: "figure", figure: heat },
      { kind: "table", table: makeTable([{ k: "<x>", v: 1 }]), title: "Numbers" },
    ],
    { title: "Report <1>", footer: "f" },
  );
  assert.ok(html.startsWith("<!DOCTYPE html>"));
  assert.equal(html.match(/window\.Plotly\s*=/g)?.length, 1, "one copy of plotly.js");
  // library + one drawing script per figure, each closed once
  assert.equal(html.match(/<script/gi)?.length, 3);
  assert.equal(html.match(/<\/script>/gi)?.length, 3);
  assert.deepEqual(
    [...html.matchAll(/<div id="([^"]+)" class="clipdown-plotly"/g)].map((m) => m[1]),
    ["fig-1", "fig-2"],
  );
  assert.match(html, /<title>Report &lt;1&gt;<\/title>/);
  assert.match(html, /<h2>A &lt;section&gt;<\/h2>/);
  assert.match(html, /<p>First <code>npm start<\/code>\.<\/p>\n<p>Second &lt;p&gt;\.<\/p>/);
  assert.match(html, /<h2>Loss<\/h2>[\s\S]*<figcaption>per step<\/figcaption>/);
  assert.match(html, /<h2>Numbers<\/h2>\n<table class="clipdown-table">.*<td>&lt;x&gt;<\/td>/s);
  const at = (s: string) => html.indexOf(s);
  assert.ok(at('id="fig-1"') < at('id="fig-2"') && at('id="fig-2"') < at("<h2>Numbers"));
  assert.match(html, /<footer>f<\/footer>/);
  // Nothing is fetched: no http(s) script or stylesheet sources.
  assert.doesNotMatch(html, /<(script|link)[^>]+(src|href)="https?:/i);
});

test("a report without figures carries no plotly.js", () => {
  const html = renderReport([{ kind: "table", table: makeTable([{ a: 1 }]) }]);
  assert.doesNotMatch(html, /<script/);
  assert.ok(html.length < 5000);
});

test("writeReport writes figures then tables to one file atomically and returns its absolute path", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-report-"));
  try {
    const rel = path.relative(process.cwd(), path.join(dir, "sub", "r.html"));
    const out = writeReport(
      [line, { figure: heat, title: "Similarity" }],
      [makeTable([{ a: 1 }], { title: "T" })],
      rel,
      { title: "Q" },
    );
    assert.equal(out, path.join(dir, "sub", "r.html"));
    const html = fs.readFileSync(out, "utf8");
    assert.ok(html.indexOf('id="fig-2"') < html.indexOf("<caption>T</caption>"));
    assert.match(html, /<h2>Similarity<\/h2>/);
    assert.deepEqual(fs.readdirSync(path.dirname(out)), ["r.html"], "no temp file left");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("textToHtml drops empty paragraphs", () => {
  assert.equal(textToHtml("\n\n a \n\n\n b\n"), "<p>a</p>\n<p>b</p>");
});
