import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { PLOTLY_MIME, PlotlySession, plainFigure, plotlyBundle } from "../../src/viz/bundle";
import { lineChart } from "../../src/viz/charts";
import { type DisplayMessage, LiveFigure, setDisplaySink, show } from "../../src/viz/display";
import type { Figure } from "../../src/viz/figure";
import { escapeScriptText, plotlyLibrary, scriptJson } from "../../src/viz/plotly-lib";

const EVIL = "</script><script>alert(1)</script> <!-- & <b>";
const fig: Figure = lineChart([{ name: EVIL, x: [1, 2], y: [3, 4] }], { title: EVIL });

/** The JSON literal of `var spec = …;` in a figure's HTML. */
function specOf(html: string): unknown {
  const m = /var spec = (.*);\n/.exec(html);
  assert.ok(m, "figure HTML has a spec line");
  return JSON.parse(m[1]!);
}

test("escapeScriptText: </script and <!-- are neutralised and the JavaScript means the same", () => {
  const js = "var s = \"a</script>b\" + '<!--' + `</SCRIPT x`; var r = /<\\/script/.source;";
  const out = escapeScriptText(js);
  assert.doesNotMatch(out, /<\/script|<!--/i);
  const run = (src: string) => new Function(`${src}; return [s, r];`)();
  assert.deepEqual(run(out), run(js));
});

test("scriptJson: no < survives, and the JSON parses back to the same value", () => {
  const v = { t: EVIL, u: "line\u2028sep" };
  const s = scriptJson(v);
  assert.doesNotMatch(s, /</);
  assert.doesNotMatch(s, /\u2028/);
  assert.deepEqual(JSON.parse(s), v);
});

test("plotlyBundle: exactly JSON + HTML + text; the HTML spec equals the figure; no early </script>", () => {
  const b = plotlyBundle(fig, { includeLibrary: false, divId: "fig-x" });
  assert.deepEqual(Object.keys(b).sort(), [PLOTLY_MIME, "text/html", "text/plain"].sort());
  const json = b[PLOTLY_MIME] as Figure;
  assert.deepEqual(json.data, fig.data);
  assert.deepEqual(json.layout, fig.layout);
  assert.deepEqual(json.config, { responsive: true, displaylogo: false });
  const html = b["text/html"] as string;
  assert.equal(html.match(/<\/script/gi)?.length, 1, "only the element's own closing tag");
  assert.equal(html.match(/<script/gi)?.length, 1);
  assert.deepEqual(specOf(html), { data: fig.data, layout: fig.layout, config: json.config });
  assert.match(html, /<div id="fig-x" class="clipdown-plotly"/);
  assert.match(b["text/plain"] as string, /^<Plotly figure ".*": 1 scatter>$/);
});

test("plainFigure: typed arrays become arrays and NaN becomes null (valid JSON for the front end)", () => {
  const f: Figure = {
    data: [{ type: "scatter", x: new Float32Array([1, 2]), y: [Number.NaN, 1] }],
    layout: {},
  };
  assert.deepEqual(plainFigure(f).data[0], { type: "scatter", x: [1, 2], y: [null, 1] });
});

test("plotly.js: minified once into node_modules/.cache, inlined with no </script inside", () => {
  const lib = plotlyLibrary();
  const raw = plotlyLibrary({ minify: false });
  assert.equal(
    lib.version,
    JSON.parse(fs.readFileSync(require.resolve("plotly.js-dist/package.json"), "utf8")).version,
  );
  assert.ok(lib.minified, "esbuild is installed with tsx, so the library is minified");
  assert.ok(lib.source.length < raw.source.length * 0.6, `${lib.source.length} vs ${raw.source.length}`);
  assert.match(lib.source, /window\.Plotly\s*=/);
  const cache = path.join(
    path.dirname(require.resolve("plotly.js-dist/package.json")),
    "..",
    ".cache",
    "clipdown",
  );
  assert.ok(fs.existsSync(path.join(cache, `plotly-${lib.version}.min.js`)));
  const withLib = plotlyBundle(fig, { includeLibrary: true })["text/html"] as string;
  // library element + figure element: two closing tags, nothing else
  assert.equal(withLib.match(/<\/script/gi)?.length, 2);
  assert.ok(withLib.length > lib.source.length);
});

test("show: one display message per figure; plotly.js only in the session's first", () => {
  const sent: Array<{ msg: DisplayMessage; update: boolean }> = [];
  setDisplaySink((msg, update) => sent.push({ msg, update }));
  PlotlySession.current().reset();
  try {
    show(fig);
    show(fig);
    show(fig);
  } finally {
    setDisplaySink(undefined);
  }
  assert.equal(sent.length, 3);
  const sizes = sent.map((s) => (s.msg.data["text/html"] as string).length);
  assert.ok(sizes[0]! > 1_000_000, `first figure carries plotly.js (${sizes[0]} chars)`);
  assert.ok(sizes[1]! < 20_000 && sizes[2]! < 20_000, `later figures do not (${sizes})`);
  assert.ok(sent.every((s) => !s.update && Object.keys(s.msg.data).length === 3));
  assert.equal(PlotlySession.current(), PlotlySession.current());
});

test("show outside a notebook prints the figure's description instead", (t) => {
  const lines: string[] = [];
  t.mock.method(console, "log", (s: string) => lines.push(s));
  show(fig);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^<Plotly figure .*not in a notebook/);
});

test("LiveFigure: one display id, first a display then updates; throttled updates wait for done()", () => {
  const sent: Array<{ msg: DisplayMessage; update: boolean }> = [];
  setDisplaySink((msg, update) => sent.push({ msg, update }));
  PlotlySession.current().reset();
  try {
    const fast = new LiveFigure(0);
    for (let i = 1; i <= 3; i++) fast.update(lineChart([{ name: "loss", x: [i], y: [1 / i] }]));
    assert.deepEqual(
      sent.map((s) => s.update),
      [false, true, true],
    );
    const ids = new Set(sent.map((s) => s.msg.transient.display_id));
    assert.equal(ids.size, 1);
    // It was the session's first figure, so every update keeps plotly.js in the saved output.
    assert.ok(sent.every((s) => (s.msg.data["text/html"] as string).length > 1_000_000));
    const last = specOf(sent[2]!.msg.data["text/html"] as string) as Figure;
    assert.deepEqual(last.data[0]!.y, [1 / 3]);

    sent.length = 0;
    const slow = new LiveFigure(60_000);
    slow.update(lineChart([{ name: "a", x: [0], y: [0] }]));
    slow.update(lineChart([{ name: "a", x: [1], y: [1] }]));
    slow.update(lineChart([{ name: "a", x: [2], y: [2] }]));
    assert.equal(sent.length, 1, "updates inside the interval are held back");
    assert.ok((sent[0]!.msg.data["text/html"] as string).length < 20_000, "not the session's first figure");
    slow.done();
    assert.equal(sent.length, 2);
    assert.equal(sent[1]!.update, true);
    assert.deepEqual((sent[1]!.msg.data[PLOTLY_MIME] as Figure).data[0]!.y, [2]);
    slow.done();
    assert.equal(sent.length, 2, "nothing pending, nothing sent");
  } finally {
    setDisplaySink(undefined);
  }
});
