/**
 * CatLIP's own held-out metric while it trains (it has no text tower, so CLIP-style zero-shot does
 * not apply): each class name is mapped to synsets of the vocabulary with the training rule, a class
 * scores the mean classifier logit of its synsets, and an image is assigned the best-scoring class.
 * Only classes whose name maps into the vocabulary can be predicted, so the metric is reported over
 * the images of those classes together with the class coverage. (Transfer initialisation and linear
 * probes are the evaluation module's job; this is the zero-training read-out of the head.)
 */
import type { ClipModel } from "../models/clip-model";
import { imagesToTensor } from "../models/input";
import type { SynsetVocab } from "../text/synset-vocab";
import { tf } from "../tf";
import { SYNSET_ACC1, SYNSET_ACC5, SYNSET_COVERAGE, SYNSET_IMAGES } from "../util/metric-names";
import type { LabelledImages } from "./strategy";

/** Vocabulary indices of each class name, read as a short caption ("a <name>") under the vocab's rule. */
export function classSynsets(vocab: SynsetVocab, classNames: string[]): number[][] {
  return classNames.map((c) => vocab.multiHot(`a ${c.replace(/_/g, " ")}`));
}

/** Evenly spaced picks of at most `max` items from `items` (0 = all). */
function spread<T>(items: T[], max: number): T[] {
  const k = max > 0 ? Math.min(items.length, max) : items.length;
  return Array.from({ length: k }, (_, i) => items[Math.floor((i * items.length) / k)]!);
}

/** Top-1 / top-5 over covered classes, their coverage and image count (`heldout-emoji-441/synset_*`, src/eval/metric-names.ts). */
export async function catlipClassify(
  model: ClipModel,
  extra: Record<string, tf.Variable>,
  vocab: SynsetVocab,
  set: LabelledImages,
  maxImages: number,
  batch = 128,
): Promise<Record<string, number>> {
  const w = extra["catlip.head.w"];
  const b = extra["catlip.head.b"];
  if (!w || !b) throw new Error("catlipClassify: the CatLIP head (catlip.head.w / .b) is missing");
  const syn = classSynsets(vocab, set.classNames);
  const covered = syn.map((s) => s.length > 0);
  const nCovered = covered.filter(Boolean).length;
  const c = set.classNames.length;
  const eligible = Array.from({ length: set.n }, (_, i) => i).filter((i) => covered[set.labels[i]!]);
  const picks = spread(eligible, maxImages);
  const coverage = { [SYNSET_COVERAGE]: nCovered / c, [SYNSET_IMAGES]: picks.length };
  if (!picks.length) return { [SYNSET_ACC1]: 0, [SYNSET_ACC5]: 0, ...coverage };
  // M [V, C]: column c averages the logits of class c's synsets; uncovered classes get −1e9.
  const m = new Float32Array(vocab.size * c);
  const off = new Float32Array(c);
  syn.forEach((ix, k) => {
    for (const v of ix) m[v * c + k] = 1 / ix.length;
    if (!ix.length) off[k] = -1e9;
  });
  const mT = tf.tensor2d(m, [vocab.size, c]);
  const offT = tf.tensor1d(off);
  const per = set.size * set.size * 3;
  let top1 = 0;
  let top5 = 0;
  try {
    for (let i = 0; i < picks.length; i += batch) {
      const chunk = picks.slice(i, i + batch);
      const u8 = new Uint8Array(chunk.length * per);
      chunk.forEach((j, k) => {
        u8.set(set.images.subarray(j * per, (j + 1) * per), k * per);
      });
      const scores = tf.tidy(() => {
        const feats = model.imageFeatures(imagesToTensor(u8, chunk.length, set.size), { training: false });
        return tf.add(tf.matMul(tf.add(tf.matMul(feats, w), b), mT), offT);
      });
      const s = (await scores.data()) as Float32Array;
      scores.dispose();
      chunk.forEach((j, r) => {
        const y = set.labels[j]!;
        const row = s.subarray(r * c, (r + 1) * c);
        let rank = 0;
        for (let k = 0; k < c; k++) if (row[k]! > row[y]!) rank++;
        if (rank < 1) top1++;
        if (rank < 5) top5++;
      });
    }
  } finally {
    tf.dispose([mT, offT]);
  }
  return { [SYNSET_ACC1]: top1 / picks.length, [SYNSET_ACC5]: top5 / picks.length, ...coverage };
}
