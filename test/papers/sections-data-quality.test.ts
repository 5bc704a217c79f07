/**
 * The data-quality section: every profile's specs validate, the grid has Fig. 5/7's axes (top-k %
 * × {one epoch, equal samples seen}), budgets follow the pairs kept, the filtered runs depend on the
 * score run, and the smoke sweep runs end to end with the metrics the figures and findings read.
 * About 40 s (the smoke sweep on the real pictogram corpus; `clipdown data build` first).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { corpusIdentity } from "../../src/data/corpus/identity";
import { sweepFor } from "../../src/papers/catalog";
import {
  keptPairs,
  PROFILES,
  QUALITY_LEVELS,
  qualityRunOf,
  SECTION,
} from "../../src/papers/scaling-down/data-quality";
import { runSweep } from "../../src/sweep/runner";
import { PROFILES as PROFILE_NAMES } from "../../src/sweep/sweep";
import { initBackend } from "../../src/tf";

const HAVE_DATA =
  fs.existsSync("data/pictograms/manifest.json") && fs.existsSync("data/emoji-441/manifest.json");

test("data-quality: every profile builds the top-k × regime grid on the scored noisy pool", () => {
  for (const profile of PROFILE_NAMES) {
    const sweep = sweepFor(SECTION, profile, "/tmp/unused");
    const p = PROFILES[profile];
    const kinds = sweep.runs.map((r) => r.kind.name);
    assert.equal(kinds.filter((k) => k === "noise").length, 2, `${profile}: scorer part + noisy pool`);
    assert.equal(kinds.filter((k) => k === "score").length, 1);
    const score = sweep.runs.find((r) => r.kind.name === "score")!;
    const pool = sweep.runs.find((r) => r.kind.name === "noise" && r.spec.part === "pool")!;
    const scorerPart = sweep.runs.find((r) => r.kind.name === "noise" && r.spec.part === "scorer")!;
    assert.equal(scorerPart.spec.fraction, 0, "the scorer trains on clean pairs");
    assert.equal(pool.spec.fraction, p.noise);
    const scorer = sweep.runs.find((r) => r.hash === score.spec.scorer)!;
    assert.equal(scorer.spec.data, `run:${scorerPart.hash}`, "the scorer trains on the held-in part");
    assert.equal(score.spec.data, `run:${pool.hash}`);

    const trains = sweep.runs.filter((r) => r.kind.name === "train" && r.hash !== scorer.hash);
    // 5 levels × 2 regimes, the 100 % run shared: 9 per seed.
    assert.equal(trains.length, 9 * p.seeds.length, profile);
    for (const seed of p.seeds) {
      for (const pct of QUALITY_LEVELS) {
        const runs = trains.filter((r) => r.spec.qualityTop === pct && r.spec.seed === seed);
        assert.equal(runs.length, pct === 100 ? 1 : 2, `${profile} top-${pct} seed ${seed}`);
        const samples = runs.map((r) => r.spec.samples as number).sort((a, b) => a - b);
        // Equal samples seen: the 100 % run's budget (whole batches).
        assert.ok(Math.abs(samples[samples.length - 1]! - p.poolLimit * p.epochs) < p.batch);
        // One epoch: the pairs kept (× the profile's passes), to within one batch.
        assert.ok(Math.abs(samples[0]! - keptPairs(p.poolLimit, pct) * p.epochs) <= p.batch / 2 + 1e-9);
        for (const r of runs) {
          assert.equal(r.spec.data, `run:${pool.hash}`);
          assert.equal(r.spec.noise, p.noise, "the noise label matches the pool's fraction");
          assert.equal(r.spec.model, p.model);
          assert.equal((r.spec.samples as number) % p.batch, 0);
          if (pct < 100) {
            assert.equal(r.spec.scores, score.hash);
            assert.ok(r.needs.includes(score.hash));
          } else assert.equal(r.spec.scores, "");
          assert.ok(r.index > score.index || pct === 100);
        }
        // The labels against the specs: "equal" is the 100 % run's samples seen, for the same seed.
        const fullSamples = trains.find((r) => r.spec.qualityTop === 100 && r.spec.seed === seed)!.spec
          .samples;
        const cls = runs.map((r) => qualityRunOf(r)!);
        for (const [i, r] of runs.entries()) {
          assert.equal(cls[i]!.pct, pct);
          if (pct < 100)
            assert.deepEqual(cls[i]!.regimes, [r.spec.samples === fullSamples ? "equal" : "one-epoch"]);
        }
        if (pct === 100) assert.deepEqual(cls[0]!.regimes, ["one-epoch", "equal"]);
        else
          assert.deepEqual(
            cls.map((c) => c.regimes[0]).sort(),
            ["equal", "one-epoch"],
            `${profile} top-${pct}: one run per regime`,
          );
      }
    }
    // All filtered runs train the same model and schedule: equal samples ⇒ equal FLOPs.
    const equal = trains.filter(
      (r) => r.spec.samples === trains.find((t) => t.spec.qualityTop === 100)!.spec.samples,
    );
    const flops = equal.map((r) => r.kind.cost(r.spec));
    assert.ok(Math.max(...flops) / Math.min(...flops) - 1 < 1e-9);
  }
  assert.match(sweepFor(SECTION, "quick", "/tmp/unused").notes ?? "", /3\.4B/);
});

test("data-quality smoke sweep runs end to end", {
  skip: !HAVE_DATA && "needs data/ (clipdown data build)",
}, async () => {
  await initBackend();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-dq-smoke-"));
  const t0 = Date.now();
  const sweep = sweepFor(SECTION, "smoke", root);
  const report = await runSweep(sweep, { jobs: 0, log: () => {} });
  assert.equal(report.failed, 0, JSON.stringify(report.outcomes.map((o) => o.error ?? "")));
  assert.equal(report.outcomes.length, 13);
  const lines = fs
    .readFileSync(sweep.jsonl, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, sweep.runs.length, "one result line per run");
  const pictograms = corpusIdentity("data/pictograms");
  for (const l of lines) {
    if (l.spec.kind === "train") {
      for (const m of [
        "heldout-emoji-441/acc1",
        "heldout-noto/text_retrieval_recall@1",
        "heldout-noto/image_retrieval_recall@1",
      ])
        assert.equal(typeof l.metrics[m], "number", m);
      // Trained on a noisy copy: the copy's own hash, and the built corpus underneath as its source.
      assert.match(l.corpus.dir, /^run:/);
      assert.equal(l.corpus.source, pictograms!.contentHash);
      assert.notEqual(l.corpus.contentHash, pictograms!.contentHash);
    }
    if (l.spec.kind === "noise")
      assert.deepEqual(l.corpus, pictograms, "a noise run names the corpus it copied");
    if (l.spec.kind === "score") {
      for (const m of ["auc", "precision@20", "precision@40", "recall@80"])
        assert.ok(l.metrics[m] >= 0 && l.metrics[m] <= 1, m);
      assert.equal(l.metrics.clean_fraction, 0.5);
    }
    if (l.spec.kind === "noise" && l.spec.part === "pool") {
      assert.equal(l.metrics.pairs, PROFILES.smoke.poolLimit);
      assert.equal(l.metrics.corrupted, PROFILES.smoke.poolLimit / 2);
    }
  }
  // The filtered runs trained on exactly the pairs kept (the trainer logs the filter).
  const top40 = sweep.runs.find((r) => r.spec.qualityTop === 40)!;
  const log = fs.readFileSync(path.join(top40.dir, "run.log"), "utf8");
  assert.match(
    log,
    new RegExp(
      `top 40% by .*: ${keptPairs(PROFILES.smoke.poolLimit, 40)} of ${PROFILES.smoke.poolLimit} pairs`,
    ),
  );
  fs.rmSync(root, { recursive: true, force: true });
  console.log(`data-quality smoke sweep: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});
