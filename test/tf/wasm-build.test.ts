/**
 * The committed fused*.wasm are exactly what src/tf/kernels/wasm/build.sh makes from fused.c and
 * fma.js (clang-14 + lld-14 + wabt, installed by .ci/run), so the binaries cannot drift from their
 * source. Skipped, saying why, where that toolchain is not installed.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";

// tsconfig's lib has no WebAssembly typings (no DOM); Node provides the global.
declare const WebAssembly: {
  Module: {
    new (b: Uint8Array): object;
    imports(m: object): { module: string; name: string; kind: string }[];
  };
};

const DIR = path.join(__dirname, "..", "..", "src", "tf", "kernels", "wasm");
const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const toolchain = has("clang-14") && (has("wasm-ld-14") || has("wasm-ld")) && has("wat2wasm");
const FILES = ["fused.wasm", "fused-shared.wasm", "fused-fma.wasm", "fused-fma-shared.wasm"];

describe("fused wasm binaries", () => {
  it("rebuild from fused.c byte for byte", {
    skip: toolchain ? false : "clang-14/lld-14 not installed",
  }, () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "clipdown-wasm-"));
    try {
      const r = spawnSync("bash", [path.join(DIR, "build.sh"), out], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      for (const f of FILES) {
        const built = fs.readFileSync(path.join(out, f));
        const committed = fs.readFileSync(path.join(DIR, f));
        assert.ok(
          built.equals(committed),
          `${f} differs from a fresh build: run src/tf/kernels/wasm/build.sh`,
        );
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
  it("import only a memory and carry no data section (they run on memory they do not own)", () => {
    require("node:v8").setFlagsFromString("--experimental-wasm-relaxed-simd"); // the FMA builds (Node 20)
    for (const f of FILES) {
      const b = fs.readFileSync(path.join(DIR, f));
      const m = new WebAssembly.Module(b);
      assert.deepEqual(
        WebAssembly.Module.imports(m).map((i) => `${i.module}.${i.name}:${i.kind}`),
        ["env.memory:memory"],
      );
      let p = 8;
      const ids: number[] = [];
      while (p < b.length) {
        const id = b[p++]!;
        let size = 0;
        let shift = 0;
        let x: number;
        do {
          x = b[p++]!;
          size |= (x & 0x7f) << shift;
          shift += 7;
        } while (x & 0x80);
        ids.push(id);
        p += size;
      }
      assert.ok(!ids.includes(11), `${f} has a data section`);
      assert.ok(ids.includes(10), `${f} has no code section`);
    }
  });
});
