/**
 * Gradients of the fused forward kernels: each backward is one fused kernel (fused-kernels.ts).
 * Registered globally by kernel name; the names are clipdown's own, so nothing stock is overridden.
 */
import * as tf from "@tensorflow/tfjs-core";
import { FUSED } from "./fused-kernels";

function run(name: string, inputs: tf.NamedTensorMap, attrs: object = {}): tf.Tensor[] {
  const out = tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap);
  return Array.isArray(out) ? out : [out as tf.Tensor];
}

const first = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor => (Array.isArray(dy) ? dy[0]! : dy);

export const FUSED_GRADS: tf.GradConfig[] = [
  {
    kernelName: FUSED.biasAdd,
    gradFunc: (dy) => {
      const g = first(dy);
      return { x: () => tf.clone(g), bias: () => run(FUSED.colSum, { x: g })[0]! };
    },
  },
  {
    kernelName: FUSED.layerNorm,
    inputsToSave: ["x", "gamma"],
    outputsToSave: [false, true, true],
    gradFunc: (dy, saved) => {
      const [x, gamma, mean, rstd] = saved as tf.Tensor[];
      // One kernel yields all three gradients, so it runs eagerly here. The engine runs backprop
      // inside its own tidy, which frees any of them whose input is not being differentiated.
      const [dx, dg, db] = run(FUSED.layerNormGrad, {
        dy: first(dy),
        x: x!,
        gamma: gamma!,
        mean: mean!,
        rstd: rstd!,
      });
      return { x: () => dx!, gamma: () => dg!, beta: () => db! };
    },
  },
  {
    kernelName: FUSED.gelu,
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => ({ x: () => run(FUSED.geluGrad, { x: saved[0]!, dy: first(dy) })[0]! }),
  },
  {
    kernelName: FUSED.attention,
    inputsToSave: ["qkv"],
    outputsToSave: [false, true],
    gradFunc: (dy, saved, attrs) => {
      const [qkv, probs] = saved as tf.Tensor[];
      const n = qkv!.shape[1]!;
      return {
        qkv: () => run(FUSED.attentionGrad, { qkv: qkv!, probs: probs!, dy: first(dy) }, attrs)[0]!,
        // The mask is a constant; its gradient is never needed but must exist if asked for.
        mask: () => tf.zeros([n, n]),
      };
    },
  },
  {
    kernelName: FUSED.clipLoss,
    inputsToSave: ["logits"],
    outputsToSave: [false, true, true],
    gradFunc: (dy, saved) => {
      const [logits, rowLse, colLse] = saved as tf.Tensor[];
      return {
        logits: () =>
          run(FUSED.clipLossGrad, { dy: first(dy), logits: logits!, rowLse: rowLse!, colLse: colLse! })[0]!,
      };
    },
  },
];
