/**
 * Integration: the emitted Slurm array runs FOR REAL on a one-node Slurm cluster this test starts on
 * localhost (Debian `slurm-wlm` + `munge`: a private munge key and socket, a minimal slurm.conf for
 * this host on free ports, slurmctld + slurmd), submits with `sbatch --wait`, checks that every run's
 * result arrived, resubmits (every task must skip its finished run), then stops the daemons.
 * Runs real training of the tiny section (nano model, 32 pairs). Skipped only when the packages are
 * absent (`.ci/run` installs them).
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { sweepFor } from "../../src/papers/catalog";
import { slurmScript } from "../../src/sweep/emit";
import { PLUGINS_ENV } from "../../src/sweep/plugins";
import { loadSweepResults } from "../../src/sweep/results";
import { makeTinyCorpus } from "./tiny-data";

const BINARIES = ["munged", "munge", "slurmctld", "slurmd", "sbatch", "sinfo"];

function which(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/sbin"])) {
    const p = path.join(dir, bin);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

const missing = BINARIES.filter((b) => !which(b));
const skip = missing.length
  ? `Slurm/munge not installed (missing ${missing.join(", ")}); apt-get install slurm-wlm munge (.ci/run does)`
  : false;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let dir = "";
let conf = "";
const pidFiles: string[] = [];
const started: ChildProcess[] = [];

function slurmEnv(): NodeJS.ProcessEnv {
  return { ...process.env, SLURM_CONF: conf };
}

before(async () => {
  if (skip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-slurm-"));
  for (const d of ["state", "spool", "log", "munge"]) fs.mkdirSync(path.join(dir, d), { mode: 0o700 });
  const munge = path.join(dir, "munge");
  const key = path.join(munge, "munge.key");
  fs.writeFileSync(key, Buffer.from(Array.from({ length: 1024 }, () => Math.floor(Math.random() * 256))), {
    mode: 0o400,
  });
  const socket = path.join(munge, "munge.socket");
  execFileSync(which("munged")!, [
    `--key-file=${key}`,
    `--socket=${socket}`,
    `--pid-file=${path.join(munge, "munged.pid")}`,
    `--log-file=${path.join(munge, "munged.log")}`,
    `--seed-file=${path.join(munge, "seed")}`,
    "--force",
  ]);
  pidFiles.push(path.join(munge, "munged.pid"));
  const host = os.hostname().split(".")[0]!;
  const user = os.userInfo().username;
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  conf = path.join(dir, "slurm.conf");
  fs.writeFileSync(
    conf,
    [
      "ClusterName=clipdowntest",
      `SlurmctldHost=${host}(127.0.0.1)`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      "AuthType=auth/munge",
      `AuthInfo=socket=${socket}`,
      "CredType=cred/munge",
      `SlurmUser=${user}`,
      `SlurmdUser=${user}`,
      `StateSaveLocation=${dir}/state`,
      `SlurmdSpoolDir=${dir}/spool`,
      `SlurmctldPidFile=${dir}/slurmctld.pid`,
      `SlurmdPidFile=${dir}/slurmd.pid`,
      `SlurmctldLogFile=${dir}/log/slurmctld.log`,
      `SlurmdLogFile=${dir}/log/slurmd.log`,
      "ProctrackType=proctrack/linuxproc",
      "TaskPlugin=task/none",
      "SchedulerType=sched/backfill",
      "SelectType=select/cons_tres",
      "SelectTypeParameters=CR_Core",
      "ReturnToService=2",
      "MpiDefault=none",
      "JobAcctGatherType=jobacct_gather/none",
      "AccountingStorageType=accounting_storage/none",
      "MinJobAge=60",
      `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${Math.max(1, os.cpus().length)} RealMemory=1000 State=UNKNOWN`,
      `PartitionName=test Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
      "",
    ].join("\n"),
  );
  execFileSync(which("slurmctld")!, ["-f", conf], { env: slurmEnv() });
  pidFiles.push(path.join(dir, "slurmctld.pid"));
  execFileSync(which("slurmd")!, ["-f", conf], { env: slurmEnv() });
  pidFiles.push(path.join(dir, "slurmd.pid"));
  // Wait for the node to come up idle.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = spawnSync(which("sinfo")!, ["-h", "-o", "%t"], { env: slurmEnv(), encoding: "utf8" });
    if (s.status === 0 && /idle|mix|alloc/.test(s.stdout)) break;
    if (Date.now() > deadline) throw new Error(`slurm node did not come up: ${s.stdout} ${s.stderr}`);
    await sleep(300);
  }
});

after(async () => {
  for (const c of started) c.kill();
  // Stop the daemons we started, by the pids they recorded (slurmd, slurmctld, then munged).
  for (const f of [...pidFiles].reverse()) {
    try {
      const pid = Number(fs.readFileSync(f, "utf8").trim());
      if (pid > 1) process.kill(pid, "SIGTERM");
    } catch {
      // never started or already gone
    }
  }
  await sleep(500);
});

test("the emitted sbatch job array runs every run of the sweep on a real Slurm, and resubmission skips them", {
  skip,
  timeout: 300_000,
}, async () => {
  const data = await makeTinyCorpus();
  process.env[PLUGINS_ENV] = path.join(__dirname, "plugin.ts");
  process.env.CLIPDOWN_TINY_DATA = data;
  // A space in the path: the --output directive must be quoted for sbatch (F9).
  const root = path.join(dir, "sweep runs");
  const sweep = sweepFor("tiny", "smoke", root);
  const logDir = path.join(root, "tiny-smoke-slurm");
  fs.mkdirSync(logDir, { recursive: true });
  const script = path.join(dir, "tiny.sbatch");
  fs.writeFileSync(script, slurmScript(sweep, { logDir }));
  const submit = () =>
    spawnSync(which("sbatch")!, ["--wait", script], {
      env: { ...slurmEnv(), CLIPDOWN_TINY_DATA: data },
      encoding: "utf8",
      timeout: 240_000,
    });
  const first = submit();
  assert.equal(first.status, 0, `sbatch failed: ${first.stdout} ${first.stderr}`);
  assert.match(first.stdout, /Submitted batch job \d+/);
  const results = loadSweepResults("tiny", "smoke", root);
  assert.equal(results.length, sweep.runs.length);
  assert.deepEqual(new Set(results.map((r) => r.hash)), new Set(sweep.runs.map((r) => r.hash)));
  for (const r of results) assert.ok(Number.isFinite(r.metrics.loss!));
  for (let i = 0; i < sweep.runs.length; i++) {
    const log = fs.readFileSync(path.join(logDir, `${i}.log`), "utf8");
    assert.match(log, new RegExp(`clipdown: task ${i} of job \\d+`));
    assert.match(log, /1 to run/);
  }
  const mtimes = sweep.runs.map((r) => fs.statSync(path.join(r.dir, "result.json")).mtimeMs);

  const second = submit();
  assert.equal(second.status, 0, `resubmission failed: ${second.stdout} ${second.stderr}`);
  assert.deepEqual(
    sweep.runs.map((r) => fs.statSync(path.join(r.dir, "result.json")).mtimeMs),
    mtimes,
  );
  for (let i = 0; i < sweep.runs.length; i++) {
    const log = fs.readFileSync(path.join(logDir, `${i}.log`), "utf8");
    assert.match(log, /1 runs, 1 already finished, 0 to run/);
  }
});
