import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { makeRecord, type RecordMeta, writeJsonAtomic, writeRecords } from "../../src/eval/records";
import { parseTemplates, resolveTemplates, TEMPLATE_SETS } from "../../src/eval/templates";

const meta: RecordMeta = {
  model: "vit-ti/8",
  runId: "demo",
  checkpoint: "runs/demo/final.safetensors",
  samplesSeen: 12800,
  flops: 1.5e12,
  strategy: "clip",
};

test("records carry CLIP_benchmark's keys plus clipdown's", () => {
  const r = makeRecord(meta, "zeroshot_classification", "emoji-441", { acc1: 0.5, acc5: 0.75 });
  assert.deepEqual(Object.keys(r).sort(), [
    "checkpoint",
    "dataset",
    "flops",
    "language",
    "metrics",
    "model",
    "pretrained",
    "run_id",
    "samples_seen",
    "strategy",
    "task",
  ]);
  assert.equal(r.language, "en");
  assert.equal(r.pretrained, meta.checkpoint);
  assert.equal(r.samples_seen, 12800);
  assert.deepEqual(JSON.parse(JSON.stringify(r)).metrics, { acc1: 0.5, acc5: 0.75 });
});

test("records are written one file per (task, dataset), atomically; colliding names are refused", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-records-"));
  const recs = [
    makeRecord(meta, "zeroshot_classification", "emoji-441", { acc1: 0.5 }),
    makeRecord(meta, "zeroshot_classification", "emoji-441-edges", { acc1: 0.25 }),
    makeRecord(meta, "linear_probe", "fashion-mnist", { lp_acc1: 0.8 }),
  ];
  const files = writeRecords(recs, path.join(dir, "{task}_{dataset}.json"));
  assert.deepEqual(
    files.map((f) => path.basename(f)),
    [
      "zeroshot_classification_emoji-441.json",
      "zeroshot_classification_emoji-441-edges.json",
      "linear_probe_fashion-mnist.json",
    ],
  );
  assert.deepEqual(JSON.parse(fs.readFileSync(files[2]!, "utf8")), recs[2]);
  assert.deepEqual(
    fs.readdirSync(dir).filter((f) => f.includes(".tmp")),
    [],
    "no temp files left",
  );
  assert.throws(() => writeRecords(recs, path.join(dir, "{task}.json")), /include \{task\} and \{dataset\}/);
  writeJsonAtomic(path.join(dir, "sub", "all.json"), recs);
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, "sub", "all.json"), "utf8")).length, 3);
  fs.rmSync(dir, { recursive: true });
});

test("templates: named sets, files with comments, and errors that name the line", () => {
  assert.deepEqual(resolveTemplates("emoji"), [...TEMPLATE_SETS.emoji]);
  assert.deepEqual(parseTemplates("# prompts\na photo of a {}.\n\n  {} icon  \n"), [
    "a photo of a {}.",
    "{} icon",
  ]);
  assert.throws(
    () => parseTemplates("a {}.\nno placeholder\n", "t.txt"),
    /t.txt:2: template "no placeholder" has no \{\}/,
  );
  assert.throws(() => parseTemplates("# only a comment\n"), /no templates/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-templates-"));
  const f = path.join(dir, "t.txt");
  fs.writeFileSync(f, "a sketch of a {}.\n");
  assert.deepEqual(resolveTemplates(f), ["a sketch of a {}."]);
  assert.throws(
    () => resolveTemplates("nonesuch"),
    /neither a named set \(emoji, drawing, icon, photo\) nor an existing file/,
  );
  fs.rmSync(dir, { recursive: true });
});
