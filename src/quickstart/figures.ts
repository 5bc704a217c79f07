/**
 * The quickstart's own figures: a batch of training pairs, the similarity matrix before and after
 * training, and example grids for zero-shot classification and caption retrieval with thumbnails.
 */
import type { Figure } from "../viz/figure";
import { heatmap, subplots } from "../viz/heatmap";
import { type GridImage, imageGrid } from "../viz/images";
import type { RetrievalExample, ZeroShotExample } from "./inspect";

/** Shortens a caption for a grid cell (whole words, an ellipsis when cut). */
export function clip(text: string, max = 22): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Image `i` of packed HWC images of side `size`. */
export function thumbnail(images: Uint8Array, i: number, size: number, caption?: string): GridImage {
  const per = size * size * 3;
  return {
    pixels: images.subarray(i * per, (i + 1) * per),
    width: size,
    height: size,
    ...(caption !== undefined ? { caption } : {}),
  };
}

/** A batch of image–caption pairs as a grid. */
export function batchFigure(
  images: Uint8Array,
  size: number,
  captions: string[],
  title = "A training batch",
): Figure {
  return imageGrid(
    captions.map((c, i) => thumbnail(images, i, size, clip(c))),
    { title, columns: Math.min(8, captions.length), cellPx: 96 },
  );
}

/**
 * Cosine similarity of each image (rows) with each caption (columns), before and after training,
 * on one colour scale: training should light up the diagonal (matching pairs).
 */
export function similarityFigure(before: number[][], after: number[][], captions: string[]): Figure {
  const labels = captions.map((c) => clip(c, 18));
  const rows = captions.map((_, i) => `image ${i}`);
  const opts = {
    xLabels: labels,
    yLabels: rows,
    zmin: -1,
    zmax: 1,
    colorscale: "RdBu",
    decimals: 2,
    zTitle: "cosine",
  };
  return subplots(
    [
      heatmap(before, { ...opts, title: "before training" }),
      heatmap(after, { ...opts, title: "after training" }),
    ],
    { shareColors: true, title: "Image–caption cosine similarity of one batch", height: 520 },
  );
}

/** Held-out images with their true class and the model's top guesses (✓ when the first is right). */
export function zeroShotFigure(examples: ZeroShotExample[], images: GridImage[], title: string): Figure {
  return imageGrid(
    examples.map((ex, i) => ({
      ...images[i]!,
      caption: [
        `${ex.correct ? "✓" : "✗"} ${clip(ex.label, 18)}`,
        ...ex.top.map((t, r) => `${r + 1}. ${clip(t.name, 16)} ${(100 * t.prob).toFixed(0)}%`),
      ].join("\n"),
    })),
    { title, columns: Math.min(5, examples.length), cellPx: 96 },
  );
}

/** Held-out images with the captions the model retrieves for them (✓ marks the true caption). */
export function retrievalFigure(examples: RetrievalExample[], images: GridImage[], title: string): Figure {
  return imageGrid(
    examples.map((ex, i) => ({
      ...images[i]!,
      caption: [
        clip(ex.caption, 20),
        ...ex.top.map((t, r) => `${r + 1}. ${t.correct ? "✓ " : ""}${clip(t.caption, 16)}`),
      ].join("\n"),
    })),
    { title, columns: Math.min(5, examples.length), cellPx: 96 },
  );
}
