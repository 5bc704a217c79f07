import assert from "node:assert/strict";
import { test } from "node:test";
import { initBackend, tf } from "../../src/tf";
import { loadDanfo, makeTable } from "../../src/viz/table";

test("loadDanfo keeps tfjs's kernels and gradients as they were, and prints no warnings", async (t) => {
  await initBackend();
  const before = {
    grad: tf.getGradient("BatchMatMul"),
    sumCpu: tf.getKernel("Sum", "cpu"),
    sumWasm: tf.getKernel("Sum", "wasm"),
    backend: tf.getBackend(),
  };
  const warnings: unknown[] = [];
  t.mock.method(console, "warn", (...a: unknown[]) => warnings.push(a));
  const dfd = loadDanfo();
  assert.equal(typeof dfd.DataFrame, "function");
  assert.equal(warnings.length, 0, `warnings: ${JSON.stringify(warnings.slice(0, 3))}`);
  assert.equal(tf.getGradient("BatchMatMul"), before.grad, "clipdown's BatchMatMul gradient survives");
  assert.equal(tf.getKernel("Sum", "cpu"), before.sumCpu);
  assert.equal(tf.getKernel("Sum", "wasm"), before.sumWasm);
  assert.equal(tf.getBackend(), before.backend);
  assert.equal(loadDanfo(), dfd, "loaded once");
});

test("makeTable: rows round-trip through the DataFrame; NaN/undefined become null; column order kept", () => {
  const n0 = tf.memory().numTensors;
  const t = makeTable(
    [
      { model: "vit-ti/8", seed: 0, acc: 0.5 },
      { model: "vit-ti/8", seed: 1, acc: 0.7, note: "x" },
      { model: "rn-s", seed: 0, acc: Number.NaN },
    ],
    { title: "runs" },
  );
  assert.deepEqual(t.columns, ["model", "seed", "acc", "note"]);
  assert.equal(t.length, 3);
  assert.deepEqual(t.rows(), [
    { model: "vit-ti/8", seed: 0, acc: 0.5, note: null },
    { model: "vit-ti/8", seed: 1, acc: 0.7, note: "x" },
    { model: "rn-s", seed: 0, acc: null, note: null },
  ]);
  assert.deepEqual(t.column("seed"), [0, 1, 0]);
  assert.throws(() => t.column("nope"), /no column "nope"; columns: model, seed, acc, note/);
  assert.equal(tf.memory().numTensors, n0, "no tensors left behind");
});

test("groupBy: mean/std/count per group, computed by danfo, checked by hand", () => {
  const t = makeTable([
    { m: "a", acc: 0.5 },
    { m: "a", acc: 0.7 },
    { m: "a", acc: 0.9 },
    { m: "b", acc: 0.2 },
  ]);
  const g = t.groupBy(["m"], { acc: ["mean", "std", "count"] });
  assert.deepEqual(g.columns, ["m", "acc_mean", "acc_std", "acc_count"]);
  const rows = g.rows();
  assert.equal(rows[0]!.m, "a");
  assert.ok(Math.abs((rows[0]!.acc_mean as number) - 0.7) < 1e-9);
  // sample std of 0.5, 0.7, 0.9 = 0.2
  assert.ok(Math.abs((rows[0]!.acc_std as number) - 0.2) < 1e-9);
  assert.equal(rows[0]!.acc_count, 3);
  assert.deepEqual([rows[1]!.m, rows[1]!.acc_mean, rows[1]!.acc_count], ["b", 0.2, 1]);
  assert.throws(() => t.groupBy(["model"], { acc: ["mean"] }), /no column "model"/);
});

test("toHtml / toText / toCsv: escaped, formatted, quoted", () => {
  const t = makeTable(
    [
      { name: "<b>x</b> & y", acc: 0.123456, n: 3 },
      { name: 'say "hi", ok', acc: null, n: 10 },
    ],
    { title: "T <1>", decimals: { acc: 2 } },
  );
  const html = t.toHtml();
  assert.match(html, /^<table class="clipdown-table"><caption>T &lt;1&gt;<\/caption>/);
  assert.match(
    html,
    /<td>&lt;b&gt;x&lt;\/b&gt; &amp; y<\/td><td class="num" style="text-align:right">0\.12<\/td>/,
  );
  assert.match(html, /<td>–<\/td>/);
  assert.doesNotMatch(html, /<b>/);
  assert.equal(
    t.toText(),
    [
      "T <1>",
      "name          acc   n",
      "------------  ----  --",
      "<b>x</b> & y  0.12  3",
      'say "hi", ok  –     10',
    ].join("\n"),
  );
  assert.equal(t.toCsv(), 'name,acc,n\n<b>x</b> & y,0.123456,3\n"say ""hi"", ok",,10\n');
  assert.equal(makeTable([{ v: 1 / 3 }]).format("v", 1 / 3), "0.3333");
});

test("an empty table keeps its columns", () => {
  const t = makeTable([], { columns: ["a", "b"] });
  assert.equal(t.length, 0);
  assert.deepEqual(t.rows(), []);
  assert.match(t.toHtml(), /<th>a<\/th><th>b<\/th>/);
  assert.deepEqual(t.groupBy(["a"], { b: ["mean"] }).columns, ["a", "b_mean"]);
});
