import assert from "node:assert/strict";
import { before, test } from "node:test";
import { buildClipModel } from "../../src/models/clip-model";
import { countParams } from "../../src/models/flops";
import { PRESET_NAMES, resolvePreset } from "../../src/models/presets";
import { initBackend } from "../../src/tf";

before(async () => {
  await initBackend();
});

// Independent closed forms, written from the architecture description, not from src/models/flops.ts.
const block = (w: number) => 12 * w * w + 13 * w; // ln1 2w, qkv 3w²+3w, proj w²+w, ln2 2w, fc1 4w²+4w, fc2 4w²+w

function vitParams(s: number, p: number, w: number, depth: number, e: number): number {
  const n = (s / p) ** 2;
  return p * p * 3 * w + w + (n + 1) * w + 2 * w + depth * block(w) + 2 * w + w * e;
}
function textParams(v: number, t: number, w: number, depth: number, e: number): number {
  return v * w + t * w + depth * block(w) + 2 * w + w * e;
}
function vitFlopsRef(s: number, p: number, w: number, depth: number, e: number): number {
  const n = (s / p) ** 2;
  const t = n + 1;
  // per block: qkv 6tw² + proj 2tw² + mlp 16tw² (= 24tw²), scores 2t²w + weighted sum 2t²w
  return 2 * n * (p * p * 3) * w + depth * (24 * t * w * w + 4 * t * t * w) + 2 * w * e;
}

test("ViT and text parameter counts and FLOPs match the closed forms (nano and vit-s/8)", () => {
  for (const [name, s] of [
    ["nano", 32],
    ["vit-s/8", 32],
    ["vit-ti/4", 64],
  ] as const) {
    const cfg = resolvePreset(name, { imageSize: s, vocabSize: 100 });
    const m = buildClipModel(cfg, 0);
    if (cfg.image.kind !== "vit") throw new Error("expected vit");
    const { patchSize: p, width: w, depth } = cfg.image;
    const e = cfg.embedDim;
    assert.equal(countParams(m.params, "visual."), vitParams(s, p, w, depth, e), name);
    assert.equal(
      countParams(m.params, "text."),
      textParams(100, 16, cfg.text.width, cfg.text.depth, e),
      name,
    );
    assert.equal(
      countParams(m.params),
      countParams(m.params, "visual.") + countParams(m.params, "text.") + 1,
    ); // + logit_scale
    assert.equal(m.flops().image, vitFlopsRef(s, p, w, depth, e), name);
    const tw = cfg.text.width;
    assert.equal(m.flops().text, cfg.text.depth * (24 * 16 * tw * tw + 4 * 256 * tw) + 2 * tw * e, name);
    m.dispose();
  }
  // nano by hand: 3072 + 16 + 17·16 + 32 + 3280 + 32 + 256
  const nano = buildClipModel(resolvePreset("nano", { imageSize: 32, vocabSize: 64 }), 0);
  assert.equal(countParams(nano.params, "visual."), 6960);
  assert.equal(nano.flops().image, 98304 + 24 * 17 * 256 + 4 * 289 * 16 + 512);
  nano.dispose();
});

test("ResNet (nano-rn) params and FLOPs derived by hand", () => {
  const m = buildClipModel(resolvePreset("nano-rn", { imageSize: 32, vocabSize: 64 }), 0);
  // stem 3·3·3·4 + BN 8; block0: two 3·3·4·4 convs + BN; block1: 3·3·4·8, 3·3·8·8, 1·1·4·8 + BNs; proj 8·16
  const params = 108 + 8 + (144 + 8) * 2 + (288 + 16) + (576 + 16) + (32 + 16) + 128;
  assert.equal(countParams(m.params, "visual."), params);
  // BN running stats are buffers, not params: 2 per channel of each BN
  assert.equal(countParams(m.buffers), 2 * (4 + 4 + 4 + 8 + 8 + 8));
  const flops =
    2 * 9 * 3 * 4 * 1024 + // stem at 32×32
    2 * (2 * 9 * 4 * 4 * 1024) + // block0 at 32×32
    2 * 9 * 4 * 8 * 256 + // block1 conv1 stride 2 → 16×16
    2 * 9 * 8 * 8 * 256 + // block1 conv2
    2 * 4 * 8 * 256 + // shortcut 1×1 stride 2
    2 * 8 * 16; // projection
  assert.equal(m.flops().image, flops);
  m.dispose();
});

test("Mixer (nano-mixer) params and FLOPs derived by hand", () => {
  const m = buildClipModel(resolvePreset("nano-mixer", { imageSize: 32, vocabSize: 64 }), 0);
  // patch 192·16+16; block: ln 32, token 16·8+8 + 8·16+16, ln 32, channel 16·32+32 + 32·16+16; ln 32; proj 16·16
  assert.equal(countParams(m.params, "visual."), 3088 + (32 + 136 + 144 + 32 + 544 + 528) + 32 + 256);
  assert.equal(
    m.flops().image,
    2 * 16 * 192 * 16 + (2 * 2 * 16 * 16 * 8 + 2 * 2 * 16 * 16 * 32) + 2 * 16 * 16,
  );
  m.dispose();
});

test("preset family keeps ViT ratios and rn-m FLOPs are within 10% of vit-b/8", () => {
  const r = (n: string) => resolvePreset(n, { imageSize: 32, vocabSize: 2048 });
  const widths = ["vit-ti/8", "vit-s/8", "vit-b/8", "vit-l/8"].map((n) => {
    const c = r(n).image;
    if (c.kind !== "vit") throw new Error("vit");
    return [c.width, c.depth, c.heads];
  });
  assert.deepEqual(widths, [
    [192 / 4, 4, 3],
    [384 / 4, 4, 6],
    [768 / 4, 4, 12],
    [1024 / 4, 8, 16],
  ]);
  const m1 = buildClipModel(r("rn-m"), 0);
  const m2 = buildClipModel(r("vit-b/8"), 0);
  const ratio = m1.flops().image / m2.flops().image;
  assert.ok(ratio > 0.9 && ratio < 1.1, `rn-m / vit-b/8 FLOPs = ${ratio}`);
  const at64 = (n: string) => buildClipModel(resolvePreset(n, { imageSize: 64, vocabSize: 2048 }), 0);
  const [r64, v64] = [at64("rn-m"), at64("vit-b/8")];
  const ratio64 = r64.flops().image / v64.flops().image;
  assert.ok(ratio64 > 0.9 && ratio64 < 1.1, `rn-m / vit-b/8 FLOPs at 64 px = ${ratio64}`);
  r64.dispose();
  v64.dispose();
  assert.deepEqual(r("vit-s/8").text, {
    width: 128,
    depth: 4,
    heads: 4,
    mlpRatio: 4,
    vocabSize: 2048,
    contextLength: 16,
  });
  m1.dispose();
  m2.dispose();
});

test("resolvePreset errors name the problem and the fix", () => {
  assert.throws(
    () => resolvePreset("vit-xl", { imageSize: 32, vocabSize: 10 }),
    new RegExp(
      `unknown model preset "vit-xl"; valid presets: ${PRESET_NAMES.join(", ").replaceAll("/", "\\/")}`,
    ),
  );
  assert.throws(
    () => resolvePreset("vit-s/8", { imageSize: 36, vocabSize: 10 }),
    /image size 36 is not divisible by patch size 8 of preset "vit-s\/8"; use a multiple of 8/,
  );
  assert.throws(
    () => resolvePreset("nano", { imageSize: 32, vocabSize: 1 }),
    /vocabSize must be an integer ≥ 2, got 1/,
  );
  assert.throws(
    () => resolvePreset("nano", { imageSize: 0, vocabSize: 10 }),
    /imageSize must be a positive integer, got 0/,
  );
  const c = resolvePreset("rn-s", { imageSize: 64, vocabSize: 10, contextLength: 12 });
  assert.equal(c.text.contextLength, 12);
  assert.ok(c.image.kind === "resnet" && c.image.stemStride === 1 && c.image.imageSize === 64);
});
