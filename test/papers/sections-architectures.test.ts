/**
 * The architectures sweep: specs validate for every profile, the grid has the axes Fig. 12/14/15
 * need (ViT / ResNet / Mixer × one-epoch budgets, each evaluated on zero-shot with the shift
 * variants, retrieval and a linear probe), the compared towers really have similar FLOPs, and the
 * smoke sweep runs end to end. About 30–60 s (six tiny runs in-process; more on a loaded machine).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { catalog, getSection } from "../../src/papers/catalog";
import {
  ARCHITECTURES,
  ARCHITECTURES_PLANS,
  architecturesSweep,
} from "../../src/papers/scaling-down/architectures";
import { ARCHITECTURES_FINDINGS } from "../../src/papers/scaling-down/architectures-findings";
import { towerOf } from "../../src/papers/scaling-down/vit-size-findings";
import { specFlopsPerSample, type TrainSpec } from "../../src/runs/train";
import { loadSweepResults } from "../../src/sweep/results";
import { runSweep } from "../../src/sweep/runner";
import { buildSweep, PROFILES } from "../../src/sweep/sweep";
import { initBackend } from "../../src/tf";

const specsOf = (profile: (typeof PROFILES)[number]) =>
  buildSweep(architecturesSweep(profile), catalog().kinds, "/tmp/none").runs.map((r) => r.spec as TrainSpec);

test("architectures is registered and every profile's specs validate: CLIP, one epoch, whole batches", () => {
  assert.equal(getSection("architectures").build("full").runs.length, architecturesSweep("full").runs.length);
  for (const p of PROFILES) {
    const specs = specsOf(p);
    const plan = ARCHITECTURES_PLANS[p];
    assert.equal(specs.length, plan.models.length * plan.budgets.length * plan.seeds.length, p);
    for (const s of specs) {
      assert.equal(s.strategy, "clip");
      assert.equal(s.subset, s.samples, "one epoch: samples seen = subset size");
      assert.equal(s.samples % s.batch, 0);
    }
    // One tower of each family in every profile (nano ones in smoke).
    assert.deepEqual(
      [...new Set(plan.models.map((m) => towerOf(m).kind))].sort(),
      ["mixer", "resnet", "vit"],
      p,
    );
  }
});

test("quick and full: each tower × each budget, evaluated on zero-shot + shift variants, retrieval and a probe", () => {
  for (const p of ["quick", "full"] as const) {
    const plan = ARCHITECTURES_PLANS[p];
    const specs = specsOf(p);
    for (const { model } of ARCHITECTURES)
      for (const n of plan.budgets)
        assert.ok(
          specs.some((s) => s.model === model && s.samples === n),
          `${p}: ${model} @ ${n}`,
        );
    for (const s of specs) {
      assert.ok(s.eval.includes("heldout"), "held-out zero-shot and retrieval");
      assert.ok(s.eval.includes("zeroshot:emoji-441"), "emoji-441 zero-shot adds the shift variants");
      assert.ok(s.eval.includes("linear-probe:noto-subgroups"));
    }
    // Below the paper's 100M (≈ 960 of ours) for D10; full goes past its 400M crossover (≈ 3,850) for D9.
    assert.ok(plan.budgets[0]! < 960, p);
    if (p === "full") assert.ok(plan.budgets[plan.budgets.length - 1]! > 3850);
  }
});

test("similar FLOPs: ViT and ResNet within 5 %, the Mixer within 35 %, forward and in training", () => {
  const f = Object.fromEntries(ARCHITECTURES.map((a) => [a.model, towerOf(a.model).flops]));
  const vit = f["vit-b/8"]!;
  assert.ok(Math.abs(f["rn-m"]! / vit - 1) < 0.05, `rn-m ${f["rn-m"]} vs vit-b/8 ${vit}`);
  assert.ok(Math.abs(f["mixer-b/8"]! / vit - 1) < 0.35, `mixer-b/8 ${f["mixer-b/8"]} vs vit-b/8 ${vit}`);
  // The whole model's training FLOPs per sample (both towers, as the runner counts them).
  const train = (model: string) =>
    specFlopsPerSample({ model, strategy: "clip", imageSize: 32, contextLength: 16 });
  assert.ok(Math.abs(train("rn-m") / train("vit-b/8") - 1) < 0.05);
  assert.ok(Math.abs(train("mixer-b/8") / train("vit-b/8") - 1) < 0.25);
});

test("the smoke sweep runs end to end: one line per run with held-out metrics; findings evaluate on it", async () => {
  await initBackend();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-architectures-"));
  try {
    const sweep = buildSweep(architecturesSweep("smoke"), catalog().kinds, root);
    const t0 = Date.now();
    const report = await runSweep(sweep, { jobs: 0, log: () => {} });
    assert.equal(report.failed, 0, JSON.stringify(report.outcomes.map((o) => o.error ?? "")));
    const lines = loadSweepResults("architectures", "smoke", root);
    assert.equal(lines.length, 6);
    for (const l of lines) {
      for (const m of [
        "heldout-emoji-441/acc1",
        "heldout-noto/text_retrieval_recall@1",
        "heldout-noto/image_retrieval_recall@1",
        "loss",
      ])
        assert.ok(Number.isFinite(l.metrics[m]), `${l.spec.model} @ ${l.spec.samples} has ${m}`);
      assert.equal(l.samples, l.spec.samples);
    }
    const d9 = ARCHITECTURES_FINDINGS.find((f) => f.id === 9)!.evaluate!(lines);
    assert.ok(["reproduced", "not reproduced", "inconclusive"].includes(d9.verdict), d9.measured);
    assert.equal(d9.evidence.length, 8);
    const d10 = ARCHITECTURES_FINDINGS.find((f) => f.id === 10)!.evaluate!(lines);
    assert.equal(d10.verdict, "not testable", "smoke runs have no linear probe");
    console.log(`architectures smoke sweep in-process: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
