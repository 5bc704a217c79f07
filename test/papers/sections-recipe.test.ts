/**
 * Section `recipe`: every profile builds valid, distinct specs; a run's variant label is recovered
 * from its normalised spec (the published form); rows average seeds; the defaults agree with RECIPE.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CHOSEN_LABEL,
  CHOSEN_RECIPE,
  RECIPE,
  RECIPE_PLANS,
  RECIPE_VARIANTS,
  recipeLabel,
  recipeRun,
  recipeSweep,
} from "../../src/papers/clipdown/recipe";
import { recipeRows } from "../../src/papers/findings/recipe-block";
import { PROFILE_SETTINGS } from "../../src/quickstart/settings";
import { normalizeTrainSpec } from "../../src/runs/train";
import { specHash } from "../../src/sweep/spec";
import { specOf } from "../../src/sweep/sweep";
import { TRAIN_DEFAULTS } from "../../src/train/config";

test("every profile builds distinct, valid train specs; quick has every variant on the default corpus once", () => {
  for (const profile of ["smoke", "quick", "full"] as const) {
    const sw = recipeSweep(profile);
    const hashes = sw.runs.map((r) => specHash(normalizeTrainSpec(specOf(r))));
    assert.equal(new Set(hashes).size, hashes.length, `${profile}: a run twice`);
  }
  const onDefaultCorpus = RECIPE_VARIANTS.filter((v) => v.knobs.data === undefined);
  assert.equal(recipeSweep("quick").runs.length, onDefaultCorpus.length + 2);
  assert.ok(
    recipeSweep("quick")
      .runs.map(specOf)
      .every((r) => r.data === "data/pictograms"),
    "quick needs only the default build",
  );
  const xl = recipeSweep("full")
    .runs.map(specOf)
    .filter((r) => r.data === "data/pictograms-xl");
  assert.deepEqual(
    xl.map((r) => r.seed),
    [0, 1, 2],
    "full: the larger corpus with 3 seeds",
  );
  const full = RECIPE_PLANS.full[0]!;
  assert.ok(full.samples >= 400_000 && (full.seeds?.[CHOSEN_LABEL]?.length ?? 0) >= 3);
  assert.throws(() => recipeSweep("quick", [{ ...full, variants: ["lr 9"] }]), /unknown variant "lr 9"/);
});

test("a run's label comes back from its normalised spec, for every variant", () => {
  for (const v of RECIPE_VARIANTS) {
    const spec = normalizeTrainSpec(
      recipeRun({ model: "vit-ti/8", samples: 102_400, evalSize: 400, eval: ["heldout"] }, v.knobs, 1),
    );
    assert.equal(recipeLabel(spec as Record<string, unknown>), v.label);
  }
  assert.equal(recipeLabel({ samples: 1000, lr: 0.123 }), undefined);
});

test("rows: seeds averaged (mean and sample sd, in percent), variants in sweep order", () => {
  const plan = { model: "vit-ti/8", samples: 1000, evalSize: 0, eval: ["heldout"] };
  const line = (knobs: object, seed: number, r: number) => ({
    hash: `h${seed}${r}`,
    spec: normalizeTrainSpec(recipeRun(plan, knobs, seed)) as Record<string, unknown>,
    metrics: { "noto-nouns/mean_per_class_recall": r },
    wallSeconds: 10,
  });
  const rows = recipeRows([line({ captions: "full" }, 0, 0.1), line({}, 0, 0.2), line({}, 1, 0.3)]);
  assert.deepEqual(
    rows.map((r) => [r.variant, r.seeds]),
    [
      ["base", 2],
      ["captions full", 1],
    ],
  );
  const m = rows[0]!.metrics["noto-nouns/mean_per_class_recall"]!;
  assert.ok(Math.abs(m.mean - 25) < 1e-9 && Math.abs(m.sd - Math.sqrt(50)) < 1e-9, JSON.stringify(m));
});

test("clipdown train's defaults and the quickstart use the chosen recipe, a variant the sweep ran", () => {
  const chosen = RECIPE_VARIANTS.find((v) => v.label === CHOSEN_LABEL)!;
  assert.deepEqual({ ...RECIPE, ...chosen.knobs }, CHOSEN_RECIPE);
  for (const k of ["model", "lr", "batch", "wd", "captions", "logitScaleInit"] as const)
    assert.equal(TRAIN_DEFAULTS[k], CHOSEN_RECIPE[k], k);
  // The text tower default is the preset's (it must fit nano too); the quickstart sets the recipe's.
  assert.deepEqual([TRAIN_DEFAULTS.textWidth, TRAIN_DEFAULTS.textDepth], [0, 0]);
  for (const p of ["quick", "full"] as const) {
    const s = PROFILE_SETTINGS[p];
    assert.equal(s.lr, CHOSEN_RECIPE.lr);
    assert.equal(s.captions, CHOSEN_RECIPE.captions);
    assert.equal(s.batch, CHOSEN_RECIPE.batch);
    assert.deepEqual([s.textWidth, s.textDepth], [CHOSEN_RECIPE.textWidth, CHOSEN_RECIPE.textDepth]);
  }
});
