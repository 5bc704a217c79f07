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
  check(["--batch-size", "3"], /unknown flag --batch-size/);
  check(["--samples", "1.5"], /samples must be an integer, got 1.5/);
});
