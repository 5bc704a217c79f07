/**
 * `npm run notebooks` (scripts/notebooks.ts): the exports load one shared plotly.js instead of
 * inlining it, and the notebook list is the one the notebook tests run. Fast; executing the
 * notebooks themselves is notebooks.test.ts's job.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { notebookNames, PLOTLY_FILE, sharePlotly } from "../../scripts/notebooks";

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

test("the exported notebooks are the seven of notebooks/, in order", () => {
  const names = notebookNames();
  assert.equal(names.length, 7, names.join(", "));
  assert.equal(names[0], "00-quickstart");
  assert.deepEqual([...names].sort(), names);
});
