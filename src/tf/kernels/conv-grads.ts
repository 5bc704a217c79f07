/**
 * Convolution gradients for the wasm backend, both written as *forward* convolutions so that they
 * run on XNNPACK (compute-notes §1):
 * - `Conv2DBackpropFilter` is missing on wasm. dW = conv(xᵀ[Ci,H,W,B], dyᵀ[OH,OW,B,Co], stride 1,
 *   dilation = original stride), cropped to [KH,KW] and transposed back to [KH,KW,Ci,Co].
 * - `Conv2DBackpropInput` exists on wasm but is a naive loop (~2 GFLOP/s). dx = conv(dilate(dy),
 *   flip(W) with in/out swapped, stride 1, pads (K-1-top, H-Hd+top)).
 * Only NHWC and dilation 1 are supported, as in tfjs's own conv2d gradient.
 */
import * as tf from "@tensorflow/tfjs-core";
import { padOrCrop4D, wrapInput } from "./tensor-wrap";

interface ConvGradAttrs {
  strides: [number, number] | number;
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
}

function checkFormat(kernel: string, a: ConvGradAttrs): void {
  if (a.dataFormat !== "NHWC")
    throw new Error(`${kernel} (wasm): only NHWC is supported, got ${a.dataFormat}`);
}

function convInfo(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  a: ConvGradAttrs,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    false,
    "channelsLast",
  );
}

/** Inserts (s-1) zeros between rows/columns of an NHWC tensor: [B,OH,OW,C] -> [B,(OH-1)s+1,(OW-1)s+1,C]. */
export function dilate2D(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [b, oh, ow, c] = dy.shape;
  const spread = tf.pad(tf.reshape(dy, [b, oh, 1, ow, 1, c]), [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  const full = tf.reshape(spread, [b, oh * sh, ow * sw, c]);
  return tf.slice(full, [0, 0, 0, 0], [b, (oh - 1) * sh + 1, (ow - 1) * sw + 1, c]) as tf.Tensor4D;
}

/** dW of conv2d(x, W) from x and dy; pure tf ops (usable on any backend). */
export function conv2dFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  a: ConvGradAttrs,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = convInfo(x.shape, filterShape, a);
    const [kh, kw] = filterShape;
    const { top, left } = info.padInfo;
    const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow } = info;
    // Pad so that the valid dilated conv covers exactly rows top..top+(OH-1)s+KH-1 of padded x.
    const bottom = (oh - 1) * sh + kh - (x.shape[1] + top);
    const right = (ow - 1) * sw + kw - (x.shape[2] + left);
    const xt = padOrCrop4D(tf.transpose(x, [3, 1, 2, 0]), top, bottom, left, right);
    const dyt = tf.transpose(dy, [1, 2, 0, 3]);
    const r = tf.conv2d(xt, dyt as tf.Tensor4D, 1, "valid", "NHWC", [sh, sw]);
    return tf.transpose(r, [1, 2, 0, 3]);
  });
}

/** dx of conv2d(x, W) from dy and W; pure tf ops (usable on any backend). */
export function conv2dInputGrad(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  a: ConvGradAttrs,
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = convInfo(inputShape, filter.shape, a);
    const [kh, kw] = filter.shape;
    const { top, left } = info.padInfo;
    const dd = dilate2D(dy, info.strideHeight, info.strideWidth);
    const hd = dd.shape[1];
    const wd = dd.shape[2];
    const padded = padOrCrop4D(
      dd,
      kh - 1 - top,
      inputShape[1] - hd + top,
      kw - 1 - left,
      inputShape[2] - wd + left,
    );
    const w = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    return tf.conv2d(padded, w, 1, "valid");
  });
}

export const conv2dBackpropFilterWasm: tf.KernelConfig = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const a = attrs as unknown as ConvGradAttrs & { filterShape: [number, number, number, number] };
    checkFormat("Conv2DBackpropFilter", a);
    const x = wrapInput(backend as tf.KernelBackend, inputs.x!) as tf.Tensor4D;
    const dy = wrapInput(backend as tf.KernelBackend, inputs.dy!) as tf.Tensor4D;
    try {
      return conv2dFilterGrad(x, dy, a.filterShape, a) as unknown as tf.TensorInfo;
    } finally {
      x.dispose();
      dy.dispose();
    }
  },
};

export const conv2dBackpropInputWasm: tf.KernelConfig = {
  kernelName: "Conv2DBackpropInput",
  backendName: "wasm",
  kernelFunc: ({ inputs, backend, attrs }) => {
    const a = attrs as unknown as ConvGradAttrs & { inputShape: [number, number, number, number] };
    checkFormat("Conv2DBackpropInput", a);
    const dy = wrapInput(backend as tf.KernelBackend, inputs.dy!) as tf.Tensor4D;
    const w = wrapInput(backend as tf.KernelBackend, inputs.filter!) as tf.Tensor4D;
    try {
      return conv2dInputGrad(dy, w, a.inputShape, a) as unknown as tf.TensorInfo;
    } finally {
      dy.dispose();
      w.dispose();
    }
  },
};
