/**
 * Runs a model's towers over host data in batches and returns host embeddings (`Emb`), the input
 * of the pure metric functions. Reads happen outside `tf.tidy` (compute-notes §6: returning a
 * typed array from tidy is slow).
 */
import type { ClipModel } from "../models/clip-model";
import { imagesToTensor } from "../models/input";
import type { BpeTokenizer } from "../text/bpe";
import { tf } from "../tf";
import type { Emb } from "./embeddings";

/** Image embeddings [n, E] of `n` HWC uint8 images of side `size`. */
export async function embedImages(
  model: ClipModel,
  images: Uint8Array,
  n: number,
  size: number,
  batch = 128,
): Promise<Emb> {
  const per = size * size * 3;
  const parts: Float32Array[] = [];
  let d = 0;
  for (let i = 0; i < n; i += batch) {
    const m = Math.min(batch, n - i);
    const out = tf.tidy(() =>
      model.encodeImage(imagesToTensor(images.subarray(i * per, (i + m) * per), m, size), {
        training: false,
      }),
    );
    d = out.shape[1];
    parts.push((await out.data()) as Float32Array);
    out.dispose();
  }
  return concat(parts, n, d);
}

/**
 * Pooled pre-projection features [n, width] (what linear probes use) and the projected embeddings
 * [n, E] of the same images in one pass: embeddings = features · visual.proj, as `encodeImage`.
 */
export async function embedImagesWithFeatures(
  model: ClipModel,
  images: Uint8Array,
  n: number,
  size: number,
  batch = 128,
): Promise<{ features: Emb; embeddings: Emb }> {
  const per = size * size * 3;
  const feats: Float32Array[] = [];
  const embs: Float32Array[] = [];
  let w = 0;
  let e = 0;
  const proj = model.params["visual.proj"];
  if (!proj) throw new Error('model has no "visual.proj" parameter');
  for (let i = 0; i < n; i += batch) {
    const m = Math.min(batch, n - i);
    const [f, z] = tf.tidy(() => {
      const x = imagesToTensor(images.subarray(i * per, (i + m) * per), m, size);
      const f = model.imageFeatures(x, { training: false });
      return [f, tf.matMul(f, proj)];
    });
    w = f.shape[1]!;
    e = z.shape[1]!;
    feats.push((await f.data()) as Float32Array);
    embs.push((await z.data()) as Float32Array);
    tf.dispose([f, z]);
  }
  return { features: concat(feats, n, w), embeddings: concat(embs, n, e) };
}

/** Text embeddings [n, E] of captions tokenised to `contextLength`. */
export async function embedTexts(
  model: ClipModel,
  tokenizer: BpeTokenizer,
  texts: string[],
  contextLength: number,
  batch = 256,
): Promise<Emb> {
  const parts: Float32Array[] = [];
  let d = 0;
  for (let i = 0; i < texts.length; i += batch) {
    const chunk = texts.slice(i, i + batch);
    const ids = tokenizer.encodeBatch(chunk, contextLength);
    const out = tf.tidy(() =>
      model.encodeText(tf.tensor2d(ids, [chunk.length, contextLength], "int32"), { training: false }),
    );
    d = out.shape[1];
    parts.push((await out.data()) as Float32Array);
    out.dispose();
  }
  return concat(parts, texts.length, d);
}

function concat(parts: Float32Array[], n: number, d: number): Emb {
  const data = new Float32Array(n * d);
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return { data, n, d };
}
