/**
 * `clipdown sweep` end to end with real training (the `nano` model on a 32-pair corpus, section
 * `tiny` from plugin.ts, a dedicated tiny section so the test stays fast): a quick sweep is
 * SIGKILLed while a run is half done, and the restarted sweep finishes only what remained — the
 * finished runs untouched, the interrupted one resumed from its checkpoint. Plus list, dry-run,
 * --emit, and errors.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, test } from "node:test";
import { sweepFor } from "../../src/papers/catalog";
import { PLUGINS_ENV } from "../../src/sweep/plugins";
import { loadSweepResults } from "../../src/sweep/results";
import { makeTinyCorpus } from "./tiny-data";

const CLI = path.join(__dirname, "..", "..", "bin", "clipdown.js");
const PLUGIN = path.join(__dirname, "plugin.ts");
let env: NodeJS.ProcessEnv;

before(async () => {
  const data = await makeTinyCorpus();
  env = { ...process.env, [PLUGINS_ENV]: PLUGIN, CLIPDOWN_TINY_DATA: data };
  Object.assign(process.env, { [PLUGINS_ENV]: PLUGIN, CLIPDOWN_TINY_DATA: data });
});

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-cli-"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cli(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: "utf8", timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test("a quick sweep killed mid-run (SIGKILL) finishes only the remaining runs when started again", async () => {
  const root = tmp();
  const sweep = sweepFor("tiny", "quick", root);
  assert.equal(sweep.runs.length, 4);
  const has = (i: number, f: string) => fs.existsSync(path.join(sweep.runs[i]!.dir, f));
  const child = spawn(
    process.execPath,
    [CLI, "sweep", "tiny", "--profile", "quick", "--jobs", "1", "--root", root],
    {
      env,
      stdio: "ignore",
    },
  );
  // Kill as soon as one run is finished and another has a checkpoint but no result yet.
  let partial = -1;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const finished = sweep.runs.filter((_, i) => has(i, "result.json")).length;
    partial = sweep.runs.findIndex((_, i) => has(i, "last.safetensors") && !has(i, "result.json"));
    if (finished >= 1 && partial >= 0) break;
    if (finished === sweep.runs.length) break;
    await sleep(10);
  }
  child.kill("SIGKILL");
  await new Promise((r) => child.on("exit", r));
  assert.ok(partial >= 0, "the sweep should have been caught with a run half done");
  const finishedBefore = sweep.runs.filter((_, i) => has(i, "result.json")).map((r) => r.hash);
  assert.ok(
    finishedBefore.length >= 1 && finishedBefore.length < 4,
    `finished before kill: ${finishedBefore.length}`,
  );
  const mtimes = new Map(
    finishedBefore.map((h) => [h, fs.statSync(path.join(root, "tiny", h, "result.json")).mtimeMs]),
  );
  // The worker went with its runner (it exits when the IPC channel closes).
  await sleep(1500);
  const ps = execFileSync("ps", ["-eo", "args"]).toString();
  assert.ok(!ps.includes(`sweep __worker ${child.pid}`), "an orphaned worker is still running");

  const again = cli(["sweep", "tiny", "--profile", "quick", "--jobs", "1", "--root", root]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(
    again.stderr,
    new RegExp(`4 runs, ${finishedBefore.length} already finished, ${4 - finishedBefore.length} to run`),
  );
  for (const [h, m] of mtimes)
    assert.equal(fs.statSync(path.join(root, "tiny", h, "result.json")).mtimeMs, m);
  const resumed = sweep.runs[partial]!;
  assert.match(
    fs.readFileSync(path.join(resumed.dir, "run.log"), "utf8"),
    /resumed from .*last\.safetensors at step [1-9]/,
  );
  assert.match(again.stderr, /breaking a stale lock \(holder pid \d+ .* is not running\)/);
  const results = loadSweepResults("tiny", "quick", root);
  assert.equal(results.length, 4);
  for (const r of results) {
    assert.equal(r.samples, 8 * 24);
    assert.ok(Number.isFinite(r.metrics.loss!), `loss of ${r.hash}`);
    assert.equal(r.attempts, r.hash === resumed.hash ? 2 : 1);
  }
  // The results table: one row per run with loss, samples, FLOPs and wall time.
  const rows = again.stdout.split("\n").filter((l) => /^\s*\d+\s+[0-9a-f]{8}\s+done/.test(l));
  assert.equal(rows.length, 4);
  assert.match(again.stdout, /seed\s.*loss\s+samples\s+GFLOPs\s+wall s/);
});

test("sweep list, --dry-run, --emit and usage errors", () => {
  const root = tmp();
  const list = cli(["sweep", "list", "--root", root]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^section\s+title\s+smoke\s+quick\s+full/m);
  assert.match(list.stdout, /^tiny\s+nano CLIP .*\s2\s+4\s+4$/m);

  const dry = cli(["sweep", "fake-mini", "--profile", "smoke", "--dry-run", "--root", root]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /fake-mini\/smoke: 4 runs/);
  assert.match(dry.stdout, /run 1 needs 0/);

  const out = path.join(root, "x.sbatch");
  const em = cli(["sweep", "tiny", "--profile", "quick", "--emit", "slurm", "--out", out, "--root", root]);
  assert.equal(em.code, 0, em.stderr);
  assert.match(fs.readFileSync(out, "utf8"), /#SBATCH --array=0-3\n/);
  assert.ok(
    fs.existsSync(path.join(root, "tiny-quick-slurm")),
    "slurm log directory is created at emit time",
  );

  const bad = cli(["sweep", "nope"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown sweep section "nope"; valid sections: .*tiny/);
  const badProfile = cli(["sweep", "tiny", "--profile", "huge"]);
  assert.equal(badProfile.code, 2);
  assert.match(badProfile.stderr, /unknown profile "huge"; valid profiles: smoke, quick, full/);
  const badIndex = cli(["sweep", "run-index", "tiny", "9", "--profile", "smoke", "--root", root]);
  assert.equal(badIndex.code, 2);
  assert.match(badIndex.stderr, /run index 9 is out of range: tiny\/smoke has 2 runs \(0–1\)/);
  const badEmit = cli(["sweep", "tiny", "--emit", "pbs", "--root", root]);
  assert.equal(badEmit.code, 2);
  assert.match(badEmit.stderr, /--emit must be slurm or k8s, got "pbs"/);
});
