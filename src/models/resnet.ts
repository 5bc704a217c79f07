/**
 * ResNet image tower: 3×3 stem conv + BN + ReLU, stages of BasicBlock (two 3×3 convs) or
 * Bottleneck (1×1 → 3×3 → 1×1 with 4× expansion, stride on the 3×3 as torchvision v1.5),
 * 1×1 projection shortcut when the shape changes, global average pooling.
 *
 * BatchNorm normalises with batch statistics in training mode and updates the running mean and
 * (unbiased) variance buffers with momentum 0.1 (PyTorch's convention); eval mode uses the buffers.
 * Pooling is global average only; CLIP's attention pooling (ModifiedResNet, optional in issue 4) is left out.
 */
import { tf } from "../tf";
import type { ResnetConfig } from "./config";
import type { ParamInit, Params } from "./layers";

export const BN_MOMENTUM = 0.1;
export const BN_EPS = 1e-5;

/** One conv layer's geometry, used by both the builder and the FLOPs counter. */
export interface ConvSpec {
  name: string;
  k: number;
  cin: number;
  cout: number;
  stride: number;
  /** Input spatial size (square). */
  inSize: number;
  outSize: number;
}

export interface BlockSpec {
  name: string;
  convs: ConvSpec[];
  shortcut?: ConvSpec;
}

/** Enumerates every conv in the network (stem first), with 'same' padding sizes. */
export function resnetPlan(cfg: ResnetConfig): { stem: ConvSpec; blocks: BlockSpec[]; outChannels: number } {
  if (cfg.widths.length !== cfg.layers.length || cfg.widths.length === 0) {
    throw new Error(
      `ResNet widths (${cfg.widths.length}) and layers (${cfg.layers.length}) must be non-empty and equal length`,
    );
  }
  const conv = (
    name: string,
    k: number,
    cin: number,
    cout: number,
    stride: number,
    inSize: number,
  ): ConvSpec => ({
    name,
    k,
    cin,
    cout,
    stride,
    inSize,
    outSize: Math.ceil(inSize / stride),
  });
  const stem = conv("visual.stem", 3, 3, cfg.stemWidth, cfg.stemStride, cfg.imageSize);
  let size = stem.outSize;
  let cin = cfg.stemWidth;
  const expansion = cfg.block === "bottleneck" ? 4 : 1;
  const blocks: BlockSpec[] = [];
  cfg.widths.forEach((w, s) => {
    for (let i = 0; i < cfg.layers[s]!; i++) {
      const name = `visual.layer${s}.${i}`;
      const stride = i === 0 && s > 0 ? 2 : 1;
      const cout = w * expansion;
      const convs =
        cfg.block === "basic"
          ? [
              conv(`${name}.conv1`, 3, cin, w, stride, size),
              conv(`${name}.conv2`, 3, w, w, 1, Math.ceil(size / stride)),
            ]
          : [
              conv(`${name}.conv1`, 1, cin, w, 1, size),
              conv(`${name}.conv2`, 3, w, w, stride, size),
              conv(`${name}.conv3`, 1, w, cout, 1, Math.ceil(size / stride)),
            ];
      const shortcut =
        stride !== 1 || cin !== cout ? conv(`${name}.down`, 1, cin, cout, stride, size) : undefined;
      blocks.push({ name, convs, shortcut });
      size = Math.ceil(size / stride);
      cin = cout;
    }
  });
  return { stem, blocks, outChannels: cin };
}

function initConvBn(init: ParamInit, c: ConvSpec): void {
  // He (kaiming) normal for ReLU nets: std = sqrt(2 / fan_in).
  init.normal(`${c.name}.w`, [c.k, c.k, c.cin, c.cout], Math.sqrt(2 / (c.k * c.k * c.cin)));
  init.ones(`${c.name}.bn.g`, [c.cout]);
  init.zeros(`${c.name}.bn.b`, [c.cout]);
  init.buffer(`${c.name}.bn.mean`, tf.zeros([c.cout]));
  init.buffer(`${c.name}.bn.var`, tf.ones([c.cout]));
}

export function initResnet(init: ParamInit, cfg: ResnetConfig, embedDim: number): void {
  const plan = resnetPlan(cfg);
  initConvBn(init, plan.stem);
  for (const b of plan.blocks) {
    for (const c of b.convs) initConvBn(init, c);
    if (b.shortcut) initConvBn(init, b.shortcut);
  }
  init.normal("visual.proj", [plan.outChannels, embedDim], plan.outChannels ** -0.5);
}

/** BatchNorm over [B, H, W] per channel; updates running stats in training mode. */
export function batchNorm(
  x: tf.Tensor4D,
  p: Params,
  buffers: Params,
  name: string,
  training: boolean,
): tf.Tensor4D {
  const runMean = buffers[`${name}.mean`]!;
  const runVar = buffers[`${name}.var`]!;
  let mean: tf.Tensor;
  let variance: tf.Tensor;
  if (training) {
    ({ mean, variance } = tf.moments(x, [0, 1, 2]));
    const n = x.size / x.shape[3];
    // assign() is not recorded on the gradient tape; the temporaries are freed by the caller's tidy.
    const m = mean;
    const v = variance;
    runMean.assign(tf.add(tf.mul(runMean, 1 - BN_MOMENTUM), tf.mul(m, BN_MOMENTUM)));
    runVar.assign(tf.add(tf.mul(runVar, 1 - BN_MOMENTUM), tf.mul(v, (BN_MOMENTUM * n) / Math.max(1, n - 1))));
  } else {
    mean = runMean;
    variance = runVar;
  }
  const xn = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, BN_EPS)));
  return tf.add(tf.mul(xn, p[`${name}.g`]!), p[`${name}.b`]!) as tf.Tensor4D;
}

function convBn(x: tf.Tensor4D, c: ConvSpec, p: Params, buffers: Params, training: boolean): tf.Tensor4D {
  const y = tf.conv2d(x, p[`${c.name}.w`]! as tf.Tensor4D, c.stride, "same");
  return batchNorm(y, p, buffers, `${c.name}.bn`, training);
}

/** Pooled features [B, channels] (pre-projection). */
export function resnetFeatures(
  p: Params,
  buffers: Params,
  cfg: ResnetConfig,
  images: tf.Tensor4D,
  training: boolean,
): tf.Tensor2D {
  const plan = resnetPlan(cfg);
  let x: tf.Tensor4D = tf.relu(convBn(images, plan.stem, p, buffers, training));
  for (const b of plan.blocks) {
    let h = x;
    b.convs.forEach((c, i) => {
      h = convBn(h, c, p, buffers, training);
      if (i < b.convs.length - 1) h = tf.relu(h);
    });
    const sc = b.shortcut ? convBn(x, b.shortcut, p, buffers, training) : x;
    x = tf.relu(tf.add(h, sc)) as tf.Tensor4D;
  }
  return tf.mean(x, [1, 2]) as tf.Tensor2D;
}
