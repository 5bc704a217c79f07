/**
 * The sweep runner on the `fake` run kind (test/sweep/plugin.ts): skip-finished, failure
 * marking and retry, blocked dependents, corrupt results, resume of an interrupted run, worker
 * crashes, the JSONL round trip, and two runners on one sweep never running the same spec at once.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { RUN_KINDS } from "../../src/runs";
import { writeJsonAtomic } from "../../src/sweep/atomic";
import { normalizeSpec as normalizeWith } from "../../src/sweep/kinds";
import { PLUGINS_ENV } from "../../src/sweep/plugins";
import { loadResultsFile, loadSweepResults } from "../../src/sweep/results";
import { readStatus } from "../../src/sweep/run-dir";
import { reportTable, runSweep } from "../../src/sweep/runner";
import { specHash } from "../../src/sweep/spec";
import { buildSweep, type Sweep } from "../../src/sweep/sweep";
import { kinds as pluginKinds } from "./plugin";

/** The built-in kinds and the test plugin's `fake`. */
const KINDS = { ...RUN_KINDS, ...Object.fromEntries(pluginKinds.map((k) => [k.name, k])) };
const normalizeSpec = (raw: Record<string, unknown>) => normalizeWith(KINDS, raw);

const PLUGIN = path.join(__dirname, "plugin.ts");
process.env[PLUGINS_ENV] = PLUGIN;

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-sweep-"));
const quiet = { log: () => {} };

function fakeSweep(root: string, runs: Array<Record<string, unknown>>): Sweep {
  return buildSweep(
    { section: "fake", profile: "quick", runs: runs.map((r) => ({ kind: "fake", ...r })) },
    KINDS,
    root,
  );
}

test("runs everything once, writes result/status/JSONL, and a second invocation runs nothing", async () => {
  const root = tmp();
  const sweep = fakeSweep(root, [{ name: "a" }, { name: "bb" }, { name: "ccc" }]);
  const r1 = await runSweep(sweep, { jobs: 0, ...quiet });
  assert.equal(r1.ran, 3);
  assert.equal(r1.failed, 0);
  for (const run of sweep.runs) {
    assert.equal(readStatus(run.dir)!.state, "done");
    const result = JSON.parse(fs.readFileSync(path.join(run.dir, "result.json"), "utf8"));
    assert.equal(result.hash, run.hash);
    assert.equal(result.metrics.score, (run.spec.name as string).length / 10);
    assert.equal(result.samples, 30);
    assert.equal(result.flops, 3e6);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(run.dir, "spec.json"), "utf8")), run.spec);
  }
  const mtimes = sweep.runs.map((r) => fs.statSync(path.join(r.dir, "result.json")).mtimeMs);
  const r2 = await runSweep(sweep, { jobs: 0, ...quiet });
  assert.equal(r2.ran, 0);
  assert.deepEqual(
    sweep.runs.map((r) => fs.statSync(path.join(r.dir, "result.json")).mtimeMs),
    mtimes,
  );
  // The table has one row per run with its metrics.
  const table = reportTable(r2);
  assert.equal(table.split("\n").filter((l) => /^\s*\d+\s+[0-9a-f]{8}\s+done/.test(l)).length, 3);
  assert.match(table, /score/);
  // JSONL round trip: one line per run, equal to result.json plus profile and index.
  const lines = loadSweepResults("fake", "quick", root);
  assert.equal(lines.length, 3);
  for (const run of sweep.runs) {
    const line = lines.find((l) => l.hash === run.hash)!;
    const result = JSON.parse(fs.readFileSync(path.join(run.dir, "result.json"), "utf8"));
    assert.deepEqual(
      { ...line, profile: undefined, index: undefined },
      { ...result, profile: undefined, index: undefined },
    );
    assert.equal(line.profile, "quick");
    assert.equal(line.index, run.index);
  }
});

test("a failing run is marked failed without stopping the sweep, blocks its dependents, and is retried", async () => {
  const root = tmp();
  const flag = path.join(root, "fail-now");
  fs.writeFileSync(flag, "");
  const bad = normalizeSpec({ kind: "fake", name: "bad", failWhile: flag });
  const sweep = fakeSweep(root, [bad, { name: "child", needs: [specHash(bad)] }, { name: "other" }]);
  const r1 = await runSweep(sweep, { jobs: 0, ...quiet });
  const by = (name: string) => r1.outcomes.find((o) => o.run.spec.name === name)!;
  assert.equal(by("bad").state, "failed");
  assert.match(by("bad").error!, /fake failure: .*fail-now exists/);
  assert.equal(by("child").state, "blocked");
  assert.match(by("child").error!, /needs run [0-9a-f]{16}, which failed/);
  assert.equal(by("other").state, "done");
  const st = readStatus(by("bad").run.dir)!;
  assert.equal(st.state, "failed");
  assert.equal(st.attempts, 1);
  assert.match(st.error!, /fake failure/);
  assert.equal(r1.failed, 2);

  fs.rmSync(flag);
  const r2 = await runSweep(sweep, { jobs: 0, ...quiet });
  assert.equal(r2.failed, 0);
  assert.equal(r2.ran, 2, "bad and child run again; other is not rerun");
  assert.equal(readStatus(by("bad").run.dir)!.attempts, 2);
});

test("a corrupt or half-written result is detected and only that run is redone", async () => {
  const root = tmp();
  const sweep = fakeSweep(root, [{ name: "a" }, { name: "b" }, { name: "c" }]);
  await runSweep(sweep, { jobs: 0, ...quiet });
  const [a, b, c] = sweep.runs;
  const full = fs.readFileSync(path.join(a!.dir, "result.json"), "utf8");
  fs.writeFileSync(path.join(a!.dir, "result.json"), full.slice(0, full.length / 2)); // torn write
  fs.writeFileSync(path.join(b!.dir, "final.txt"), "garbage"); // artifact fails verify
  const events: string[] = [];
  const r = await runSweep(sweep, { jobs: 0, log: (l) => events.push(l) });
  assert.equal(r.ran, 2);
  assert.ok(!r.outcomes.find((o) => o.run.hash === c!.hash)!.ranHere);
  assert.ok(
    events.some(
      (l) =>
        l.includes(a!.hash.slice(0, 8)) &&
        /discarding an unusable result \(result\.json: not valid JSON/.test(l),
    ),
  );
  assert.ok(events.some((l) => l.includes(b!.hash.slice(0, 8)) && /final\.txt is corrupt/.test(l)));
  assert.equal(fs.readFileSync(path.join(b!.dir, "final.txt"), "utf8"), "ok 3");
  // A line cut short in the JSONL is skipped and counted; the later good line for the run wins.
  fs.appendFileSync(sweep.jsonl, '{"hash":"trunc');
  const loaded = loadResultsFile(sweep.jsonl);
  assert.equal(loaded.records.length, 3);
  assert.equal(loaded.skipped.length, 1);
  assert.equal(loaded.records.find((x) => x.hash === a!.hash)!.attempts, 2);
});

test("an interrupted run (dead holder, partial state) resumes where it stopped", async () => {
  const root = tmp();
  const sweep = fakeSweep(root, [{ name: "long", steps: 5 }]);
  const run = sweep.runs[0]!;
  // What a SIGKILLed runner leaves: a lock held by a dead pid, status "running", 2 of 5 steps saved.
  const dead = Number(
    spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout,
  );
  fs.mkdirSync(run.dir, { recursive: true });
  fs.writeFileSync(
    path.join(run.dir, "lock"),
    JSON.stringify({ pid: dead, host: os.hostname(), startedAt: "t" }),
  );
  writeJsonAtomic(path.join(run.dir, "status.json"), {
    hash: run.hash,
    state: "running",
    attempts: 1,
    host: os.hostname(),
    pid: dead,
    startedAt: "t",
  });
  writeJsonAtomic(path.join(run.dir, "state.json"), { step: 2 });
  const events: string[] = [];
  const r = await runSweep(sweep, { jobs: 0, log: (l) => events.push(l) });
  assert.equal(r.failed, 0);
  assert.equal(r.outcomes[0]!.result!.metrics.resumedFrom, 2);
  assert.equal(r.outcomes[0]!.result!.attempts, 2);
  assert.ok(events.some((l) => /breaking a stale lock \(holder pid \d+ .* is not running\)/.test(l)));
  assert.ok(events.some((l) => /resuming at 40%/.test(l)));
});

test("a resumed run's wall time counts its earlier attempts: endedAt, else run.log's last write", async () => {
  const root = tmp();
  const sweep = fakeSweep(root, [
    { name: "stopped", steps: 3 },
    { name: "killed", steps: 3 },
  ]);
  const [stopped, killed] = sweep.runs as [Sweep["runs"][0], Sweep["runs"][0]];
  const now = Date.now();
  const iso = (secondsAgo: number) => new Date(now - secondsAgo * 1000).toISOString();
  const base = { attempts: 1, host: os.hostname(), pid: 1 };
  // SIGTERM'd: 60 s between start and the recorded end, after 5 s in an attempt before that.
  fs.mkdirSync(stopped.dir, { recursive: true });
  writeJsonAtomic(path.join(stopped.dir, "status.json"), {
    ...base,
    hash: stopped.hash,
    state: "interrupted",
    startedAt: iso(100),
    endedAt: iso(40),
    priorSeconds: 5,
  });
  // SIGKILLed: no endedAt; its log was last written 30 s after it started.
  fs.mkdirSync(killed.dir, { recursive: true });
  writeJsonAtomic(path.join(killed.dir, "status.json"), {
    ...base,
    hash: killed.hash,
    state: "running",
    startedAt: iso(200),
  });
  const log = path.join(killed.dir, "run.log");
  fs.writeFileSync(log, "step 1\n");
  fs.utimesSync(log, new Date(now - 170_000), new Date(now - 170_000));
  const r = await runSweep(sweep, { jobs: 0, ...quiet });
  assert.equal(r.failed, 0);
  const res = (name: string) => r.outcomes.find((o) => o.run.spec.name === name)!.result!;
  for (const [name, prior] of [
    ["stopped", 65],
    ["killed", 30],
  ] as const) {
    const x = res(name);
    assert.equal(x.attempts, 2);
    assert.ok(x.attemptSeconds! >= 0 && x.attemptSeconds! < 20, `${name}: attempt ${x.attemptSeconds}`);
    assert.ok(
      Math.abs(x.wallSeconds - x.attemptSeconds! - prior) < 0.01,
      `${name}: ${x.wallSeconds} − ${x.attemptSeconds}`,
    );
  }
  // A run done in one attempt: wall time is that attempt.
  const again = await runSweep(fakeSweep(tmp(), [{ name: "once", steps: 1 }]), { jobs: 0, ...quiet });
  const once = again.outcomes[0]!.result!;
  assert.equal(once.wallSeconds, once.attemptSeconds);
});

test("worker processes: a crashing run is marked failed, the worker is replaced, the rest finish", async () => {
  const root = tmp();
  const sweep = fakeSweep(root, [{ name: "boom", crash: true }, { name: "x" }, { name: "y" }, { name: "z" }]);
  const r = await runSweep(sweep, { jobs: 2, ...quiet });
  const boom = r.outcomes.find((o) => o.run.spec.name === "boom")!;
  assert.equal(boom.state, "failed");
  assert.match(boom.error!, /the worker process died while running this \(exit code 3\)/);
  assert.deepEqual(
    r.outcomes.filter((o) => o.state === "done").map((o) => o.run.spec.name),
    ["x", "y", "z"],
  );
  // The runs really ran in worker processes, not in this one.
  for (const o of r.outcomes.filter((x) => x.state === "done"))
    assert.notEqual(o.result!.info!.pid, process.pid);
});

test("two runners on one sweep never run the same spec at once, and each run happens once", async () => {
  const root = tmp();
  const events = path.join(root, "events.log");
  const cli = path.join(__dirname, "..", "..", "bin", "clipdown.js");
  const env = {
    ...process.env,
    [PLUGINS_ENV]: PLUGIN,
    CLIPDOWN_FAKE_EVENTS: events,
    // Long enough that the second runner (node + tsx start-up, slow under load) arrives before the first is done.
    CLIPDOWN_FAKE_STEP_MS: "1000",
  };
  const start = () =>
    new Promise<number>((resolve) => {
      const c = spawn(
        process.execPath,
        [cli, "sweep", "fake-mini", "--profile", "quick", "--jobs", "1", "--root", root],
        {
          env,
          stdio: "ignore",
        },
      );
      c.on("exit", (code) => resolve(code ?? -1));
    });
  // The second runner starts once the first is inside a run, so both meet on the same sweep.
  const first = start();
  while (!fs.existsSync(events)) await new Promise((r) => setTimeout(r, 50));
  const codes = await Promise.all([first, start()]);
  assert.deepEqual(codes, [0, 0]);
  const lines = fs
    .readFileSync(events, "utf8")
    .trim()
    .split("\n")
    .map((l) => {
      const [what, hash, pid, t] = l.split(" ");
      return { what: what!, hash: hash!, pid: Number(pid), t: Number(t) };
    });
  const hashes = [...new Set(lines.map((l) => l.hash))];
  assert.equal(hashes.length, 4);
  for (const h of hashes) {
    const ev = lines.filter((l) => l.hash === h);
    assert.deepEqual(
      ev.map((e) => e.what),
      ["start", "end"],
      `run ${h} must start and end exactly once: ${JSON.stringify(ev)}`,
    );
  }
  // Both runners did work (the lock shared it out) and each result file is intact.
  assert.equal(new Set(lines.map((l) => l.pid)).size, 2);
  assert.equal(loadSweepResults("fake-mini", "quick", root).length, 4);
});
