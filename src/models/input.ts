/** Conversion of decoded uint8 RGB images into the model's input tensor. */
import { tf } from "../tf";

/**
 * `u8` holds n HWC RGB images of size×size (as the data cache stores them); returns float32
 * [n, size, size, 3] scaled to [-1, 1] (x/127.5 − 1), the papers' preprocessing.
 */
export function imagesToTensor(u8: Uint8Array, n: number, size: number): tf.Tensor4D {
  const expected = n * size * size * 3;
  if (u8.length !== expected) {
    throw new Error(
      `imagesToTensor: got ${u8.length} bytes, expected n*size*size*3 = ${n}*${size}*${size}*3 = ${expected}`,
    );
  }
  const f = new Float32Array(expected);
  for (let i = 0; i < expected; i++) f[i] = u8[i]! / 127.5 - 1;
  return tf.tensor4d(f, [n, size, size, 3]);
}
