/**
 * The full reference step (bench/lib/reference-step.ts) for 50 steps with the fused wasm kernels
 * and again with stock tf ops (CLIPDOWN_FUSED=0's path), from the same seed and batch: the two loss
 * curves must agree within 1e-4 relative (exit 1 otherwise). test/tf/fused-training.test.ts does
 * the same on a reduced model in the test suite.
 *
 *   npx tsx bench/loss-parity.ts [--steps 50] [--batch 128]
 *
 * Writes bench/results/loss-parity.json.
 */
import { initBackend, setFused } from "../src/tf";
import { parseArgs } from "../src/util/args";
import { REFERENCE, referenceRunner } from "./lib/reference-step";
import { machineInfo, writeResult } from "./lib/report";

async function curve(
  fused: boolean,
  steps: number,
  batch: number,
): Promise<{ losses: number[]; ms: number }> {
  setFused(fused);
  const runner = referenceRunner({ ...REFERENCE, batch });
  const losses: number[] = [];
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    const l = runner.train();
    losses.push((await l.data())[0]!);
    l.dispose();
  }
  const ms = performance.now() - t0;
  runner.dispose();
  return { losses, ms };
}

async function main(): Promise<void> {
  const { flags } = parseArgs(process.argv.slice(2), {
    steps: { kind: "number", help: "training steps", default: 50 },
    batch: { kind: "number", help: "batch size", default: REFERENCE.batch },
  });
  await initBackend();
  const machine = machineInfo();
  const steps = flags.steps as number;
  const batch = flags.batch as number;
  const f = await curve(true, steps, batch);
  const u = await curve(false, steps, batch);
  setFused(undefined);
  const rel = f.losses.map((x, i) => Math.abs(x - u.losses[i]!) / Math.abs(u.losses[i]!));
  const worst = Math.max(...rel);
  const ok = worst < 1e-4;
  console.log(
    `loss ${u.losses[0]!.toFixed(5)} → ${u.losses[steps - 1]!.toFixed(5)} over ${steps} steps (batch ${batch}); ` +
      `worst relative difference fused vs unfused ${worst.toExponential(2)} (${ok ? "ok" : "FAIL"} < 1e-4); ` +
      `time fused ${(f.ms / 1000).toFixed(1)} s, unfused ${(u.ms / 1000).toFixed(1)} s`,
  );
  const file = writeResult("loss-parity", machine, {
    steps,
    batch,
    worstRelative: worst,
    ok,
    fused: f.losses,
    unfused: u.losses,
    seconds: { fused: f.ms / 1000, unfused: u.ms / 1000 },
  });
  console.log(`wrote ${file}`);
  if (!ok) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
