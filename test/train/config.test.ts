import assert from "node:assert/strict";
import { test } from "node:test";
import { resolveTrainConfig, TRAIN_DEFAULTS } from "../../src/train/config";

test("camelCase and kebab-case keys both map onto the fields, over the defaults", () => {
  const c = resolveTrainConfig({ "image-size": 64, accumSteps: 2, batch: 128, model: "rn-s", resume: true });
  assert.equal(c.imageSize, 64);
  assert.equal(c.accumSteps, 2);
  assert.equal(c.model, "rn-s");
  assert.equal(c.resume, true);
  assert.equal(c.lr, TRAIN_DEFAULTS.lr);
  assert.deepEqual(resolveTrainConfig({}), TRAIN_DEFAULTS);
});

test("every bad value is an error naming the field and the allowed range", () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [
      { batchSize: 3 },
      /unknown train config field "batchSize"; valid fields: model, strategy, data, subset, quality-top, quality-scores, samples, batch, accum-steps/,
    ],
    [{ batch: 0 }, /batch must be >= 1, got 0$/],
    [{ batch: 2.5 }, /batch must be an integer, got 2.5$/],
    [{ lr: 0 }, /lr must be > 0, got 0$/],
    [{ lr: "big" }, /lr must be a finite number, got "big"$/],
    [{ beta2: 1 }, /beta2 must be <= 0.999999, got 1$/],
    [{ "image-size": 4 }, /image-size must be >= 8, got 4$/],
    [{ resume: "yes" }, /resume must be true or false, got "yes"$/],
    [{ model: "" }, /model must be a non-empty string, got ""$/],
    [{ batch: 64, accumSteps: 3 }, /accum-steps \(3\) must divide batch \(64\)$/],
    [{ samples: 10, batch: 64 }, /samples \(10\) must be >= batch \(64\)$/],
    [{ lr: 1e-4, minLr: 1e-3 }, /min-lr \(0.001\) must be <= lr \(0.0001\)$/],
  ];
  for (const [raw, re] of cases) assert.throws(() => resolveTrainConfig(raw), re, JSON.stringify(raw));
});
