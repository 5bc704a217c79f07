import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { forcedBackend } from "../../src/tf/backend";

function info(env: Record<string, string>, args = ["--json"]) {
  const r = spawnSync(process.execPath, ["bin/clipdown.js", "info", ...args], {
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("backend choice", () => {
  it("CLIPDOWN_BACKEND=cpu gives cpu, with no tfjs-node banner", () => {
    const r = info({ CLIPDOWN_BACKEND: "cpu" });
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.backend, "cpu");
    assert.equal(j.reason, "forced by CLIPDOWN_BACKEND=cpu");
    assert.deepEqual(j.kernels, []);
    assert.ok(!/looks like you are running/.test(r.out + r.err));
  });
  it("default picks wasm with the training kernels and records skipped native packages", () => {
    const r = info({ CLIPDOWN_BACKEND: "" });
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.backend, "wasm");
    assert.equal(j.simd, true);
    assert.deepEqual(j.kernels.slice(0, 5), [
      "UnsortedSegmentSum",
      "Conv2DBackpropFilter",
      "Conv2DBackpropInput",
      "BatchMatMul (gradient)",
      "Identity (shares the buffer)",
    ]);
    for (const k of ["ClipdownLayerNorm", "ClipdownGelu", "ClipdownAttention", "ClipdownAdamW"]) {
      assert.ok(j.kernels.includes(k), `missing fused kernel ${k}`);
    }
    assert.equal(j.fused, "on");
    assert.deepEqual(
      j.skipped.map((s: { backend: string }) => s.backend),
      ["@tensorflow/tfjs-node-gpu", "webgpu", "@tensorflow/tfjs-node"],
    );
  });
  it("CLIPDOWN_FUSED=0 keeps the kernels registered but reports the fused path off; bad values fail", () => {
    const off = info({ CLIPDOWN_BACKEND: "wasm", CLIPDOWN_FUSED: "0" });
    assert.equal(off.code, 0, off.err);
    assert.equal(JSON.parse(off.out).fused, "off (CLIPDOWN_FUSED=0)");
    const bad = info({ CLIPDOWN_BACKEND: "wasm", CLIPDOWN_FUSED: "maybe" });
    assert.notEqual(bad.code, 0);
    assert.match(
      bad.err,
      /CLIPDOWN_FUSED='maybe' is not valid; use 1 \(fused kernels\) or 0 \(stock tf ops\)/,
    );
  });
  it("an unknown name fails and lists the valid names", () => {
    const r = info({ CLIPDOWN_BACKEND: "cuda" });
    assert.notEqual(r.code, 0);
    assert.match(
      r.err,
      /CLIPDOWN_BACKEND='cuda' is not a backend; valid names: tensorflow, webgpu, wasm, cpu/,
    );
  });
  it("forcing tensorflow without tfjs-node fails clearly", () => {
    const r = info({ CLIPDOWN_BACKEND: "tensorflow" });
    assert.notEqual(r.code, 0);
    assert.match(r.err, /CLIPDOWN_BACKEND=tensorflow could not be initialised .*module not installed/);
  });
  it("human-readable output names the backend", () => {
    const r = info({ CLIPDOWN_BACKEND: "wasm" }, []);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^backend: {2}wasm$/m);
  });
  it("forcedBackend parses the variable", () => {
    assert.equal(forcedBackend({}), undefined);
    assert.equal(forcedBackend({ CLIPDOWN_BACKEND: "wasm" }), "wasm");
    assert.throws(
      () => forcedBackend({ CLIPDOWN_BACKEND: "gpu" }),
      /valid names: tensorflow, webgpu, wasm, cpu/,
    );
  });
});
