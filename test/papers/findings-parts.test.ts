/**
 * The scale notes shared by the findings (src/papers/findings/parts.ts): the measured zero-shot
 * level against chance, and which contrastive runs ended no better than guessing within the batch.
 * Values are derived by hand from the lines below. Instant.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { untrainedRuns, ZS_CHANCE, zeroShotLevel } from "../../src/papers/findings/parts";
import type { ResultLine } from "../../src/sweep/results";

function run(spec: Record<string, unknown>, metrics: Record<string, number>): ResultLine {
  return {
    hash: "0".repeat(16),
    section: "s",
    profile: "full",
    index: 0,
    kind: "train",
    spec: { kind: "train", ...spec } as ResultLine["spec"],
    metrics,
    samples: Number(spec.samples ?? 0),
    flops: 1,
    wallSeconds: 1,
    attempts: 1,
    finishedAt: "2026-01-01T00:00:00.000Z",
    provenance: { host: "h", node: "v20" },
  };
}

test("zeroShotLevel reports the best measured heldout-emoji-441/acc1 and chance (1 of 441)", () => {
  assert.equal(ZS_CHANCE, 100 / 441);
  const runs = [
    run({}, { "heldout-emoji-441/acc1": 0.002 }),
    run({}, { "heldout-emoji-441/acc1": 0.008 }),
    run({}, { loss: 1 }),
  ];
  assert.equal(zeroShotLevel(runs), "zero-shot top-1 of these 2 runs is at most 0.8 % (chance 0.23 %)");
  assert.equal(zeroShotLevel([run({}, { loss: 1 })]), "");
});

test("untrainedRuns counts CLIP runs whose loss stayed within 5 % of ln(batch)", () => {
  // ln(128) = 4.852; 0.95 · 4.852 = 4.609. 4.70 and 4.85 count, 4.60 and 3.9 do not; SLIP is ignored.
  const runs = [
    run({ strategy: "clip", batch: 128, samples: 4096 }, { loss: 4.85 }), // 32 steps
    run({ strategy: "clip", batch: 128, samples: 1024 }, { loss: 4.7 }), // 8 steps
    run({ strategy: "clip", batch: 128, samples: 8192 }, { loss: 4.6 }),
    run({ strategy: "clip", batch: 128, samples: 16384 }, { loss: 3.9 }),
    run({ strategy: "slip", batch: 128, samples: 512 }, { loss: 9 }),
  ];
  assert.equal(
    untrainedRuns(runs),
    "2 of these 4 runs ended with a loss within 5 % of ln(batch) (no better than guessing within the batch; each made at most 32 steps)",
  );
  assert.equal(untrainedRuns(runs.slice(2)), "");
});
