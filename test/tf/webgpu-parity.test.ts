/**
 * The webgpu backend (Dawn through the `webgpu` package; on CI, Mesa's lavapipe from
 * bookworm-backports) against tfjs's reference cpu backend and against wasm, the backend training
 * uses here: the loss and every parameter's gradient of each nano tower and each strategy
 * (test/tf/parity-probe.ts), a 20-step training run, tf.addN over many inputs, and flat tensor
 * counts. Skipped with the reason when no Vulkan driver or the optional packages are missing.
 *
 * Tolerances: losses 1e-5 (relative); gradients 1e-3 of each parameter's largest gradient (floored
 * at 1e-3 of the case's largest) (float32 reductions in another order; measured worst 2e-5, the ResNet stem); the
 * training losses against wasm 1e-4 (measured 7e-6 over 20 steps). The comparison is with cpu, not
 * wasm: on the nano ResNet and on clip-aug's crops wasm itself differs from cpu by up to 2e-2
 * (written up in the issue note), while webgpu and cpu agree.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { test } from "node:test";
import { vulkanDrivers } from "../../src/tf/webgpu";
import type { ProbeOut } from "./parity-probe";

function skipReason(): string | false {
  for (const pkg of ["webgpu", "@tensorflow/tfjs-backend-webgpu"]) {
    try {
      require.resolve(pkg);
    } catch {
      return `${pkg} is not installed (optional dependency)`;
    }
  }
  const d = vulkanDrivers();
  if (d.hardware.length + d.software.length === 0)
    return "no Vulkan driver; apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1 (.ci/run does)";
  return false;
}

const skip = skipReason();

function probe(backend: string): ProbeOut {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "parity-probe.ts")], {
    env: { ...process.env, CLIPDOWN_BACKEND: backend },
    encoding: "utf8",
    timeout: 300_000,
    maxBuffer: 64 << 20,
  });
  assert.equal(r.status, 0, `${backend} probe failed: ${r.stderr.slice(-2000)}`);
  // Dawn may print validation messages on stdout: the result is the last line.
  const last = r.stdout.trim().split("\n").pop()!;
  return JSON.parse(last) as ProbeOut;
}

test("webgpu matches the cpu reference (every tower, every strategy, gradients) and trains as wasm does", {
  skip,
}, () => {
  const gpu = probe("webgpu");
  const cpu = probe("cpu");
  const wasm = probe("wasm");
  assert.equal(gpu.backend, "webgpu");
  for (const [key, ref] of Object.entries(cpu.cases)) {
    const got = gpu.cases[key]!;
    assert.ok(
      Math.abs(got.loss - ref.loss) <= 1e-5 * Math.max(1, Math.abs(ref.loss)),
      `${key}: loss ${got.loss} vs ${ref.loss}`,
    );
    let caseMax = 0;
    for (const g of Object.values(ref.grads)) for (const v of g) caseMax = Math.max(caseMax, Math.abs(v));
    for (const [name, g] of Object.entries(ref.grads)) {
      const h = got.grads[name]!;
      assert.equal(h.length, g.length, `${key} ${name}: gradient size`);
      // Floored at 1e-3 of the case's largest gradient: a bias right before a batch norm (SLIP's
      // head) has a true gradient of 0, and what either backend gives for it (~1e-7) is rounding noise.
      let scale = 1e-3 * caseMax;
      let diff = 0;
      g.forEach((v, i) => {
        scale = Math.max(scale, Math.abs(v));
        diff = Math.max(diff, Math.abs(v - h[i]!));
      });
      const err = diff / scale;
      assert.ok(
        err < 1e-3,
        `${key} ${name}: gradient differs by ${err.toExponential(2)} of its largest value`,
      );
    }
  }
  assert.deepEqual(gpu.addN20, [210, 210, 210]);
  assert.equal(gpu.train.length, 20);
  gpu.train.forEach((l, i) => {
    assert.ok(
      Math.abs(l - wasm.train[i]!) < 1e-4,
      `training step ${i + 1}: webgpu ${l} vs wasm ${wasm.train[i]}`,
    );
  });
  assert.equal(gpu.tensorsLeaked, cpu.tensorsLeaked, "webgpu leaks no more tensors than cpu");
});

test("CLIPDOWN_BACKEND=webgpu: clipdown info reports the adapter; without it a software adapter is never chosen", {
  skip,
}, () => {
  const info = (env: Record<string, string>) => {
    const r = spawnSync(process.execPath, ["bin/clipdown.js", "info", "--json"], {
      env: { ...process.env, ...env },
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const forced = info({ CLIPDOWN_BACKEND: "webgpu" });
  assert.equal(forced.backend, "webgpu");
  assert.ok(forced.adapter.description || forced.adapter.device, JSON.stringify(forced.adapter));
  assert.ok(forced.kernels.includes("AddN (chunked)"));
  const auto = info({ CLIPDOWN_BACKEND: "" });
  if (forced.adapter.software) {
    assert.notEqual(auto.backend, "webgpu");
    assert.ok(auto.skipped.some((s: { backend: string }) => s.backend === "webgpu"));
  }
});
