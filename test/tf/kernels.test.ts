import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { initBackend, tf } from "../../src/tf";
import { conv2dFilterGrad, conv2dInputGrad } from "../../src/tf/kernels/conv-grads";
import { rand, wasmVsCpu } from "./helpers";

const TOL = 1e-4;

before(async () => {
  const info = await initBackend();
  assert.equal(info.backend, "wasm");
});

describe("UnsortedSegmentSum (wasm)", () => {
  it("matches cpu, including repeated and out-of-range ids", async () => {
    const { err, wasm } = await wasmVsCpu(() => [
      tf.unsortedSegmentSum(
        tf.tensor2d(rand(7 * 5, 1), [7, 5]),
        tf.tensor1d([3, 0, 3, 1, 9, 0, 3], "int32"),
        4,
      ),
    ]);
    assert.ok(err < TOL, `rel err ${err}`);
    assert.deepEqual(wasm[0]!.length, 20);
  });
  it("hand-checked small case", async () => {
    await tf.setBackend("wasm");
    const y = tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4]), tf.tensor1d([1, 1, 0, 2], "int32"), 3);
    assert.deepEqual(Array.from(y.dataSync()), [3, 3, 4]);
    y.dispose();
  });
  it("gives the gather (embedding) gradient", async () => {
    const { err } = await wasmVsCpu(() => {
      const ids = tf.tensor2d([1, 5, 5, 0, 2, 1], [2, 3], "int32");
      const w = tf.tensor3d(rand(2 * 3 * 4, 2), [2, 3, 4]);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), w)))(
        tf.tensor2d(rand(6 * 4, 3), [6, 4]),
      );
      return [g];
    });
    assert.ok(err < TOL, `rel err ${err}`);
  });
});

interface ConvCase {
  x: [number, number, number, number];
  k: [number, number];
  co: number;
  s: number;
  pad: "same" | "valid";
}
const CASES: ConvCase[] = [
  { x: [2, 6, 6, 3], k: [1, 1], co: 4, s: 1, pad: "valid" },
  { x: [2, 7, 5, 3], k: [3, 3], co: 4, s: 1, pad: "same" },
  { x: [2, 7, 7, 3], k: [3, 3], co: 5, s: 2, pad: "same" },
  { x: [1, 8, 8, 2], k: [3, 3], co: 3, s: 2, pad: "same" },
  { x: [2, 9, 10, 3], k: [3, 3], co: 2, s: 2, pad: "valid" },
  { x: [2, 16, 16, 3], k: [8, 8], co: 6, s: 8, pad: "valid" },
  { x: [1, 11, 9, 2], k: [5, 5], co: 3, s: 1, pad: "valid" },
  { x: [1, 6, 6, 4], k: [1, 1], co: 3, s: 2, pad: "same" },
];

describe("conv2d gradients (wasm forward-conv kernels)", () => {
  for (const c of CASES) {
    const name = `x${c.x.join("x")} k${c.k.join("x")} s${c.s} ${c.pad}`;
    it(`dx and dW match cpu: ${name}`, async () => {
      const { err } = await wasmVsCpu(() => {
        const x = tf.tensor4d(
          rand(
            c.x.reduce((a, b) => a * b),
            11,
          ),
          c.x,
        );
        const w = tf.tensor4d(rand(c.k[0] * c.k[1] * c.x[3] * c.co, 12), [c.k[0], c.k[1], c.x[3], c.co]);
        const y = tf.conv2d(x, w, c.s, c.pad);
        const r = tf.tensor(rand(y.size, 13), y.shape);
        const f = (a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), r));
        return tf.grads(f)([x, w]);
      });
      assert.ok(err < TOL, `rel err ${err}`);
    });
  }
  it("the pure-op helpers also agree on cpu with its own kernels", async () => {
    await tf.setBackend("cpu");
    const x = tf.tensor4d(rand(2 * 7 * 7 * 3, 5), [2, 7, 7, 3]);
    const w = tf.tensor4d(rand(3 * 3 * 3 * 4, 6), [3, 3, 3, 4]);
    const dy = tf.tensor4d(rand(2 * 4 * 4 * 4, 7), [2, 4, 4, 4]);
    const attrs = { strides: 2, pad: "same" as const, dataFormat: "NHWC" as const };
    const mine = [conv2dFilterGrad(x, dy, [3, 3, 3, 4], attrs), conv2dInputGrad(dy, w, [2, 7, 7, 3], attrs)];
    const ref = [tf.conv2dTranspose(dy, w, [2, 7, 7, 3], 2, "same")];
    const dxErr = tf.tidy(() => tf.max(tf.abs(tf.sub(mine[1]!, ref[0]!))).dataSync()[0]!);
    assert.ok(dxErr < 1e-5, `dx err ${dxErr}`);
    assert.deepEqual(mine[0]!.shape, [3, 3, 3, 4]);
    tf.dispose([x, w, dy, ...mine, ...ref]);
    await tf.setBackend("wasm");
  });
});

describe("BatchMatMul gradient override", () => {
  for (const [ta, tb] of [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ] as const) {
    it(`matches cpu for transposeA=${ta} transposeB=${tb} (2-D and batched)`, async () => {
      const { err } = await wasmVsCpu(() => {
        const out: tf.Tensor[] = [];
        for (const batch of [[], [3]]) {
          const aShape = [...batch, ...(ta ? [5, 4] : [4, 5])];
          const bShape = [...batch, ...(tb ? [6, 5] : [5, 6])];
          const a = tf.tensor(
            rand(
              aShape.reduce((p, q) => p * q, 1),
              21,
            ),
            aShape,
          );
          const b = tf.tensor(
            rand(
              bShape.reduce((p, q) => p * q, 1),
              22,
            ),
            bShape,
          );
          const r = tf.tensor(rand(batch.reduce((p, q) => p * q, 1) * 24, 23), [...batch, 4, 6]);
          out.push(
            ...tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.matMul(p, q, ta, tb), r)))([a, b]),
          );
        }
        return out;
      });
      assert.ok(err < TOL, `rel err ${err}`);
    });
  }
});
