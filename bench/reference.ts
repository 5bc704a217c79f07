/**
 * The reference CLIP step (bench/lib/reference-step.ts): training and forward (eval) samples/s,
 * and with --compare-torch the same step in PyTorch (bench/reference/clip_step.py) run right after
 * at 1 and 2 threads, printing ours/torch. tfjs-wasm here is single-threaded, so "ours" is 1 thread
 * in both ratios. Parameter counts of the two implementations are asserted equal.
 *
 *   npx tsx bench/reference.ts [--compare-torch] [--batch 128] [--width 128] [--patch 8] [--repeats 8]
 *
 * Writes bench/results/reference.json.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fusedEnabled, initBackend } from "../src/tf";
import { parseArgs } from "../src/util/args";
import { paramCount, REFERENCE, referenceRunner, timeSamplesPerSec } from "./lib/reference-step";
import { fmt, machineInfo, peakRssMiB, type Summary, writeResult } from "./lib/report";

const SPECS = {
  "compare-torch": { kind: "boolean" as const, help: "also run the PyTorch reference", default: false },
  batch: { kind: "number" as const, help: "batch size", default: REFERENCE.batch },
  width: { kind: "number" as const, help: "ViT width", default: REFERENCE.width },
  patch: { kind: "number" as const, help: "ViT patch size", default: REFERENCE.patch },
  warmup: { kind: "number" as const, help: "untimed steps", default: 2 },
  repeats: { kind: "number" as const, help: "timed steps", default: 8 },
  python: { kind: "string" as const, help: "python with torch", default: "/usr/bin/python3" },
};

interface TorchResult {
  threads: number;
  torch: string;
  blas: string;
  params: number;
  train_samples_per_s: Summary;
  eval_samples_per_s: Summary;
}

/** Runs clip_step.py; undefined (with the reason printed) when python or torch is missing. */
function runTorch(python: string, threads: number, args: string[]): TorchResult | undefined {
  const script = path.join(__dirname, "reference", "clip_step.py");
  const r = spawnSync(python, [script, "--threads", String(threads), ...args], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    const why = r.error?.message ?? r.stderr.trim().split("\n").pop();
    console.log(`torch reference skipped (${threads} thread${threads > 1 ? "s" : ""}): ${why}`);
    console.log("  install: apt-get install -y python3-torch libopenblas0-openmp");
    return undefined;
  }
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as TorchResult;
}

async function main(): Promise<void> {
  const { flags } = parseArgs(process.argv.slice(2), SPECS);
  const info = await initBackend();
  const machine = machineInfo();
  const shape = { ...REFERENCE, batch: flags.batch as number, width: flags.width as number };
  shape.patch = flags.patch as number;
  const warmup = flags.warmup as number;
  const repeats = flags.repeats as number;
  const runner = referenceRunner(shape);
  const params = paramCount(runner.model);
  console.log(
    `reference step: ViT ${shape.imageSize}px/${shape.patch} w${shape.width} d${shape.depth} h${shape.heads}, ` +
      `text 2048/16 w128 d4, batch ${shape.batch}, ${params} params; backend ${info.backend}, ` +
      `threads ${info.threads} (GEMM ${info.gemmThreads}), fused ${fusedEnabled() ? "on" : "off"}; load ${machine.loadAvgStart.join(" ")}`,
  );
  const train = await timeSamplesPerSec(() => runner.train(), shape.batch, warmup, repeats);
  console.log(`ours  train samples/s ${fmt(train.samplesPerSec)}  (step ms ${fmt(train.stepMs, 0)})`);
  const evalR = await timeSamplesPerSec(() => runner.evaluate(), shape.batch, 1, repeats);
  console.log(`ours  eval  samples/s ${fmt(evalR.samplesPerSec)}`);
  runner.dispose();
  const ours = {
    threads: info.threads,
    gemmThreads: info.gemmThreads,
    fused: fusedEnabled(),
    params,
    train_samples_per_s: train.samplesPerSec,
    eval_samples_per_s: evalR.samplesPerSec,
    step_ms: train.stepMs,
    peak_rss_mib: peakRssMiB(),
  };
  const torch: TorchResult[] = [];
  if (flags["compare-torch"]) {
    if (!fs.existsSync(flags.python as string)) console.log(`torch reference skipped: no ${flags.python}`);
    else {
      const args = [
        "--batch",
        String(shape.batch),
        "--width",
        String(shape.width),
        "--patch",
        String(shape.patch),
      ];
      args.push("--warmup", String(warmup), "--repeats", String(repeats));
      for (const threads of [1, 2]) {
        const t = runTorch(flags.python as string, threads, args);
        if (!t) break;
        if (t.params !== params)
          throw new Error(`parameter counts differ: ours ${params}, torch ${t.params}`);
        torch.push(t);
        const rt = ours.train_samples_per_s.median / t.train_samples_per_s.median;
        const re = ours.eval_samples_per_s.median / t.eval_samples_per_s.median;
        console.log(
          `torch ${t.torch} ${threads} thread${threads > 1 ? "s" : " "} train ${fmt(t.train_samples_per_s)}, ` +
            `eval ${fmt(t.eval_samples_per_s)}  →  ours/torch train ${rt.toFixed(2)}×, eval ${re.toFixed(2)}×`,
        );
      }
    }
  }
  const file = writeResult("reference", machine, {
    shape,
    ours,
    torch,
    ratios: torch.map((t) => ({
      torchThreads: t.threads,
      train: ours.train_samples_per_s.median / t.train_samples_per_s.median,
      eval: ours.eval_samples_per_s.median / t.eval_samples_per_s.median,
    })),
  });
  console.log(`wrote ${file}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
