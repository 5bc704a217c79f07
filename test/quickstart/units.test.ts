import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { emb } from "../../src/eval/embeddings";
import { clip } from "../../src/quickstart/figures";
import { cosineMatrix, softmax, topK } from "../../src/quickstart/inspect";
import { clearRun, exampleBatch, runState, settingsFor } from "../../src/quickstart/run";
import {
  defaultPaths,
  parseProfile,
  profileFromEnv,
  quickstartTrainConfig,
} from "../../src/quickstart/settings";

test("profiles: CLIPDOWN_PROFILE picks one, quick by default, unknown names are errors", () => {
  assert.equal(profileFromEnv({}), "quick");
  assert.equal(profileFromEnv({ CLIPDOWN_PROFILE: "smoke" }), "smoke");
  assert.throws(
    () => profileFromEnv({ CLIPDOWN_PROFILE: "tiny" }),
    /CLIPDOWN_PROFILE: unknown profile "tiny"; valid: smoke, quick, full/,
  );
  assert.throws(() => parseProfile("x"), /--profile: unknown profile "x"/);
});

test("paths: runs/quickstart-<profile>, reports/quickstart.html for quick; CLIPDOWN_RUNS moves runs", () => {
  assert.deepEqual(defaultPaths("quick", "/p", {}), {
    dataRoot: "/p/data",
    runDir: "/p/runs/quickstart-quick",
    report: "/p/reports/quickstart.html",
  });
  assert.equal(defaultPaths("smoke", "/p", { CLIPDOWN_RUNS: "/tmp/r" }).runDir, "/tmp/r/quickstart-smoke");
  assert.equal(defaultPaths("smoke", "/p", {}).report, "/p/reports/quickstart-smoke.html");
});

test("train config: evaluations spread over training, flags override, the trainer validates", () => {
  const s = settingsFor("quick", { samples: 12800, batch: 128, model: undefined });
  assert.equal(s.model, "vit-ti/8", "an undefined override keeps the profile's value");
  const cfg = quickstartTrainConfig(s, defaultPaths("quick", "/p", {}));
  // 100 steps, 4 evaluations → every 25 steps = 3200 samples
  assert.equal(cfg.evalEvery, 25 * 128);
  assert.equal(cfg.captions, "mix", "the recipe's caption sampling");
  assert.equal(cfg.data, "/p/data/pictograms");
  assert.equal(cfg.evalData, "/p/data");
  assert.equal(cfg.out, "/p/runs/quickstart-quick");
  assert.throws(
    () => quickstartTrainConfig(settingsFor("smoke", { samples: 10 }), defaultPaths("smoke")),
    /samples \(10\) must be >= batch \(64\)/,
  );
});

test("runState: none → partial → finished; a different config is reported by field; clearRun empties", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-qs-"));
  try {
    const cfg = quickstartTrainConfig(settingsFor("smoke"), {
      dataRoot: "data",
      runDir: dir,
      report: "r.html",
    });
    assert.deepEqual(runState(cfg), { kind: "none" });
    fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ ...cfg, quiet: true, stopAt: 512 }));
    fs.writeFileSync(path.join(dir, "last.safetensors"), "");
    assert.equal(runState(cfg).kind, "partial", "quiet/stopAt/resume do not make a run different");
    fs.writeFileSync(path.join(dir, "final.safetensors"), "");
    fs.writeFileSync(path.join(dir, "eval.json"), "[]");
    assert.deepEqual(runState(cfg), { kind: "finished" });
    assert.deepEqual(runState({ ...cfg, seed: 3, lr: 0.5 }), { kind: "different", fields: ["lr", "seed"] });
    fs.writeFileSync(path.join(dir, "notes.txt"), "mine");
    clearRun(dir);
    assert.deepEqual(fs.readdirSync(dir), ["notes.txt"], "only trainRun's files are removed");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("inspection maths: cosine matrix, softmax with temperature, top-k, seeded batches", () => {
  const m = cosineMatrix(
    emb([
      [1, 0],
      [0, 2],
    ]),
    emb([
      [3, 0],
      [1, 1],
    ]),
  );
  assert.deepEqual(
    m.map((r) => r.map((v) => Number(v.toFixed(6)))),
    [
      [1, Number((1 / Math.SQRT2).toFixed(6))],
      [0, Number((1 / Math.SQRT2).toFixed(6))],
    ],
  );
  const p = softmax([0, Math.log(3)], 1);
  assert.ok(Math.abs(p[0]! - 0.25) < 1e-12 && Math.abs(p[1]! - 0.75) < 1e-12);
  assert.deepEqual(
    softmax([1, 2], 100).map((v) => Math.round(v)),
    [0, 1],
  );
  assert.deepEqual(topK([0.1, 0.9, 0.5, 0.9], 3), [1, 3, 2]);
  const b = exampleBatch(100, 8, 1);
  assert.equal(new Set(b).size, 8);
  assert.deepEqual(exampleBatch(100, 8, 1), b);
  assert.notDeepEqual(exampleBatch(100, 8, 2), b);
  assert.equal(exampleBatch(3, 8, 1).length, 3);
});

test("captions are shortened on word boundaries for grid cells", () => {
  assert.equal(clip("short", 10), "short");
  assert.equal(clip("grinning face with big eyes", 16), "grinning face…");
  assert.equal(clip("abcdefghijklmnopqrstuvwxyz", 10), "abcdefghi…");
});

test("npm start runs clipdown quickstart (the root package's own bin is not on npm's PATH)", () => {
  const { spawnSync } = require("node:child_process") as typeof import("node:child_process");
  const root = path.resolve(__dirname, "..", "..");
  const r = spawnSync("npm", ["start", "--silent", "--", "--help"], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /clipdown quickstart \[--profile quick\]/);
});
