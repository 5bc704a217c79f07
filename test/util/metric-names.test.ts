/**
 * One metric naming scheme (`<dataset>/<metric>`, CLIP_benchmark's metric names): the older flat
 * keys are renamed wherever stored results are read, in place and in order, and the committed
 * results/ use the current names.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { migrateJsonl } from "../../scripts/migrate-metric-names";
import { loadResultsFile } from "../../src/sweep/results";
import { readMetrics } from "../../src/train/metrics";
import { LEGACY_METRIC_NAMES, migrateMetricNames } from "../../src/util/metric-names";

test("every older key maps to a distinct <dataset>/<metric> name", () => {
  const names = Object.values(LEGACY_METRIC_NAMES);
  assert.equal(new Set(names).size, names.length);
  for (const n of names) assert.match(n, /^[a-z0-9-]+\/[a-z0-9_@]+$/, n);
  assert.equal(LEGACY_METRIC_NAMES.zs_top1, "heldout-emoji-441/acc1");
  // image → text: each image looks for its caption, CLIP_benchmark's "text retrieval".
  assert.equal(LEGACY_METRIC_NAMES.i2t_r10, "heldout-noto/text_retrieval_recall@10");
  assert.equal(LEGACY_METRIC_NAMES.t2i_r1, "heldout-noto/image_retrieval_recall@1");
  assert.equal(LEGACY_METRIC_NAMES.catlip_zs_top1, "heldout-emoji-441/synset_acc1");
});

test("migrateMetricNames renames in place and in order; a current name wins; nothing else changes", () => {
  const old = { loss: 2.5, zs_top1: 0.1, "noto-nouns/acc1": 0.2, i2t_r1: 0.3, t2i_r10: 0.4 };
  const m = migrateMetricNames(old);
  assert.deepEqual(Object.entries(m), [
    ["loss", 2.5],
    ["heldout-emoji-441/acc1", 0.1],
    ["noto-nouns/acc1", 0.2],
    ["heldout-noto/text_retrieval_recall@1", 0.3],
    ["heldout-noto/image_retrieval_recall@10", 0.4],
  ]);
  assert.equal(old.zs_top1, 0.1, "the input is not modified");
  const both = migrateMetricNames({ zs_top1: 0.1, "heldout-emoji-441/acc1": 0.9 });
  assert.deepEqual(both, { "heldout-emoji-441/acc1": 0.9 });
  const current = { "noto-nouns/acc1": 0.2, toString: 1 };
  assert.equal(migrateMetricNames(current), current, "no older key: the same object back");
});

test("stored results with the older keys load under the current names", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "metric-names-"));
  try {
    const line = { hash: "a".repeat(16), spec: { kind: "train" }, metrics: { zs_top1: 0.05, i2t_r5: 0.25 } };
    const jsonl = path.join(dir, "s-quick.jsonl");
    fs.writeFileSync(jsonl, `${JSON.stringify(line)}\n`);
    assert.deepEqual(loadResultsFile(jsonl).records[0]!.metrics, {
      "heldout-emoji-441/acc1": 0.05,
      "heldout-noto/text_retrieval_recall@5": 0.25,
    });
    const log = path.join(dir, "metrics.jsonl");
    fs.writeFileSync(log, `${JSON.stringify({ step: 2, samples: 8, eval: true, catlip_zs_top1: 0.5 })}\n`);
    assert.deepEqual(readMetrics(log), [
      { step: 2, samples: 8, eval: true, "heldout-emoji-441/synset_acc1": 0.5 },
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("migrateJsonl renames every line once, keeps torn lines, and is idempotent", () => {
  const a = JSON.stringify({ hash: "x", spec: {}, metrics: { zs_top5: 0.1, loss: 1 } });
  const b = JSON.stringify({ hash: "y", spec: {}, metrics: { loss: 2 } });
  const once = migrateJsonl(`${a}\n{"hash": "torn\n${b}\n`);
  assert.equal(once.changed, 1);
  assert.deepEqual(JSON.parse(once.text.split("\n")[0]!).metrics, { "heldout-emoji-441/acc5": 0.1, loss: 1 });
  assert.equal(once.text.split("\n")[1], '{"hash": "torn');
  assert.equal(once.text.split("\n")[2], b);
  assert.deepEqual(migrateJsonl(once.text), { text: once.text, changed: 0 });
});

test("the committed results use the current metric names", () => {
  for (const dir of ["results", "results/first-pass"]) {
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".jsonl"))) {
      const { changed } = migrateJsonl(fs.readFileSync(path.join(dir, f), "utf8"));
      assert.equal(changed, 0, `${dir}/${f}: run npx tsx scripts/migrate-metric-names.ts`);
    }
  }
});
