/**
 * Memory over a long run: `tf.memory().numTensors` and bytes after every step of the reference step
 * for 500 steps (default batch 32 to keep it to a few minutes), plus the process's peak RSS.
 * Fails (exit 1) if the tensor count is not flat after the first step.
 *
 *   npx tsx bench/stability.ts [--steps 500] [--batch 32]
 *
 * Writes bench/results/stability.json.
 */
import { fusedEnabled, initBackend, tf } from "../src/tf";
import { parseArgs } from "../src/util/args";
import { REFERENCE, referenceRunner } from "./lib/reference-step";
import { machineInfo, peakRssMiB, summarize, writeResult } from "./lib/report";

async function main(): Promise<void> {
  const { flags } = parseArgs(process.argv.slice(2), {
    steps: { kind: "number", help: "training steps", default: 500 },
    batch: { kind: "number", help: "batch size", default: 32 },
  });
  await initBackend();
  const machine = machineInfo();
  const steps = flags.steps as number;
  const shape = { ...REFERENCE, batch: flags.batch as number };
  const runner = referenceRunner(shape);
  const counts: number[] = [];
  const bytes: number[] = [];
  const ms: number[] = [];
  let loss = Number.NaN;
  for (let s = 0; s < steps; s++) {
    const t0 = performance.now();
    const l = runner.train();
    loss = (await l.data())[0]!;
    l.dispose();
    ms.push(performance.now() - t0);
    counts.push(tf.memory().numTensors);
    bytes.push(tf.memory().numBytes);
    if ((s + 1) % 100 === 0)
      console.log(
        `step ${s + 1}: tensors ${counts[s]}, MB ${(bytes[s]! / 2 ** 20).toFixed(1)}, loss ${loss.toFixed(4)}`,
      );
  }
  runner.dispose();
  const after = counts.slice(1);
  const flat = after.every((c) => c === after[0]);
  const result = {
    shape,
    steps,
    fused: fusedEnabled(),
    tensors: { first: counts[0], min: Math.min(...after), max: Math.max(...after), flat },
    numBytesMiB: { min: Math.min(...bytes) / 2 ** 20, max: Math.max(...bytes) / 2 ** 20 },
    stepMs: summarize(ms.slice(1)),
    finalLoss: loss,
    peakRssMiB: peakRssMiB(),
    tensorsAfterDispose: tf.memory().numTensors,
  };
  console.log(
    `${steps} steps (batch ${shape.batch}): tensors ${result.tensors.min}..${result.tensors.max} ` +
      `(${flat ? "flat" : "NOT flat"}), peak RSS ${result.peakRssMiB} MiB, final loss ${loss.toFixed(4)}`,
  );
  console.log(`wrote ${writeResult("stability", machine, result)}`);
  if (!flat) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
