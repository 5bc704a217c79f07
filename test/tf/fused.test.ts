/**
 * Each fused wasm kernel (forward and gradient) against the same maths composed from stock tf ops
 * on the `cpu` backend, over several shapes including ones that exercise the SIMD tail loops.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { fused, fusedEnabled, initBackend, tf } from "../../src/tf";
import { GemmPool, gemmPool, MIN_FLOPS, threadsFromEnv } from "../../src/tf/kernels/gemm-pool";
import { gemmScratch, gemmScratchFloats, runGemm } from "../../src/tf/kernels/matmul";
import { type FusedExports, ptr, WASM_DIR, type WasmBackendLike } from "../../src/tf/kernels/wasm-module";
import { rand, relErr, wasmVsCpu } from "./helpers";

const TOL = 1e-4;

before(async () => {
  const info = await initBackend();
  assert.equal(info.backend, "wasm");
  assert.equal(info.fused, "on", "fused kernels must be loaded for these tests");
});

const randT = (shape: number[], seed: number, scale = 1) =>
  tf.mul(
    tf.tensor(
      rand(
        shape.reduce((a, b) => a * b, 1),
        seed,
      ),
      shape,
    ),
    scale,
  );

/** Runs `op` fused on wasm (asserting it really is) and as stock ops on cpu. */
function both(fusedOp: () => tf.Tensor[], refOp: () => tf.Tensor[]): () => tf.Tensor[] {
  return () => {
    if (tf.getBackend() === "wasm") {
      assert.ok(fusedEnabled());
      return fusedOp();
    }
    assert.ok(!fusedEnabled());
    return refOp();
  };
}

/** Value and gradients of sum(op(...xs) ∘ r) for a fixed random r: checks the full VJP. */
function valueAndGrads(op: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], seed: number): tf.Tensor[] {
  const y = op(...xs);
  const r = randT(y.shape, seed);
  const g = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(op(...a), r)))(xs);
  return [y, ...g];
}

function refLayerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), b);
}

function refGelu(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

function refAttention(qkv: tf.Tensor, heads: number, mask?: tf.Tensor): tf.Tensor {
  const [b, n, w3] = qkv.shape as [number, number, number];
  const w = w3 / 3;
  const d = w / heads;
  const [q, k, v] = tf
    .split(qkv, 3, 2)
    .map((t) => tf.transpose(tf.reshape(t, [b, n, heads, d]), [0, 2, 1, 3]));
  let s = tf.mul(tf.matMul(q!, k!, false, true), 1 / Math.sqrt(d));
  if (mask) s = tf.add(s, mask);
  return tf.reshape(tf.transpose(tf.matMul(tf.softmax(s, -1), v!), [0, 2, 1, 3]), [b, n, w]);
}

function refClipLoss(logits: tf.Tensor2D): tf.Tensor {
  const n = logits.shape[0];
  const eye = tf.eye(n);
  const ce = (l: tf.Tensor) => tf.neg(tf.mean(tf.sum(tf.mul(eye, tf.sub(l, tf.logSumExp(l, 1, true))), 1)));
  return tf.div(tf.add(ce(logits), ce(tf.transpose(logits))), 2);
}

function causal(n: number): tf.Tensor {
  const m = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) m[i * n + j] = -1e9;
  return tf.tensor2d(m, [n, n]);
}

async function check(name: string, fusedOp: () => tf.Tensor[], refOp: () => tf.Tensor[]): Promise<void> {
  const { err } = await wasmVsCpu(both(fusedOp, refOp));
  assert.ok(err < TOL, `${name}: rel err ${err}`);
}

describe("fused kernels match stock tf ops on cpu (forward and gradient)", () => {
  for (const shape of [
    [2, 3, 8],
    [5, 7],
    [4, 17, 128],
  ]) {
    it(`bias add ${shape}`, async () => {
      const d = shape[shape.length - 1]!;
      const mk = () => [randT(shape, 1), randT([d], 2)];
      await check(
        "biasAdd",
        () => valueAndGrads((x, b) => fused.biasAdd(x!, b!), mk(), 3),
        () => valueAndGrads((x, b) => tf.add(x!, b!), mk(), 3),
      );
    });
    it(`layer norm ${shape}`, async () => {
      const d = shape[shape.length - 1]!;
      const mk = () => [randT(shape, 4, 3), tf.add(randT([d], 5), 1), randT([d], 6)];
      await check(
        "layerNorm",
        () => valueAndGrads((x, g, b) => fused.layerNorm(x!, g!, b!), mk(), 7),
        () => valueAndGrads((x, g, b) => refLayerNorm(x!, g!, b!), mk(), 7),
      );
    });
    it(`gelu ${shape}`, async () => {
      // Scale 6 covers the saturated tails (|x| up to 6) as well as the curved middle.
      const mk = () => [randT(shape, 8, 6)];
      await check(
        "gelu",
        () => valueAndGrads((x) => fused.gelu(x!), mk(), 9),
        () => valueAndGrads((x) => refGelu(x!), mk(), 9),
      );
    });
  }

  for (const c of [
    { b: 2, n: 5, w: 8, heads: 2, mask: false },
    { b: 3, n: 17, w: 128, heads: 4, mask: false },
    { b: 2, n: 16, w: 48, heads: 3, mask: true },
    { b: 1, n: 7, w: 16, heads: 1, mask: true },
  ]) {
    it(`attention B${c.b} N${c.n} W${c.w} H${c.heads}${c.mask ? " causal" : ""}`, async () => {
      const mk = () => [randT([c.b, c.n, 3 * c.w], 10, 2)];
      const m = () => (c.mask ? causal(c.n) : undefined);
      await check(
        "attention",
        () => valueAndGrads((qkv) => fused.attention(qkv!, c.heads, m()), mk(), 11),
        () => valueAndGrads((qkv) => refAttention(qkv!, c.heads, m()), mk(), 11),
      );
    });
  }

  for (const n of [1, 6, 33]) {
    it(`CLIP loss (symmetric softmax cross-entropy) ${n}x${n}`, async () => {
      const mk = () => [randT([n, n], 12, 14)];
      await check(
        "clipLoss",
        () => valueAndGrads((l) => fused.clipLoss(l as tf.Tensor2D), mk(), 13),
        () => valueAndGrads((l) => refClipLoss(l as tf.Tensor2D), mk(), 13),
      );
    });
  }

  for (const maxNorm of [0.5, 1000, 0]) {
    it(`global-norm clipping, maxNorm ${maxNorm}`, async () => {
      const mk = () => [randT([3, 5], 14), randT([7], 15), randT([2, 2, 3], 16)];
      await check(
        "clipByGlobalNorm",
        () => {
          const r = fused.clipByGlobalNorm(mk(), maxNorm);
          return [r.norm, ...r.grads];
        },
        () => {
          const gs = mk();
          const norm = tf.sqrt(tf.addN(gs.map((g) => tf.sum(tf.square(g)))));
          const s = maxNorm > 0 ? tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6))) : tf.scalar(1);
          return [norm, ...gs.map((g) => tf.mul(g, s))];
        },
      );
    });
  }

  it("AdamW over several parameters, 3 steps, with and without weight decay", async () => {
    const shapes = [[4, 5], [9], [3, 3, 3]];
    const wd = [0.1, 0, 0.05];
    const o = { lr: 0.01, beta1: 0.9, beta2: 0.98, eps: 1e-6 };
    await check(
      "adamW",
      () => {
        const p = shapes.map((s, i) => tf.variable(randT(s, 20 + i)));
        const m = shapes.map((s) => tf.variable(tf.zeros(s)));
        const v = shapes.map((s) => tf.variable(tf.zeros(s)));
        for (let t = 1; t <= 3; t++) {
          const g = shapes.map((s, i) => randT(s, 30 + 10 * t + i));
          fused.adamW(p, g, m, v, wd, { ...o, t });
          tf.dispose(g);
        }
        const out = [...p, ...m, ...v].map((x) => tf.clone(x));
        tf.dispose([...p, ...m, ...v]);
        return out;
      },
      () => {
        let p = shapes.map((s, i) => randT(s, 20 + i));
        let m = shapes.map((s) => tf.zeros(s));
        let v = shapes.map((s) => tf.zeros(s));
        for (let t = 1; t <= 3; t++) {
          const g = shapes.map((s, i) => randT(s, 30 + 10 * t + i));
          m = m.map((mi, i) => tf.add(tf.mul(mi, o.beta1), tf.mul(g[i]!, 1 - o.beta1)));
          v = v.map((vi, i) => tf.add(tf.mul(vi, o.beta2), tf.mul(tf.square(g[i]!), 1 - o.beta2)));
          const bc1 = 1 - o.beta1 ** t;
          const bc2 = 1 - o.beta2 ** t;
          p = p.map((pi, i) => {
            const upd = tf.div(tf.div(m[i]!, bc1), tf.add(tf.sqrt(tf.div(v[i]!, bc2)), o.eps));
            return tf.sub(tf.mul(pi, 1 - o.lr * wd[i]!), tf.mul(upd, o.lr));
          });
        }
        return [...p, ...m, ...v];
      },
    );
  });

  it("hand-checked values: gelu(0)=0, gelu(1)≈0.841192, layer norm of [1,2,3]", async () => {
    await tf.setBackend("wasm");
    const g = fused.gelu(tf.tensor1d([0, 1, -30]));
    const got = Array.from(await g.data());
    assert.equal(got[0], 0);
    assert.ok(Math.abs(got[1]! - 0.8411920071) < 1e-6, `gelu(1) = ${got[1]}`);
    assert.ok(Math.abs(got[2]!) < 1e-12);
    const ln = fused.layerNorm(tf.tensor2d([1, 2, 3], [1, 3]), tf.ones([3]), tf.zeros([3]));
    const s = Math.sqrt(2 / 3 + 1e-5);
    const want = [-1 / s, 0, 1 / s];
    const lnv = Array.from(await ln.data());
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(lnv[i]! - want[i]!) < 1e-6, `ln[${i}] = ${lnv[i]}`);
    tf.dispose([g, ln]);
  });

  it("a forward+backward through every fused op leaves tf.memory().numTensors flat", async () => {
    await tf.setBackend("wasm");
    const qkv = randT([2, 5, 24], 40);
    const g = tf.ones([8]);
    const b = tf.zeros([8]);
    const mask = causal(5);
    const stepOnce = () => {
      const grads = tf.grads((x: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
        const h = fused.attention(x, 2, mask); // [2,5,8]
        const y = fused.gelu(fused.biasAdd(fused.layerNorm(h, gg, bb), bb));
        const logits = tf.matMul(tf.reshape(tf.slice(y, [0, 0, 0], [2, 1, 8]), [2, 8]), tf.ones([8, 2]));
        return fused.clipLoss(logits as tf.Tensor2D);
      })([qkv, g, b]);
      tf.dispose(grads);
    };
    stepOnce();
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      stepOnce();
      counts.push(tf.memory().numTensors);
    }
    assert.deepEqual(counts, [counts[0], counts[0], counts[0]]);
    tf.dispose([qkv, g, b, mask]);
  });
});

describe("clipdown GEMM as wasm BatchMatMul", () => {
  // 37×29 output tiles leave row and column edges; K = 300 > the 256-deep K block accumulates.
  for (const [m, n, k] of [
    [37, 29, 300],
    [8, 16, 4],
    [1, 1, 1],
    [130, 9, 513],
  ] as const) {
    for (const [ta, tb] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ] as const) {
      it(`${m}x${n}x${k} transposeA=${ta} transposeB=${tb}, value and gradients`, async () => {
        const mk = () => [randT(ta ? [k, m] : [m, k], 50), randT(tb ? [n, k] : [k, n], 51)];
        await check(
          "gemm",
          () => valueAndGrads((a, b) => tf.matMul(a!, b!, ta, tb), mk(), 52),
          () => valueAndGrads((a, b) => tf.matMul(a!, b!, ta, tb), mk(), 52),
        );
      });
    }
  }
  it("batched [3,5,7]x[3,7,4] and broadcast [5,7]x[3,7,4] / [3,5,7]x[7,4]", async () => {
    await check(
      "batched gemm",
      () => [
        tf.matMul(randT([3, 5, 7], 53), randT([3, 7, 4], 54)),
        tf.matMul(randT([1, 5, 7], 55), randT([3, 7, 4], 56)),
        tf.matMul(randT([3, 5, 7], 57), randT([1, 7, 4], 58)),
      ],
      () => [
        tf.matMul(randT([3, 5, 7], 53), randT([3, 7, 4], 54)),
        tf.matMul(randT([1, 5, 7], 55), randT([3, 7, 4], 56)),
        tf.matMul(randT([3, 5, 7], 57), randT([1, 7, 4], 58)),
      ],
    );
  });
});

describe("both GEMM builds (relaxed-SIMD FMA and plain SIMD128)", () => {
  it("agree with each other and with cpu on every transpose form", async () => {
    await tf.setBackend("wasm");
    const be = tf.backend() as unknown as WasmBackendLike;
    const W = (globalThis as { WebAssembly?: any }).WebAssembly;
    const mods = ["fused.wasm", "fused-fma.wasm"].map(
      (f) =>
        new W.Instance(new W.Module(fs.readFileSync(path.join(WASM_DIR, f))), {
          env: { memory: be.wasm.asm!.memory },
        }).exports as FusedExports,
    );
    const [m, n, k] = [37, 29, 300];
    for (const [ta, tb] of [
      [false, false],
      [true, true],
    ] as const) {
      const a = randT(ta ? [k, m] : [m, k], 70);
      const b = randT(tb ? [n, k] : [k, n], 71);
      await tf.setBackend("cpu");
      const ac = randT(ta ? [k, m] : [m, k], 70);
      const bc = randT(tb ? [n, k] : [k, n], 71);
      const want = tf.matMul(ac, bc, ta, tb);
      const ref = Float32Array.from(await want.data());
      tf.dispose([ac, bc, want]);
      await tf.setBackend("wasm");
      const scratch = be.makeOutput([gemmScratchFloats(n)], "float32");
      for (const mod of mods) {
        const c = be.makeOutput([m, n], "float32");
        const ps = ptr(be, scratch);
        const lay = gemmScratch(n);
        mod.gemm(
          ptr(be, a),
          ta ? m : k,
          ptr(be, b),
          tb ? k : n,
          ptr(be, c),
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
        );
        const got = be.typedArrayFromHeap(c) as Float32Array;
        const err = relErr(Float32Array.from(got), ref);
        assert.ok(err < TOL, `rel err ${err}`);
        be.disposeData(c.dataId);
      }
      be.disposeData(scratch.dataId);
      tf.dispose([a, b]);
    }
  });
});

describe("GEMM worker pool (large matmuls split over threads)", () => {
  it("3 threads, uneven row blocks, every transpose form: equals the single-thread GEMM bit for bit", async () => {
    await tf.setBackend("wasm");
    const be = tf.backend() as unknown as WasmBackendLike;
    const pool = new GemmPool(3);
    try {
      for (const [ta, tb] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        const [m, n, k] = [70, 37, 300];
        const a = randT(ta ? [k, m] : [m, k], 60);
        const b = randT(tb ? [n, k] : [k, n], 61);
        const plan = { m, n, k, transA: ta, transB: tb };
        const outs = [be.makeOutput([m, n], "float32"), be.makeOutput([m, n], "float32")];
        const scratch = be.makeOutput([gemmScratchFloats(n)], "float32");
        const [pa, pb, ps] = [a, b, scratch].map((t) => ptr(be, t));
        runGemm(be, plan, pa!, pb!, ptr(be, outs[0]!), 0, ps!);
        const view = (t: tf.TensorInfo) => be.typedArrayFromHeap(t) as Float32Array;
        pool.run({
          ...plan,
          a: view(a),
          b: view(b),
          c: view(outs[1]!),
          runLocal: (rows) => runGemm(be, plan, pa!, pb!, ptr(be, outs[1]!), 0, ps!, rows),
        });
        assert.deepEqual(Array.from(view(outs[1]!)), Array.from(view(outs[0]!)), `transA=${ta} transB=${tb}`);
        for (const o of [...outs, scratch]) be.disposeData(o.dataId);
        tf.dispose([a, b]);
      }
    } finally {
      pool.close();
    }
  });
  it("tf.matMul above the threading threshold (2 threads) matches cpu, value and gradients", async () => {
    const threads = gemmPool(2);
    assert.ok(threads, "pool with 2 threads");
    // 2·200·96·260 ≈ 10 MFLOP ≥ MIN_FLOPS, so the forward and both gradient matmuls use the pool.
    assert.ok(2 * 200 * 96 * 260 >= MIN_FLOPS);
    const mk = () => [randT([200, 260], 62), randT([260, 96], 63)];
    await check(
      "pooled gemm",
      () => valueAndGrads((a, b) => tf.matMul(a!, b!), mk(), 64),
      () => valueAndGrads((a, b) => tf.matMul(a!, b!), mk(), 64),
    );
  });
  it("CLIPDOWN_THREADS is validated", () => {
    assert.equal(threadsFromEnv({ CLIPDOWN_THREADS: "3" }), 3);
    assert.equal(threadsFromEnv({}), 1);
    assert.throws(() => threadsFromEnv({ CLIPDOWN_THREADS: "two" }), /CLIPDOWN_THREADS='two' is not valid/);
  });
});
