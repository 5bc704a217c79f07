/**
 * The `noise` and `score` run kinds on the 32-pair tiny corpus: the split into scorer / pool parts,
 * the noisy corpus and its cache (byte-identical to decoding), the ranking metrics against
 * hand-computed values, and spec validation errors. About 5 s.
 */

import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { buildCache, cachePath, readCacheFile } from "../../src/data/cache";
import { readManifest } from "../../src/data/corpus/write";
import { loadQualityScores } from "../../src/data/quality";
import { rankingQuality, rocAuc } from "../../src/eval/ranking";
import { catalog } from "../../src/papers/catalog";
import { noiseKind, normalizeNoiseSpec, partIndices } from "../../src/runs/noise";
import { normalizeScoreSpec, SELECTION_FILE } from "../../src/runs/score";
import { CORPUS_DIR, checkNoise } from "../../src/runs/train";
import { runSweep } from "../../src/sweep/runner";
import { buildSweep } from "../../src/sweep/sweep";
import { initBackend } from "../../src/tf";
import { makeTinyCorpus, TINY_SIZE } from "../sweep/tiny-data";

test("partIndices: scorer and pool split the source, limits nest, sorted", () => {
  const spec = { scorerShare: 0.25, splitSeed: 3, limit: 0 };
  const scorer = partIndices(40, { ...spec, part: "scorer" });
  const pool = partIndices(40, { ...spec, part: "pool" });
  assert.equal(scorer.length, 10);
  assert.equal(pool.length, 30);
  const all = new Set([...scorer, ...pool]);
  assert.equal(all.size, 40, "the parts are disjoint and cover the source");
  assert.deepEqual([...partIndices(40, { ...spec, part: "all" })], [...Array(40).keys()]);
  const small = partIndices(40, { ...spec, part: "pool", limit: 8 });
  const large = partIndices(40, { ...spec, part: "pool", limit: 16 });
  assert.equal(small.length, 8);
  for (const i of small) assert.ok(large.includes(i), "a smaller limit is a subset of a larger one");
  for (const i of large) assert.ok(pool.includes(i));
  assert.deepEqual(
    [...small],
    [...small].sort((a, b) => a - b),
  );
  assert.throws(
    () => partIndices(40, { ...spec, part: "scorer", limit: 11 }),
    /limit 11 exceeds the 10 pairs/,
  );
});

test("normalizeNoiseSpec fills defaults and names bad fields", () => {
  const s = normalizeNoiseSpec({ kind: "noise", fraction: 0.3 });
  assert.equal(s.from, "data/pictograms");
  assert.equal(s.part, "all");
  assert.equal(s.fraction, 0.3);
  assert.throws(() => normalizeNoiseSpec({ fraction: 1 }), /fraction must be in \[0, 1\)/);
  assert.throws(() => normalizeNoiseSpec({ part: "train" }), /part must be one of all, scorer, pool/);
  assert.throws(() => normalizeNoiseSpec({ mix: { blur: 1 } }), /unknown mix kind "blur"/);
  assert.throws(() => normalizeNoiseSpec({ frac: 0.1 }), /unknown noise spec field "frac"/);
  assert.throws(() => normalizeScoreSpec({ data: "run:xyz", scorer: "0123456789abcdef" }), /data must be/);
  assert.throws(() => normalizeScoreSpec({ data: "d", scorer: "abc" }), /scorer must be the hash/);
});

test("rocAuc: hand-computed values, ties count half", () => {
  assert.equal(rocAuc([0.9, 0.8, 0.1, 0.2], [true, true, false, false]), 1);
  assert.equal(rocAuc([0.1, 0.2, 0.9, 0.8], [true, true, false, false]), 0);
  // positives {0.5, 0.3}, negatives {0.4, 0.3}: pairs (0.5>0.4)=1, (0.5>0.3)=1, (0.3<0.4)=0, tie=0.5 → 2.5/4
  assert.equal(rocAuc([0.5, 0.3, 0.4, 0.3], [true, true, false, false]), 0.625);
  assert.ok(Number.isNaN(rocAuc([1, 2], [true, true])));
});

test("rankingQuality: precision/recall at each level against the labels", () => {
  // 10 pairs, scores descending by index; clean = indices 0,1,2,4,7.
  const scores = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
  const labels = ["none", "none", "none", "swap", "none", "generic", "truncate", "none", "swap", "generic"];
  const { metrics, levels } = rankingQuality(scores, labels);
  assert.equal(metrics["precision@20"], 1); // top 2: both clean
  assert.equal(metrics["precision@40"], 0.75); // top 4: 3 clean
  assert.equal(metrics["recall@40"], 3 / 5);
  assert.equal(metrics["precision@50"], 0.8);
  assert.equal(metrics.clean_fraction, 0.5);
  // clean ranks (ascending scores) 10,9,8,6,3 → U = 36 − 15 = 21 of 25
  assert.equal(metrics.auc, 21 / 25);
  // clean vs swap (scores 7, 2): 3 of the 5 clean above 7, all 5 above 2 → 8/10
  assert.equal(metrics.auc_swap, 8 / 10);
  assert.equal(levels["40"]!.kept.swap!.kept, 1);
});

test("noise + score kinds: a part of the tiny corpus, its cache as if decoded, scores and selection", async () => {
  await initBackend();
  const src = await makeTinyCorpus();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-dq-kinds-"));
  const base = { from: src, scorerShare: 0.25, splitSeed: 1, imageSize: TINY_SIZE };
  const scorerPart = { kind: "noise", ...base, part: "scorer", fraction: 0, seed: 0 };
  const pool = { kind: "noise", ...base, part: "pool", fraction: 0.5, seed: 2 };
  const sweep0 = buildSweep(
    { section: "t", profile: "smoke", runs: [scorerPart, pool] },
    catalog().kinds,
    root,
  );
  const [scorerHash, poolHash] = sweep0.runs.map((r) => r.hash) as [string, string];
  const scorer = {
    kind: "train",
    model: "nano",
    data: `run:${scorerHash}`,
    samples: 16,
    batch: 8,
    warmup: 0,
    imageSize: TINY_SIZE,
    evalSize: 8,
    eval: [],
  };
  const sweepS = buildSweep(
    { section: "t", profile: "smoke", runs: [scorerPart, scorer] },
    catalog().kinds,
    root,
  );
  const score = { kind: "score", data: `run:${poolHash}`, scorer: sweepS.runs[1]!.hash };
  const sweep = buildSweep(
    { section: "t", profile: "smoke", runs: [scorerPart, pool, scorer, score] },
    catalog().kinds,
    root,
  );
  const report = await runSweep(sweep, { jobs: 0, log: () => {} });
  assert.equal(report.failed, 0, JSON.stringify(report.outcomes.map((o) => o.error ?? "")));

  const poolDir = path.join(sweep.runs.find((r) => r.hash === poolHash)!.dir, CORPUS_DIR);
  const scorerDir = path.join(sweep.runs.find((r) => r.hash === scorerHash)!.dir, CORPUS_DIR);
  const poolM = readManifest(poolDir)!;
  assert.equal(poolM.samples, 24);
  assert.equal(readManifest(scorerDir)!.samples, 8);
  assert.deepEqual(poolM.build.params.counts, { none: 12, swap: 4, truncate: 4, generic: 4 });
  checkNoise(poolDir, 0.5);
  assert.ok(fs.existsSync(path.join(poolDir, "tokenizer.json")));
  assert.equal(noiseKind.verify(path.dirname(poolDir)), undefined);

  // The cache written from the source's pixels equals a cache decoded from the noisy shards.
  const { cache: written } = readCacheFile(cachePath(poolDir, TINY_SIZE));
  const { cache: decoded } = await buildCache(poolDir, TINY_SIZE, { quiet: true });
  assert.deepEqual(written.keys, decoded.keys);
  assert.deepEqual(written.captions, decoded.captions);
  assert.deepEqual(written.meta, decoded.meta);
  assert.ok(Buffer.from(written.images).equals(Buffer.from(decoded.images)));
  const scorerKeys = new Set(readCacheFile(cachePath(scorerDir, TINY_SIZE)).cache.keys);
  assert.ok(
    written.keys.every((k) => !scorerKeys.has(k)),
    "the scorer never sees a pool pair",
  );

  const scoreRun = sweep.runs.find((r) => r.kind.name === "score")!;
  const { scores, file } = loadQualityScores(scoreRun.dir);
  assert.equal(scores.size, 24);
  assert.equal(file.scorer.scorerRun, score.scorer);
  assert.equal(file.contentHash, poolM.contentHash);
  const sel = JSON.parse(fs.readFileSync(path.join(scoreRun.dir, SELECTION_FILE), "utf8"));
  assert.equal(sel.labels.filter((l: string) => l === "none").length, 12);
  const m = report.outcomes.find((o) => o.run.hash === scoreRun.hash)!.result!.metrics;
  assert.equal(m.clean_fraction, 0.5);
  assert.ok(m.auc! >= 0 && m.auc! <= 1);
  // recall@50 = precision@50 here: half the pairs are clean and the top half holds 12.
  assert.equal(m["recall@50"], m["precision@50"]);
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(src, { recursive: true, force: true });
});
