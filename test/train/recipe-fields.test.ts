/**
 * The fields added for the recipe (text-tower shape, caption sampling): presets honour them, FLOPs
 * follow them, and a train spec leaves them out at their old behaviour so every published run keeps
 * its hash (its run directory) while a run that sets them gets a new one.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { meanOffDiagonalCosine } from "../../src/eval/heldout-eval";
import { resolvePreset } from "../../src/models/presets";
import { normalizeTrainSpec, specFlopsPerSample, toTrainConfig } from "../../src/runs/train";
import {
  addedAfterResultsDefaults,
  STRATEGY_OPTIONS,
  type StrategyOptionSpec,
} from "../../src/strategies/options";
import { specHash } from "../../src/sweep/spec";
import { LEGACY_NEUTRAL, presetOpts, resolveTrainConfig } from "../../src/train/config";

test("text-tower overrides: width, depth, heads (width / 32 unless given), validated", () => {
  const base = resolvePreset("vit-ti/8", { imageSize: 32, vocabSize: 100 });
  assert.deepEqual([base.text.width, base.text.depth, base.text.heads], [128, 4, 4]);
  const small = resolvePreset("vit-ti/8", { imageSize: 32, vocabSize: 100, text: { width: 64, depth: 2 } });
  assert.deepEqual([small.text.width, small.text.depth, small.text.heads], [64, 2, 2]);
  assert.deepEqual(small.image, base.image, "the image tower is untouched");
  const cfg = resolveTrainConfig({ textWidth: 96, textDepth: 0, textHeads: 3 });
  const o = resolvePreset("vit-ti/8", presetOpts(cfg, 100)).text;
  assert.deepEqual([o.width, o.depth, o.heads], [96, 4, 3]);
  assert.throws(
    () => resolvePreset("vit-ti/8", { imageSize: 32, vocabSize: 100, text: { width: 100, heads: 3 } }),
    /text width 100 is not divisible by its 3 heads/,
  );
});

test("logitScaleInit sets the initial inverse temperature; 0 keeps CLIP's 1/0.07", async () => {
  const { buildClipModel } = await import("../../src/models/clip-model");
  const { initBackend } = await import("../../src/tf");
  await initBackend();
  const at = (scale: number) => {
    const m = buildClipModel(
      resolvePreset("nano", { imageSize: 32, vocabSize: 50, logitScaleInit: scale }),
      0,
    );
    const v = Math.exp(m.params.logit_scale!.dataSync()[0]!);
    m.dispose();
    return v;
  };
  assert.ok(Math.abs(at(0) - 1 / 0.07) < 1e-3);
  assert.ok(Math.abs(at(50) - 50) < 1e-3);
});

test("training FLOPs per sample shrink with the text tower", () => {
  const spec = normalizeTrainSpec({ model: "vit-ti/8", textWidth: 0, textDepth: 0 });
  const small = normalizeTrainSpec({ model: "vit-ti/8", textWidth: 64, textDepth: 2 });
  const ratio = specFlopsPerSample(small) / specFlopsPerSample(spec);
  assert.ok(ratio < 0.4 && ratio > 0.1, `ratio ${ratio}`);
});

test("specs leave the new fields out at their old behaviour; published hashes are unchanged", () => {
  const plain = normalizeTrainSpec({ model: "vit-ti/8", captions: "full", textWidth: 0, textDepth: 0 });
  for (const k of ["textWidth", "textDepth", "textHeads", "logitScaleInit", "captions"])
    assert.ok(!(k in plain), k);
  // Today's defaults (caption sampling, text tower) are not the old behaviour, so a spec relying on them says so.
  const today = normalizeTrainSpec({ model: "vit-ti/8" });
  assert.equal(today.captions, "mix");
  assert.ok(!("textWidth" in today), "the default text tower is the preset's, the old behaviour");
  const mixed = normalizeTrainSpec({ model: "vit-ti/8", captions: "mix", textWidth: 64 });
  assert.equal(mixed.captions, "mix");
  assert.equal(mixed.textWidth, 64);
  assert.notEqual(specHash(mixed), specHash(plain));
  // A spec without the fields runs with the old behaviour, not with today's defaults.
  const cfg = toTrainConfig(plain, "/tmp/x");
  assert.equal(cfg.captions, "full");
  assert.equal(cfg.textWidth, 0);
  // Every published train line, with the new fields at their old behaviour, re-normalises to its own hash.
  const dir = path.join(__dirname, "..", "..", "results");
  let checked = 0;
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".jsonl"))) {
    for (const line of fs.readFileSync(path.join(dir, f), "utf8").split("\n")) {
      if (!line.trim()) continue;
      const r = JSON.parse(line) as { hash: string; kind: string; spec: Record<string, unknown> };
      if (r.kind !== "train") continue;
      assert.equal(specHash(normalizeTrainSpec({ ...LEGACY_NEUTRAL, ...r.spec })), r.hash, `${f}: ${r.hash}`);
      checked++;
    }
  }
  assert.ok(checked > 100, `${checked} published train lines checked`);
});

test("meanOffDiagonalCosine equals the brute-force mean over pairs", () => {
  const n = 5;
  const d = 3;
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const v = [Math.sin(i + 1), Math.cos(2 * i), 0.3 * i - 0.5];
    const norm = Math.hypot(...v);
    v.forEach((x, j) => {
      data[i * d + j] = x / norm;
    });
  }
  let sum = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      if (i !== j) for (let k = 0; k < d; k++) sum += data[i * d + k]! * data[j * d + k]!;
  assert.ok(Math.abs(meanOffDiagonalCosine({ data, n, d }) - sum / (n * (n - 1))) < 1e-6);
  const same = new Float32Array(n * d).fill(1 / Math.sqrt(d));
  assert.ok(Math.abs(meanOffDiagonalCosine({ data: same, n, d }) - 1) < 1e-6, "collapsed → 1");
});

test("a strategy option declared addedAfterResults is left out of specs at its default, so old hashes stand", () => {
  const fake = {
    kept: { strategy: "slip", kind: "number", default: 1, help: "" },
    added: { strategy: "slip", kind: "number", default: 0.1, help: "", addedAfterResults: true },
  } as const;
  assert.deepEqual(addedAfterResultsDefaults(fake), { added: 0.1 });
  // Every real option flagged so is in LEGACY_NEUTRAL with its default (none is flagged today).
  for (const [k, v] of Object.entries(addedAfterResultsDefaults()))
    assert.equal((LEGACY_NEUTRAL as Record<string, unknown>)[k], v, k);
  for (const [k, o] of Object.entries(STRATEGY_OPTIONS as Record<string, StrategyOptionSpec>))
    if (!o.addedAfterResults) assert.ok(!(k in LEGACY_NEUTRAL), `${k} is part of every spec`);
});
