/** Run specs: canonical JSON, hashing (key order, every field), validation and its error messages. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { RUN_KINDS } from "../../src/runs";
import { normalizeTrainSpec, toTrainConfig } from "../../src/runs/train";
import { normalizeSpec as normalizeWith } from "../../src/sweep/kinds";
import { canonicalJson, HASH_LENGTH, specHash } from "../../src/sweep/spec";
import { buildSweep, withDependencies } from "../../src/sweep/sweep";
import { TRAIN_DEFAULTS } from "../../src/train/config";
import { kinds as pluginKinds } from "./plugin";

/** The built-in kinds and the test plugin's `fake`. */
const KINDS = { ...RUN_KINDS, ...Object.fromEntries(pluginKinds.map((k) => [k.name, k])) };
const normalizeSpec = (raw: Record<string, unknown>) => normalizeWith(KINDS, raw);

test("canonicalJson sorts keys at every level and drops undefined members", () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: "s" } }),
    '{"a":{"c":"s","d":[3,{"x":2,"y":1}]},"b":1}',
  );
  assert.equal(canonicalJson({ a: undefined, b: -0 }), '{"b":0}');
  assert.throws(() => canonicalJson({ lr: Number.NaN }), /spec\.lr is NaN/);
  assert.throws(() => canonicalJson({ f: () => 1 }), /spec\.f is a function/);
});

test("a spec's hash does not depend on key order or key spelling, and is 16 hex digits", () => {
  const a = normalizeTrainSpec({ model: "nano", samples: 512, batch: 8, seed: 3, imageSize: 16 });
  const b = normalizeTrainSpec({ "image-size": 16, seed: 3, batch: 8, samples: 512, model: "nano" });
  assert.equal(specHash(a), specHash(b));
  assert.match(specHash(a), new RegExp(`^[0-9a-f]{${HASH_LENGTH}}$`));
  // Defaults are filled in: writing a default explicitly is the same run.
  const c = normalizeTrainSpec({
    model: "nano",
    samples: 512,
    batch: 8,
    seed: 3,
    imageSize: 16,
    lr: TRAIN_DEFAULTS.lr,
  });
  assert.equal(specHash(a), specHash(c));
});

test("changing any single field of a train spec changes its hash", () => {
  const base = normalizeTrainSpec({ model: "nano", samples: 512, batch: 8, imageSize: 16 });
  const h0 = specHash(base);
  const seen = new Set([h0]);
  for (const [k, v] of Object.entries(base)) {
    if (k === "kind") continue;
    let changed: unknown;
    if (typeof v === "number") changed = k === "qualityTop" ? v - 1 : v + 1;
    else if (typeof v === "string") changed = `${v}x`;
    else if (typeof v === "boolean") changed = !v;
    else if (Array.isArray(v)) changed = v.length ? [] : ["heldout"];
    else continue;
    const mutated = { ...base, [k]: changed } as Record<string, unknown>;
    const h = specHash(mutated as never);
    assert.notEqual(h, h0, `field ${k}`);
    assert.ok(!seen.has(h), `field ${k} collides`);
    seen.add(h);
  }
  assert.ok(seen.size > 15, `only ${seen.size} fields checked`);
});

test("validation names the field and the allowed values", () => {
  assert.throws(
    () => normalizeTrainSpec({ modle: "nano" }),
    /unknown train spec field "modle"; valid fields: model, /,
  );
  assert.throws(() => normalizeTrainSpec({ out: "x" }), /"out" is set by the sweep runner/);
  assert.throws(() => normalizeTrainSpec({ batch: 0 }), /batch must be >= 1, got 0/);
  assert.throws(
    () => normalizeTrainSpec({ eval: ["bogus"] }),
    /unknown eval task "bogus" in "bogus"; valid tasks: heldout, zeroshot, linear-probe/,
  );
  assert.throws(() => normalizeTrainSpec({ noise: 1.5 }), /noise must be a fraction in \[0, 1\), got 1.5/);
  assert.throws(() => normalizeTrainSpec({ scores: "abc" }), /scores must be "" or the hash of a score run/);
  assert.throws(
    () => normalizeSpec({ kind: "nope" }),
    /unknown run kind "nope"; valid kinds: train, noise, score, fake/,
  );
});

test("toTrainConfig adds the runner's plumbing without touching result fields", () => {
  const spec = normalizeTrainSpec({ model: "nano", samples: 800, batch: 8, imageSize: 16 });
  const cfg = toTrainConfig(spec, "/tmp/run-x");
  assert.equal(cfg.out, "/tmp/run-x");
  assert.equal(cfg.resume, true);
  assert.equal(cfg.quiet, true);
  // 100 steps → a checkpoint every 10 steps (80 samples).
  assert.equal(cfg.checkpointEvery, 80);
  for (const k of ["model", "samples", "batch", "lr", "seed", "imageSize"] as const)
    assert.equal(cfg[k], spec[k]);
});

test("buildSweep dedupes identical specs, orders dependencies first, and run-index pulls them in", () => {
  const dep = normalizeSpec({ kind: "fake", name: "dep" });
  const h = specHash(dep);
  const sweep = buildSweep(
    {
      section: "t",
      profile: "smoke",
      runs: [
        { kind: "fake", name: "user", needs: [h] },
        { kind: "fake", name: "solo" },
        dep,
        { name: "dep", kind: "fake" },
      ],
    },
    KINDS,
    "/tmp/r",
  );
  assert.deepEqual(
    sweep.runs.map((r) => r.spec.name),
    ["dep", "user", "solo"],
  );
  assert.equal(sweep.runs[1]!.dir, `/tmp/r/t/${sweep.runs[1]!.hash}`);
  assert.equal(sweep.jsonl, "/tmp/r/t-smoke.jsonl");
  assert.deepEqual(
    withDependencies(sweep, 1).map((r) => r.spec.name),
    ["dep", "user"],
  );
  assert.throws(() => withDependencies(sweep, 3), /run index 3 is out of range: t\/smoke has 3 runs \(0–2\)/);
  assert.throws(
    () =>
      buildSweep(
        {
          section: "t",
          profile: "smoke",
          runs: [{ kind: "fake", name: "x", needs: ["0123456789abcdef"] }],
        },
        KINDS,
      ),
    /needs run 0123456789abcdef, which is not in the sweep/,
  );
});

test("labels sit beside a spec, outside its hash; a spec listed twice keeps every value it was given", () => {
  const spec = { kind: "fake", name: "shared" };
  const sweep = buildSweep(
    {
      section: "t",
      profile: "smoke",
      runs: [
        { spec, labels: { axis: "grid", variant: "a" } },
        { spec: { ...spec }, labels: { axis: "fixed", variant: "a" } },
        { kind: "fake", name: "plain" },
      ],
    },
    KINDS,
    "/tmp/r",
  );
  assert.equal(sweep.runs.length, 2);
  assert.equal(sweep.runs[0]!.hash, specHash(normalizeSpec(spec)), "labels do not change the hash");
  assert.deepEqual(sweep.runs[0]!.labels, { axis: ["grid", "fixed"], variant: ["a"] });
  assert.deepEqual(sweep.runs[1]!.labels, {});
  assert.throws(
    () =>
      buildSweep(
        { section: "t", profile: "smoke", runs: [{ spec, labels: { axis: 3 as unknown as string } }] },
        KINDS,
      ),
    /run label "axis" must be a string, got 3/,
  );
});

test("FLOPs per sample follow the spec's strategy options (FLIP-75 below FLIP-50 below CLIP)", async () => {
  const { specFlopsPerSample } = await import("../../src/runs/train");
  const base = { model: "vit-b/8", imageSize: 32, contextLength: 16 };
  const clip = specFlopsPerSample({ ...base, strategy: "clip" });
  const flip50 = specFlopsPerSample({ ...base, strategy: "flip", maskRatio: 0.5 });
  const flip75 = specFlopsPerSample({ ...base, strategy: "flip", maskRatio: 0.75 });
  assert.ok(flip75 < flip50 && flip50 < clip, `${flip75} < ${flip50} < ${clip}`);
});
