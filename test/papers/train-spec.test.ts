/**
 * `trainSpec`: the typed view of a run's spec that notebooks read instead of casting each field.
 * It returns the spec as hashed and names the run when it is not a train run or lacks a field.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { catalog } from "../../src/papers/catalog";
import { trainSpec } from "../../src/papers/notebook";
import { vitSizeSweep } from "../../src/papers/scaling-down/vit-size";
import { buildSweep } from "../../src/sweep/sweep";

test("trainSpec is the run's own spec, typed: every field of a built sweep's runs reads back", () => {
  const runs = buildSweep(vitSizeSweep("quick"), catalog().kinds, "/tmp/none").runs;
  for (const r of runs) {
    const s = trainSpec(r);
    assert.equal(s, r.spec, "the same object, not a copy");
    assert.equal(typeof s.samples, "number");
    assert.ok(s.subset <= s.samples && s.eval.includes("zeroshot:noto-nouns"), r.hash);
  }
});

test("trainSpec names the run and the problem for another kind of run or a missing field", () => {
  assert.throws(
    () => trainSpec({ hash: "0123456789abcdef", spec: { kind: "noise", fraction: 0.5 } }),
    /^Error: run 01234567 is a noise run, not a train run; read its spec fields directly$/,
  );
  assert.throws(
    () =>
      trainSpec({
        hash: "fedcba9876543210",
        spec: {
          kind: "train",
          model: "vit-ti/8",
          strategy: "clip",
          samples: "4096",
          subset: 1,
          batch: 1,
          seed: 0,
        },
      }),
    /run fedcba98: its train spec has no number "samples" \(got "4096"\)/,
  );
});
