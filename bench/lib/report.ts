/**
 * Shared benchmark plumbing: min/median/max summaries, machine info (cpus, load average,
 * backend, versions) and writing `bench/results/<name>.json` atomically.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type BackendInfo, backendInfo } from "../../src/tf";

export interface Summary {
  min: number;
  median: number;
  max: number;
  n: number;
}

/** min / median / max of a sample (median of an even count = mean of the middle two). */
export function summarize(xs: number[]): Summary {
  if (!xs.length) return { min: Number.NaN, median: Number.NaN, max: Number.NaN, n: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { min: s[0]!, median, max: s[s.length - 1]!, n: s.length };
}

/** "median 61.2 [min 55.0 – max 63.9]" with `digits` decimals. */
export function fmt(s: Summary, digits = 1): string {
  return `median ${s.median.toFixed(digits)} [min ${s.min.toFixed(digits)} – max ${s.max.toFixed(digits)}]`;
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  totalMemGiB: number;
  /** 1/5/15-minute load averages when the benchmark started (2 cores are shared: read these). */
  loadAvgStart: number[];
  loadAvgEnd?: number[];
  node: string;
  platform: string;
  backend?: BackendInfo;
  date: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? "unknown",
    totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAvgStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
    node: process.versions.node,
    platform: `${os.platform()} ${os.arch()}`,
    backend: backendInfo(),
    date: new Date().toISOString(),
  };
}

/** Writes bench/results/<name>.json (temp file + rename), adding the end load average. */
export function writeResult(name: string, machine: MachineInfo, body: Record<string, unknown>): string {
  const dir = path.join(__dirname, "..", "results");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  const out = {
    benchmark: name,
    machine: {
      ...machine,
      backend: machine.backend ?? backendInfo(),
      loadAvgEnd: os.loadavg().map((x) => Math.round(x * 100) / 100),
    },
    ...body,
  };
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(out, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

/** Peak resident set size of this process so far, MiB (Linux's VmHWM; falls back to current RSS). */
export function peakRssMiB(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"));
    if (m) return Math.round(Number(m[1]) / 1024);
  } catch {
    // not Linux
  }
  return Math.round(process.memoryUsage().rss / 2 ** 20);
}
