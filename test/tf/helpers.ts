/** Shared helpers for the src/tf tests: seeded data and "run the same thing on two backends". */
import { tf } from "../../src/tf";

/** Deterministic uniform(-1, 1) values from a 32-bit LCG. */
export function rand(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Runs `fn` on backend `name` and copies its outputs out as plain arrays (no tensors survive). */
export async function onBackend(name: string, fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(name);
  const outs = tf.tidy(fn);
  const arrays = outs.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(outs);
  return arrays;
}

/** max |a-b| / max |b| (relative to the reference's scale). */
export function relErr(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let num = 0;
  let den = 1e-12;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

/** Computes on wasm and cpu and returns the worst relative error over all outputs. */
export async function wasmVsCpu(fn: () => tf.Tensor[]): Promise<{ err: number; wasm: Float32Array[] }> {
  const w = await onBackend("wasm", fn);
  const c = await onBackend("cpu", fn);
  await tf.setBackend("wasm");
  let err = 0;
  for (let i = 0; i < c.length; i++) err = Math.max(err, relErr(w[i]!, c[i]!));
  return { err, wasm: w };
}
