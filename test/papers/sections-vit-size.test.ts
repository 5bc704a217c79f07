/**
 * The vit-size sweep: specs validate for every profile, the grid has the axes Fig. 8a/11 (ViT sizes
 * × one-epoch budgets) and Fig. 9/10 (sizes × subset sizes at one fixed budget) need, the sizes
 * really grow in FLOPs, and the smoke sweep runs end to end (one result line per run, the held-out
 * metrics present, the findings evaluate on it). About 30–60 s (five tiny runs in-process; more on a
 * loaded machine).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { catalog, getSection } from "../../src/papers/catalog";
import { PICTOGRAM_PAIRS } from "../../src/papers/catlip/catlip";
import { CHOSEN_RECIPE } from "../../src/papers/clipdown/recipe";
import {
  FIXED_PROBE,
  VIT_SIZE_PLANS,
  VIT_SIZES,
  vitSizeRun,
  vitSizeSweep,
} from "../../src/papers/scaling-down/vit-size";
import { towerOf, VIT_SIZE_FINDINGS } from "../../src/papers/scaling-down/vit-size-findings";
import type { TrainSpec } from "../../src/runs/train";
import { loadSweepResults } from "../../src/sweep/results";
import { runSweep } from "../../src/sweep/runner";
import { buildSweep, PROFILES } from "../../src/sweep/sweep";
import { initBackend } from "../../src/tf";

const CORPUS = PICTOGRAM_PAIRS;
const specsOf = (profile: (typeof PROFILES)[number]) =>
  buildSweep(vitSizeSweep(profile), catalog().kinds, "/tmp/none").runs.map((r) => r.spec as TrainSpec);

test("vit-size is registered and every profile's specs validate: CLIP, whole batches, subsets that fit", () => {
  assert.equal(getSection("vit-size").build("quick").runs.length, vitSizeSweep("quick").runs.length);
  for (const p of PROFILES) {
    const specs = specsOf(p);
    assert.ok(specs.length >= 4, p);
    for (const s of specs) {
      assert.equal(s.strategy, "clip");
      assert.equal(s.samples % s.batch, 0, `${p}: ${s.samples} is whole batches of ${s.batch}`);
      assert.ok(s.subset > 0 && s.subset <= CORPUS && s.subset <= s.samples, `${p}: subset ${s.subset}`);
      assert.ok(
        s.warmup >= 1 && s.warmup <= Math.max(1, s.samples / s.batch / 5),
        `${p}: warmup ${s.warmup}`,
      );
    }
  }
});

test("quick and full: every ViT size × every one-epoch budget, and a fixed-budget grid over subset sizes", () => {
  for (const p of ["quick", "full"] as const) {
    const plan = VIT_SIZE_PLANS[p];
    const specs = specsOf(p);
    assert.deepEqual(plan.models, ["vit-ti/8", "vit-s/8", "vit-b/8"], "vit-l/8 is left out (notes)");
    for (const m of plan.models)
      for (const n of plan.budgets)
        assert.ok(
          specs.some((s) => s.model === m && s.samples === n && s.subset === n),
          `${p}: ${m} one epoch of ${n}`,
        );
    assert.ok(plan.budgets.length >= 3, `${p}: at least three budgets for a curve`);
    const fixed = plan.fixed!;
    // Issue 17: samples seen span at least 30× (smallest budget → the fixed budget).
    assert.ok(fixed.samples / plan.budgets[0]! >= 30, `${p}: span ${fixed.samples / plan.budgets[0]!}×`);
    assert.ok(fixed.models.length >= 2 && fixed.subsets.length >= 2 && fixed.probe, p);
    for (const m of fixed.models)
      for (const sub of fixed.subsets)
        assert.ok(
          specs.some((s) => s.model === m && s.samples === fixed.samples && s.subset === sub),
          `${p}: ${m} ${sub}`,
        );
    // The same spec on both grids is one run.
    assert.equal(new Set(specs.map((s) => JSON.stringify(s))).size, specs.length);
    // The recipe's eval (noto-nouns, Noto retrieval) everywhere; the probe on every run trained to S.
    const base = ["heldout", "zeroshot:noto-nouns", "retrieval:noto"];
    for (const s of specs) {
      assert.deepEqual(
        s.eval,
        s.samples === fixed.samples ? [...base, FIXED_PROBE] : base,
        `${p}: ${s.model} @ ${s.samples}`,
      );
      // The measured recipe (CHOSEN_RECIPE), not the first pass's stored captions and preset text tower.
      assert.deepEqual(
        [s.captions, s.textWidth, s.textDepth, s.batch, s.lr, s.wd],
        [
          CHOSEN_RECIPE.captions,
          CHOSEN_RECIPE.textWidth,
          CHOSEN_RECIPE.textDepth,
          CHOSEN_RECIPE.batch,
          CHOSEN_RECIPE.lr,
          CHOSEN_RECIPE.wd,
        ],
      );
    }
  }
  assert.deepEqual(VIT_SIZE_PLANS.full.seeds, [0, 1, 2]);
  const quickHashes = new Set(
    getSection("vit-size")
      .build("quick")
      .runs.map((r) => JSON.stringify(r.spec)),
  );
  const fullHashes = new Set(
    getSection("vit-size")
      .build("full")
      .runs.map((r) => JSON.stringify(r.spec)),
  );
  assert.ok(
    [...quickHashes].every((h) => fullHashes.has(h)),
    "quick is seed 0 of full",
  );
});

test("architectures still builds the first pass's specs through vitSizeRun (no recipe: stored captions, no wd key)", () => {
  const spec = vitSizeRun({ batch: 64, evalSize: 500, eval: ["heldout"] }, "vit-ti/8", 1536, 1536, 0);
  assert.equal(spec.captions, "full");
  assert.equal(spec.textWidth, 0);
  assert.equal("wd" in spec, false);
  assert.equal(spec.warmup, 2, "a tenth of 24 steps, rounded");
});

test("each run's axis labels match its spec: one epoch = the budget over as many pairs, fixed = the plan's budget", () => {
  for (const p of PROFILES) {
    const plan = VIT_SIZE_PLANS[p];
    for (const r of buildSweep(vitSizeSweep(p), catalog().kinds, "/tmp/none").runs) {
      const x = r.spec as TrainSpec;
      const axes = [
        ...(x.subset === x.samples && plan.models.includes(x.model) && plan.budgets.includes(x.samples)
          ? ["one epoch"]
          : []),
        ...(plan.fixed && x.samples === plan.fixed.samples && plan.fixed.models.includes(x.model)
          ? ["fixed samples"]
          : []),
      ];
      assert.deepEqual(
        [...(r.labels.axis ?? [])].sort(),
        axes.sort(),
        `${p}: ${x.model} ${x.subset}/${x.samples}`,
      );
    }
  }
});

test("the ViT presets grow: each size has more image FLOPs and parameters than the one before", () => {
  const flops = VIT_SIZES.map((m) => towerOf(m).flops);
  for (let i = 1; i < flops.length; i++) assert.ok(flops[i]! > 1.5 * flops[i - 1]!, `${VIT_SIZES[i]}`);
  assert.ok(VIT_SIZES.every((m) => towerOf(m).kind === "vit"));
});

test("the notes give the size mapping", () => {
  const notes = vitSizeSweep("quick").notes!;
  assert.match(notes, /3\.4B/);
  assert.match(notes, /4096 ≈ 426M/);
  assert.match(notes, /vit-l\/8 \(29× vit-ti\/8's training FLOPs/);
});

test("the smoke sweep runs end to end: one line per run with held-out metrics; findings evaluate on it", async () => {
  await initBackend();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-vit-size-"));
  try {
    const sweep = buildSweep(vitSizeSweep("smoke"), catalog().kinds, root);
    const t0 = Date.now();
    const report = await runSweep(sweep, { jobs: 0, log: () => {} });
    assert.equal(report.failed, 0, JSON.stringify(report.outcomes.map((o) => o.error ?? "")));
    const lines = loadSweepResults("vit-size", "smoke", root);
    assert.equal(lines.length, sweep.runs.length);
    for (const l of lines) {
      for (const m of [
        "heldout-emoji-441/acc1",
        "heldout-emoji-441/acc5",
        "heldout-noto/text_retrieval_recall@1",
        "heldout-noto/image_retrieval_recall@1",
        "loss",
      ])
        assert.ok(Number.isFinite(l.metrics[m]), `${l.spec.model} @ ${l.spec.samples} has ${m}`);
      assert.equal(l.samples, l.spec.samples);
      assert.ok((l.flops ?? 0) > 0);
    }
    // The bigger tower costs more FLOPs per sample in the recorded results.
    const per = (m: string) => {
      const l = lines.find((x) => x.spec.model === m && x.spec.samples === 64)!;
      return l.flops / l.samples;
    };
    assert.ok(per("vit-ti/8") > per("nano"));
    const d7 = VIT_SIZE_FINDINGS.find((f) => f.id === 7)!.evaluate!(lines);
    assert.ok(["reproduced", "not reproduced", "inconclusive"].includes(d7.verdict), d7.measured);
    assert.equal(d7.evidence.length, 8);
    // Smoke has no linear probe: D8 says so rather than failing.
    const d8 = VIT_SIZE_FINDINGS.find((f) => f.id === 8)!.evaluate!(lines);
    assert.ok(d8.verdict === "not testable" || d8.verdict === "inconclusive", d8.measured);
    console.log(`vit-size smoke sweep in-process: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
