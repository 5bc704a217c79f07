/**
 * What training needs on the webgpu backend that tfjs-backend-webgpu 4.22 gets wrong.
 *
 * AddN: one shader binds every input as a storage buffer, so summing more inputs than the
 * device's `maxStorageBuffersPerShaderStage − 1` (7 on most devices: the WebGPU default limit is 8)
 * fails pipeline validation, and the failed dispatch leaves a zero tensor behind without an error.
 * The trainer's gradient norm sums one square per parameter (39 for nano), so the norm read 0 and
 * gradient clipping was wrong. The fix sums chunks that fit and then the partial sums, with the
 * backend's own AddN kernel (Concat already does this in tfjs; AddN does not).
 */
import * as tf from "@tensorflow/tfjs-core";

type WebgpuBackend = tf.KernelBackend & { device: { limits: { maxStorageBuffersPerShaderStage: number } } };

/** Registers the webgpu fixes (once); returns their names for `clipdown info`. */
export function registerWebgpuKernels(): string[] {
  const orig = tf.getKernel("AddN", "webgpu");
  if (!orig || (orig as { clipdown?: boolean }).clipdown) return orig ? ["AddN (chunked)"] : [];
  const addN = orig.kernelFunc;
  tf.unregisterKernel("AddN", "webgpu");
  const config: tf.KernelConfig & { clipdown: boolean } = {
    kernelName: "AddN",
    backendName: "webgpu",
    clipdown: true,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const b = backend as WebgpuBackend;
      const max = Math.max(2, b.device.limits.maxStorageBuffersPerShaderStage - 1);
      let ts = Object.values(inputs) as tf.TensorInfo[];
      const partial: tf.TensorInfo[] = [];
      while (ts.length > max) {
        const next: tf.TensorInfo[] = [];
        for (let i = 0; i < ts.length; i += max) {
          const chunk = ts.slice(i, i + max);
          if (chunk.length === 1) next.push(chunk[0]!);
          else {
            const s = addN({
              inputs: chunk as unknown as tf.NamedTensorInfoMap,
              backend,
              attrs,
            }) as tf.TensorInfo;
            partial.push(s);
            next.push(s);
          }
        }
        ts = next;
      }
      const out = addN({ inputs: ts as unknown as tf.NamedTensorInfoMap, backend, attrs }) as tf.TensorInfo;
      for (const p of partial) b.disposeData(p.dataId);
      return out;
    },
  };
  tf.registerKernel(config);
  return ["AddN (chunked)"];
}
