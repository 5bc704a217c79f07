/**
 * Scaling of the reference step (bench/lib/reference-step.ts) on this backend: training
 * throughput vs batch size and vs ViT width, and step time vs image tokens (patch 8 → 17 tokens,
 * patch 4 → 65 tokens). Each point: 1 warm-up step, then `--repeats` timed steps (median shown).
 *
 *   npx tsx bench/scaling.ts [--repeats 3] [--only batch|width|tokens]
 *
 * Writes bench/results/scaling.json and prints a markdown table (the one in environment.md).
 */
import { initBackend } from "../src/tf";
import { parseArgs } from "../src/util/args";
import {
  paramCount,
  REFERENCE,
  type RefShape,
  referenceRunner,
  timeSamplesPerSec,
} from "./lib/reference-step";
import { fmt, machineInfo, type Summary, writeResult } from "./lib/report";

const SPECS = {
  repeats: { kind: "number" as const, help: "timed steps per point", default: 3 },
  only: { kind: "string" as const, help: "batch, width or tokens (default: all)", default: "" },
};

interface Point {
  axis: string;
  shape: RefShape;
  tokens: number;
  params: number;
  trainSamplesPerSec?: Summary;
  stepMs?: Summary;
  error?: string;
}

async function main(): Promise<void> {
  const { flags } = parseArgs(process.argv.slice(2), SPECS);
  await initBackend();
  const machine = machineInfo();
  const only = flags.only as string;
  const plan: { axis: string; shape: RefShape }[] = [];
  if (!only || only === "batch")
    for (const batch of [32, 64, 128, 256]) plan.push({ axis: "batch", shape: { ...REFERENCE, batch } });
  if (!only || only === "width")
    for (const width of [64, 128, 192, 256]) plan.push({ axis: "width", shape: { ...REFERENCE, width } });
  if (!only || only === "tokens")
    for (const patch of [8, 4]) plan.push({ axis: "tokens", shape: { ...REFERENCE, batch: 64, patch } });
  const points: Point[] = [];
  console.log(`load ${machine.loadAvgStart.join(" ")}`);
  console.log("| axis | batch | ViT width | patch (tokens) | params | train samples/s | step ms |");
  console.log("|---|---|---|---|---|---|---|");
  for (const { axis, shape } of plan) {
    const tokens = (shape.imageSize / shape.patch) ** 2 + 1;
    const runner = referenceRunner(shape);
    const p: Point = { axis, shape, tokens, params: paramCount(runner.model) };
    try {
      const r = await timeSamplesPerSec(() => runner.train(), shape.batch, 1, flags.repeats as number);
      p.trainSamplesPerSec = r.samplesPerSec;
      p.stepMs = r.stepMs;
    } catch (e) {
      p.error = (e as Error).message;
    }
    runner.dispose();
    points.push(p);
    const sps = p.trainSamplesPerSec ? fmt(p.trainSamplesPerSec) : `failed: ${p.error}`;
    const ms = p.stepMs ? p.stepMs.median.toFixed(0) : "–";
    console.log(
      `| ${axis} | ${shape.batch} | ${shape.width} | ${shape.patch} (${tokens}) | ${p.params} | ${sps} | ${ms} |`,
    );
  }
  console.log(`wrote ${writeResult("scaling", machine, { points })}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
