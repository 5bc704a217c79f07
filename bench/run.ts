/**
 * `npm run bench`: runs every benchmark in bench/*.ts (each in its own process, one after another,
 * so timings do not overlap) and writes bench/results/run.json with machine info and each
 * benchmark's exit status and duration; each benchmark writes its own bench/results/<name>.json.
 * A bench file imported by another one (e.g. text-captions.ts) is a helper, not a benchmark.
 *
 *   npm run bench                                   # all
 *   npm run bench -- --only reference,train-speed   # a subset
 *   npm run bench -- --compare-torch                # reference.ts also runs the PyTorch step
 *   npm run bench -- --list
 *
 * The 2 cores are usually shared: check the load averages printed (and saved) with each result.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initBackend } from "../src/tf";
import { parseArgs, UsageError } from "../src/util/args";
import { machineInfo, writeResult } from "./lib/report";

const HERE = __dirname;

/** bench/*.ts minus run.ts and minus files another bench file imports (helpers). */
export function discoverBenchmarks(dir = HERE): string[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && f !== "run.ts")
    .sort();
  const imported = new Set<string>();
  for (const f of files) {
    const src = fs.readFileSync(path.join(dir, f), "utf8");
    for (const m of src.matchAll(/from\s+["']\.\/([\w.-]+?)(?:\.ts)?["']/g)) imported.add(`${m[1]}.ts`);
  }
  return files.filter((f) => !imported.has(f)).map((f) => f.replace(/\.ts$/, ""));
}

async function main(): Promise<number> {
  let flags: Record<string, unknown>;
  try {
    ({ flags } = parseArgs(process.argv.slice(2), {
      only: { kind: "string", help: "comma-separated benchmark names (default: all)", default: "" },
      "compare-torch": { kind: "boolean", help: "run the PyTorch reference in reference.ts", default: false },
      list: { kind: "boolean", help: "list the benchmarks and exit", default: false },
    }));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`bench: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const all = discoverBenchmarks();
  if (flags.list) {
    console.log(all.join("\n"));
    return 0;
  }
  const only = (flags.only as string)
    .split(",")
    .map((s) => s.trim().replace(/\.ts$/, ""))
    .filter(Boolean);
  const unknown = only.filter((n) => !all.includes(n));
  if (unknown.length) {
    console.error(`bench: unknown benchmark(s) ${unknown.join(", ")}; valid: ${all.join(", ")}`);
    return 2;
  }
  const chosen = only.length ? only : all;
  await initBackend();
  const machine = machineInfo();
  console.log(
    `benchmarks: ${chosen.join(", ")}; ${os.cpus().length} cpus, load ${machine.loadAvgStart.join(" ")}`,
  );
  const runs: { name: string; exitCode: number | null; seconds: number; result?: string }[] = [];
  for (const name of chosen) {
    const args = ["--import", "tsx", path.join(HERE, `${name}.ts`)];
    if (name === "reference" && flags["compare-torch"]) args.push("--compare-torch");
    console.log(`\n=== ${name} (load ${os.loadavg()[0]!.toFixed(2)}) ===`);
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { stdio: "inherit", cwd: path.join(HERE, "..") });
    const seconds = (performance.now() - t0) / 1000;
    const resultFile = path.join(HERE, "results", `${name}.json`);
    runs.push({
      name,
      exitCode: r.status,
      seconds: Math.round(seconds * 10) / 10,
      ...(fs.existsSync(resultFile) ? { result: path.relative(process.cwd(), resultFile) } : {}),
    });
  }
  const file = writeResult("run", machine, { runs });
  const failed = runs.filter((r) => r.exitCode !== 0);
  console.log(`\n${runs.length - failed.length}/${runs.length} benchmarks ok; summary in ${file}`);
  if (failed.length) console.log(`failed: ${failed.map((f) => `${f.name} (exit ${f.exitCode})`).join(", ")}`);
  return failed.length ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
