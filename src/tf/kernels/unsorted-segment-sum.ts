/**
 * `UnsortedSegmentSum` for the wasm backend (missing there): the gradient of `tf.gather`, i.e. of
 * every token embedding. A plain JS loop over the wasm heap; cost is negligible next to matmuls.
 */
import type * as tf from "@tensorflow/tfjs-core";

interface WasmHeapBackend extends tf.KernelBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** out[ids[i], j] += x[i, j]; ids outside [0, numSegments) are dropped, as in TensorFlow. */
export const unsortedSegmentSumWasm: tf.KernelConfig = {
  kernelName: "UnsortedSegmentSum",
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
    const b = backend as WasmHeapBackend;
    const idsRank = segmentIds.shape.length;
    const inner = x.shape.slice(idsRank);
    const innerSize = inner.reduce((a, d) => a * d, 1);
    const out = b.makeOutput([numSegments, ...inner], x.dtype);
    const src = b.typedArrayFromHeap(x);
    const ids = b.typedArrayFromHeap(segmentIds);
    const dst = b.typedArrayFromHeap(out);
    dst.fill(0);
    for (let i = 0; i < ids.length; i++) {
      const seg = ids[i]!;
      if (seg < 0 || seg >= numSegments) continue;
      const so = i * innerSize;
      const d0 = seg * innerSize;
      for (let j = 0; j < innerSize; j++) dst[d0 + j]! += src[so + j]!;
    }
    return out;
  },
};
