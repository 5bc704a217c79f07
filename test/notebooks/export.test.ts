/**
 * `npm run notebooks` (scripts/notebooks.ts): the exports load one shared plotly.js instead of
 * inlining it, and the notebook list is the one the notebook tests run. Fast; executing the
 * notebooks themselves is notebooks.test.ts's job.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { notebookNames, PLOTLY_FILE, STYLE_FILE, sharePlotly, shareStyle } from "../../scripts/notebooks";

test("sharePlotly replaces the inlined library by a script tag to the shared file, once", () => {
  const inline = '<script type="text/javascript">var Plotly = {};</script>';
  const html = `<html><body>${inline}<div id="a"></div><script>draw()</script>${inline}</body></html>`;
  const out = sharePlotly(html, inline);
  assert.equal(out.replaced, true);
  assert.equal(
    out.html.split(inline).length - 1,
    1,
    "only the first copy (the one the kernel sent) is replaced",
  );
  assert.ok(
    out.html.startsWith(`<html><body><script type="text/javascript" src="${PLOTLY_FILE}"></script><div`),
  );
  // An export without the library (a notebook without figures) is left as it is.
  assert.deepEqual(sharePlotly("<p>no figures</p>", inline), { html: "<p>no figures</p>", replaced: false });
});

test("shareStyle links the largest long stylesheet from the shared file and keeps the small ones inline", () => {
  const theme = `.jp-Cell{color:red}${" ".repeat(120_000)}`;
  const small = ".mine{color:blue}";
  const html = `<head><style type="text/css">${small}</style><style type="text/css">${theme}</style></head><p>x</p>`;
  const out = shareStyle(html);
  assert.equal(out.css, theme);
  assert.equal(
    out.html,
    `<head><style type="text/css">${small}</style><link rel="stylesheet" href="${STYLE_FILE}"></head><p>x</p>`,
  );
  // Nothing long enough: the export is left as it is.
  assert.deepEqual(shareStyle(`<style type="text/css">${small}</style>`), {
    html: `<style type="text/css">${small}</style>`,
  });
});

test("the exported notebooks are the seven of notebooks/, in order", () => {
  const names = notebookNames();
  assert.equal(names.length, 7, names.join(", "));
  assert.equal(names[0], "00-quickstart");
  assert.deepEqual([...names].sort(), names);
});
