/**
 * `npm run fuzz -- --cases N [--seed S] [--jobs J] [--only I[,I2]] [--out FILE]`: the seeded fuzz
 * suite. Cases (test/fuzz/cases.ts) go to forked workers; a case that runs past `--timeout-s` is a
 * hang and one whose worker passes `--max-rss-mb` is a memory blow-up (the worker is killed and
 * replaced). Every other case must end in success (with every item converted or counted as bad,
 * nothing written outside --out, a changed checkpoint never accepted) or a clear one-line error.
 * Prints a summary and writes it as JSON; exits 1 if any case failed.
 */
import { type ChildProcess, fork } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type FlagSpecs, formatHelp, parseArgs, UsageError } from "../../src/util/args";
import type { CaseResult, Outcome } from "./worker";

export interface FuzzOptions {
  seed: number;
  cases: number;
  /** Case indices to run instead of 0..cases-1 (replaying failures). */
  only?: number[];
  jobs: number;
  timeoutS: number;
  maxRssMb: number;
  log?: (s: string) => void;
}

export interface FuzzSummary {
  seed: number;
  cases: number;
  seconds: number;
  loadavg: number[];
  outcomes: Record<Outcome, number>;
  byTarget: Record<string, Record<string, number>>;
  peakRssMb: number;
  failures: CaseResult[];
  /** One example of each clear error message (the first 60 characters), with its count. */
  errors: Record<string, number>;
}

export const FAILURES: readonly Outcome[] = ["crash", "loss", "escape", "rejected-good", "hang", "memory"];

function rssMb(pid: number): number {
  try {
    const m = fs.readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzSummary> {
  const log = o.log ?? ((s: string) => console.error(s));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-fuzz-"));
  const queue = o.only ?? Array.from({ length: o.cases }, (_, i) => i);
  const results: CaseResult[] = [];
  let peak = 0;
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    let child: ChildProcess | undefined;
    const start = () =>
      new Promise<ChildProcess>((resolve, reject) => {
        const c = fork(path.join(__dirname, "worker.ts"), [], {
          execArgv: ["--import", "tsx"],
          stdio: ["ignore", "ignore", "pipe", "ipc"],
        });
        c.stderr?.resume();
        c.once("message", () => resolve(c));
        c.once("error", reject);
      });
    while (next < queue.length) {
      const index = queue[next++]!;
      child ??= await start();
      const c = child;
      const r = await new Promise<CaseResult>((resolve) => {
        let casePeak = 0;
        const fail = (outcome: Outcome, detail: string) => {
          clearInterval(watch);
          clearTimeout(timer);
          c.removeAllListeners("message");
          c.removeAllListeners("exit");
          c.kill("SIGKILL");
          child = undefined;
          resolve({ index, what: "(see the case with --only)", target: "-", outcome, detail, ms: 0 });
        };
        const watch = setInterval(() => {
          const mb = rssMb(c.pid!);
          casePeak = Math.max(casePeak, mb);
          peak = Math.max(peak, mb);
          if (mb > o.maxRssMb) fail("memory", `worker reached ${mb.toFixed(0)} MB (limit ${o.maxRssMb})`);
        }, 50);
        const timer = setTimeout(() => fail("hang", `no result after ${o.timeoutS} s`), o.timeoutS * 1000);
        c.once("exit", (code, sig) => fail("crash", `worker died (exit ${code}, ${sig ?? "no signal"})`));
        c.once("message", (m) => {
          clearInterval(watch);
          clearTimeout(timer);
          c.removeAllListeners("exit");
          resolve(m as CaseResult);
        });
        c.send({ seed: o.seed, index, root });
      });
      results.push(r);
      if (FAILURES.includes(r.outcome))
        log(`case ${index}: ${r.outcome.toUpperCase()} ${r.what}: ${r.detail?.split("\n")[0]}`);
      if (results.length % 100 === 0) log(`fuzz: ${results.length}/${queue.length} cases`);
    }
    child?.kill();
  };
  await Promise.all(Array.from({ length: Math.max(1, o.jobs) }, worker));
  fs.rmSync(root, { recursive: true, force: true });
  const outcomes = Object.fromEntries(
    ["ok", "error", ...FAILURES].map((k) => [k, results.filter((r) => r.outcome === k).length]),
  ) as Record<Outcome, number>;
  const byTarget: Record<string, Record<string, number>> = {};
  const errors: Record<string, number> = {};
  for (const r of results) {
    byTarget[r.target] ??= {};
    const t = byTarget[r.target]!;
    t[r.outcome] = (t[r.outcome] ?? 0) + 1;
    if (r.outcome === "error" && r.detail) {
      const k = r.detail
        .replace(/\/tmp\/clipdown-fuzz-[^ :]*/g, "…")
        .replace(/\d+/g, "N")
        .slice(0, 70);
      errors[k] = (errors[k] ?? 0) + 1;
    }
  }
  return {
    seed: o.seed,
    cases: results.length,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
    outcomes,
    byTarget,
    peakRssMb: Math.round(peak),
    failures: results.filter((r) => FAILURES.includes(r.outcome)).sort((a, b) => a.index - b.index),
    errors,
  };
}

const SPECS: FlagSpecs = {
  cases: { kind: "number", help: "cases to run (0..N-1)", default: 200 },
  seed: { kind: "number", help: "generator seed (case i of seed s is always the same input)", default: 1 },
  only: { kind: "string", help: "comma-separated case indices to replay instead of 0..N-1" },
  jobs: { kind: "number", help: "worker processes", default: Math.max(1, os.cpus().length) },
  "timeout-s": { kind: "number", help: "seconds before a case counts as a hang", default: 60 },
  "max-rss-mb": { kind: "number", help: "worker memory (MB) above which a case is a blow-up", default: 1024 },
  out: { kind: "string", help: "summary JSON", default: "test-artifacts/fuzz-summary.json" },
  help: { kind: "boolean", help: "show this help" },
};

if (require.main === module) {
  let flags: ReturnType<typeof parseArgs>["flags"];
  try {
    flags = parseArgs(process.argv.slice(2), SPECS).flags;
    for (const name of ["cases", "seed", "jobs", "timeout-s", "max-rss-mb"]) {
      const v = flags[name] as number;
      if (!(Number.isFinite(v) && v >= 0)) throw new UsageError(`--${name} must be a non-negative number`);
    }
  } catch (e) {
    console.error(`fuzz: ${(e as Error).message}`);
    process.exit(2);
  }
  if (flags.help) {
    console.log(
      formatHelp("npm run fuzz -- [--cases N] [--seed S] [--jobs J] [--only I,J] [--out FILE]", SPECS),
    );
    process.exit(0);
  }
  const only = flags.only as string | undefined;
  const out = flags.out as string;
  void runFuzz({
    seed: flags.seed as number,
    cases: flags.cases as number,
    ...(only ? { only: only.split(",").map(Number) } : {}),
    jobs: flags.jobs as number,
    timeoutS: flags["timeout-s"] as number,
    maxRssMb: flags["max-rss-mb"] as number,
  }).then((s) => {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(s, null, 2)}\n`);
    const o = s.outcomes;
    console.log(
      `fuzz seed ${s.seed}: ${s.cases} cases in ${s.seconds} s (load ${s.loadavg.join(" ")}): ` +
        `${o.ok} succeeded, ${o.error} clear errors; crashes ${o.crash}, hangs ${o.hang}, memory blow-ups ${o.memory}, ` +
        `silent losses ${o.loss}, writes outside --out ${o.escape}, good checkpoints refused ${o["rejected-good"]}; ` +
        `peak worker RSS ${s.peakRssMb} MB → ${out}`,
    );
    for (const [t, c] of Object.entries(s.byTarget)) console.log(`  ${t.padEnd(8)} ${JSON.stringify(c)}`);
    process.exitCode = s.failures.length ? 1 : 0;
  });
}
