import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { configFromArgv } from "../../src/train/cli";
import { TRAIN_DEFAULTS } from "../../src/train/config";
import { UsageError } from "../../src/util/args";

test("kebab-case flags map onto TrainConfig; --config JSON is overridden by explicit flags", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-cli-"));
  const file = path.join(dir, "run.json");
  fs.writeFileSync(
    file,
    JSON.stringify({ model: "rn-s", "image-size": 64, batch: 128, samples: 1000, evalEvery: 500 }),
  );
  const cfg = configFromArgv([
    "--config",
    file,
    "--batch",
    "64",
    "--lr=0.001",
    "--resume",
    "--accum-steps",
    "2",
  ])!;
  assert.equal(cfg.model, "rn-s");
  assert.equal(cfg.imageSize, 64);
  assert.equal(cfg.batch, 64, "flag beats file");
  assert.equal(cfg.samples, 1000);
  assert.equal(cfg.evalEvery, 500);
  assert.equal(cfg.lr, 0.001);
  assert.equal(cfg.resume, true);
  assert.equal(cfg.accumSteps, 2);
  assert.equal(cfg.wd, TRAIN_DEFAULTS.wd);
});

test("bad flags and config fields are UsageErrors naming the field", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-cli-"));
  const file = path.join(dir, "bad.json");
  fs.writeFileSync(file, JSON.stringify({ warmupSteps: 10 }));
  const check = (argv: string[], re: RegExp) =>
    assert.throws(
      () => configFromArgv(argv),
      (e: Error) => e instanceof UsageError && re.test(e.message),
    );
  check(["--config", file], /unknown train config field "warmupSteps"; valid fields: .*warmup/);
  check(["--batch", "0"], /batch must be >= 1, got 0/);
  check(["--batch", "30", "--accum-steps", "4"], /accum-steps \(4\) must divide batch \(30\)/);
  check(["--batch-sizes", "3"], /unknown flag --batch-sizes/);
  check(["--samples", "1.5"], /samples must be an integer, got 1.5/);
});

test("open_clip's flag names: --batch-size 64 is the same run as --batch 64 (same config, same spec hash)", async () => {
  const { normalizeTrainSpec, PLUMBING_FIELDS } = await import("../../src/runs/train");
  const { specHash } = await import("../../src/sweep/spec");
  const hashOf = (cfg: Record<string, unknown>) => {
    const spec = { ...cfg };
    for (const f of PLUMBING_FIELDS) delete spec[f];
    return specHash(normalizeTrainSpec(spec));
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-cli-"));
  fs.writeFileSync(path.join(dir, "manifest.json"), JSON.stringify({ samples: 500 }));
  const ours = configFromArgv(["--batch", "64", "--data", dir, "--samples", "1500", "--lr", "0.001"])!;
  const theirs = configFromArgv(["--batch-size", "64", "--train-data", dir, "--epochs", "3", "--lr=0.001"])!;
  assert.deepEqual(theirs, ours);
  assert.equal(hashOf({ ...theirs }), hashOf({ ...ours }));
  assert.equal(theirs.batch, 64);
  assert.notEqual(
    hashOf({ ...configFromArgv(["--batch-size", "32", "--data", dir, "--samples", "1500"])! }),
    hashOf({ ...ours }),
  );
  // --epochs counts the pairs the run trains on: the subset when there is one.
  assert.equal(
    configFromArgv(["--epochs", "4", "--subset", "100", "--data", dir, "--batch", "8"])!.samples,
    400,
  );
  assert.equal(configFromArgv(["--resume", "latest", "--batch", "8", "--samples", "8"])!.resume, true);
  assert.equal(configFromArgv(["--resume=latest", "--batch", "8", "--samples", "8"])!.resume, true);
});

test("open_clip aliases: conflicts and unusable values are one-line UsageErrors with the fix", () => {
  const check = (argv: string[], re: RegExp) =>
    assert.throws(
      () => configFromArgv(argv),
      (e: Error) => e instanceof UsageError && re.test(e.message) && !e.message.includes("\n"),
    );
  check(["--batch-size", "64", "--batch", "32"], /--batch-size and --batch are the same setting/);
  check(["--epochs", "2", "--samples", "100"], /--epochs and --samples both set the budget/);
  check(
    ["--epochs", "2", "--data", "/nonexistent"],
    /--epochs needs the dataset size from \/nonexistent\/manifest.json .* --samples instead/,
  );
  check(["--epochs", "1.5"], /--epochs must be a whole number/);
  check(
    ["--resume", "runs/x/last.safetensors"],
    /--resume takes no checkpoint path here.*--out runs\/x --resume/,
  );
});
