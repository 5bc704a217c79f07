/**
 * GEMM throughput on the reference step's matmul shapes (forward, dX with transposed B, dW with
 * transposed A): tfjs's wasm BatchMatMul (XNNPACK) with the explicit transposes it needs, against
 * clipdown's GEMM in both builds (plain SIMD128, relaxed-SIMD FMA), and the GEMM worker pool with 2
 * threads against 1 (wall time). Kernel times are process CPU time, min of `--repeats`, so other
 * jobs on the machine disturb them less than wall time.
 *
 *   npx tsx bench/gemm.ts [--repeats 12]
 *
 * Writes bench/results/gemm.json.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { initBackend, setFused, tf } from "../src/tf";
import { GemmPool } from "../src/tf/kernels/gemm-pool";
import { gemmScratch, runGemm } from "../src/tf/kernels/matmul";
import {
  type FusedExports,
  fusedVariant,
  ptr,
  WASM_DIR,
  type WasmBackendLike,
} from "../src/tf/kernels/wasm-module";
import { parseArgs } from "../src/util/args";
import { machineInfo, summarize, writeResult } from "./lib/report";

const SHAPES: [number, number, number, boolean, boolean][] = [
  [2176, 384, 128, false, false],
  [2176, 512, 128, false, false],
  [2176, 128, 512, false, false],
  [2176, 128, 512, false, true],
  [2176, 512, 128, false, true],
  [128, 384, 2176, true, false],
  [512, 128, 2176, true, false],
];

function cpuMs(fn: () => void, repeats: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i++) {
    const c0 = process.cpuUsage();
    fn();
    const u = process.cpuUsage(c0);
    best = Math.min(best, (u.user + u.system) / 1000);
  }
  return best;
}

async function main(): Promise<void> {
  const { flags } = parseArgs(process.argv.slice(2), {
    repeats: { kind: "number", help: "runs per case (min is kept)", default: 12 },
  });
  const repeats = flags.repeats as number;
  await initBackend();
  const machine = machineInfo();
  const be = tf.backend() as unknown as WasmBackendLike;
  // (the ES2022 lib has no WebAssembly typings)
  const W = (globalThis as any).WebAssembly;
  const build = (f: string) =>
    new W.Instance(new W.Module(fs.readFileSync(path.join(WASM_DIR, f))), {
      env: { memory: be.wasm.asm!.memory },
    }).exports as FusedExports;
  const builds: Record<string, FusedExports> = { plain: build("fused.wasm") };
  if (fusedVariant() === "fma") builds.fma = build("fused-fma.wasm");
  console.log(`load ${machine.loadAvgStart.join(" ")}; GFLOP/s by CPU time, min of ${repeats}`);
  const rows: Record<string, unknown>[] = [];
  const total: Record<string, number> = { tfjs: 0, plain: 0, fma: 0 };
  for (const [m, n, k, ta, tb] of SHAPES) {
    const a = tf.randomNormal(ta ? [k, m] : [m, k]);
    const b = tf.randomNormal(tb ? [n, k] : [k, n]);
    const lay = gemmScratch(n);
    const scratch = be.makeOutput([lay.floats], "float32");
    const c = be.makeOutput([m, n], "float32");
    const [pa, pb, pc, ps] = [a, b, c, scratch].map((t) => ptr(be, t)) as [number, number, number, number];
    const gflop = (2 * m * n * k) / 1e6;
    setFused(false); // tfjs's own kernel
    const tfjsMs = cpuMs(
      () => tf.tidy(() => void tf.matMul(ta ? tf.transpose(a) : a, tb ? tf.transpose(b) : b)),
      repeats,
    );
    setFused(undefined);
    const row: Record<string, unknown> = { m, n, k, transA: ta, transB: tb, tfjs: gflop / tfjsMs };
    total.tfjs! += tfjsMs;
    for (const [name, mod] of Object.entries(builds)) {
      const ms = cpuMs(
        () =>
          mod.gemm(
            pa,
            ta ? m : k,
            pb,
            tb ? k : n,
            pc,
            n,
            0,
            m,
            n,
            k,
            +ta,
            +tb,
            ps,
            ps + lay.packA,
            ps + lay.tail,
          ),
        repeats,
      );
      row[name] = gflop / ms;
      total[name]! += ms;
    }
    console.log(
      `${m}x${n}x${k} ${ta ? "T" : "N"}${tb ? "T" : "N"}: ` +
        Object.entries(row)
          .filter(([key]) => ["tfjs", "plain", "fma"].includes(key))
          .map(([key, v]) => `${key} ${(v as number).toFixed(1)}`)
          .join("  "),
    );
    rows.push(row);
    be.disposeData(scratch.dataId);
    be.disposeData(c.dataId);
    tf.dispose([a, b]);
  }
  console.log(
    `sum of kernel ms: tfjs+transposes ${total.tfjs!.toFixed(1)}, plain ${total.plain!.toFixed(1)}` +
      (builds.fma ? `, fma ${total.fma!.toFixed(1)}` : ""),
  );

  // Worker pool: wall time of one large matmul on 1 vs 2 threads (needs a free second core).
  const [m, n, k] = [2176, 512, 128];
  const a = tf.randomNormal([m, k]);
  const b = tf.randomNormal([k, n]);
  const lay = gemmScratch(n);
  const scratch = be.makeOutput([lay.floats], "float32");
  const c = be.makeOutput([m, n], "float32");
  const plan = { m, n, k, transA: false, transB: false };
  const local = (rows?: number) =>
    runGemm(be, plan, ptr(be, a), ptr(be, b), ptr(be, c), 0, ptr(be, scratch), rows);
  const view = (t: tf.TensorInfo) => be.typedArrayFromHeap(t) as Float32Array;
  const pool = new GemmPool(2);
  const wall = (fn: () => void) => {
    const ms: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      fn();
      ms.push(performance.now() - t0);
    }
    return summarize(ms);
  };
  const one = wall(() => local());
  const two = wall(() => pool.run({ ...plan, a: view(a), b: view(b), c: view(c), runLocal: local }));
  pool.close();
  console.log(
    `pool ${m}x${n}x${k}: 1 thread median ${one.median.toFixed(2)} ms, 2 threads median ${two.median.toFixed(2)} ms`,
  );
  be.disposeData(scratch.dataId);
  be.disposeData(c.dataId);
  tf.dispose([a, b]);
  const file = writeResult("gemm", machine, {
    repeats,
    gflopsByCpuTime: rows,
    kernelMsTotal: total,
    pool: { shape: { m, n, k }, oneThreadMs: one, twoThreadsMs: two },
  });
  console.log(`wrote ${file}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
