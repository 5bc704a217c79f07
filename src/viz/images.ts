/**
 * Image grids from raw uint8 RGB pixels (the data cache's format): each image is a Plotly `image`
 * trace on its own hidden axes, with its caption written below it. Pure data, no encoding step, so
 * a 32×32 thumbnail costs 3 KB of numbers in the figure JSON.
 */
import type { Figure, Layout, Trace } from "./figure";

/** One image: HWC RGB bytes (`width * height * 3`), row 0 at the top. */
export interface GridImage {
  pixels: ArrayLike<number>;
  width: number;
  height: number;
  /** Shown under the image; `\n` starts a new line. */
  caption?: string;
}

export interface ImageGridOptions {
  title?: string;
  /** Images per row (default: up to 8). */
  columns?: number;
  /** Displayed side of each image in pixels (default 96; small images are upscaled, pixelated). */
  cellPx?: number;
  /** Caption lines reserved under each image (default: the most lines any caption has). */
  captionLines?: number;
}

/** Pixels → Plotly's image `z`: z[row][col] = [r, g, b]. */
export function imageZ(img: GridImage): number[][][] {
  const { width: w, height: h, pixels } = img;
  if (pixels.length !== w * h * 3) {
    throw new Error(`imageGrid: image of ${w}×${h} needs ${w * h * 3} bytes (RGB), got ${pixels.length}`);
  }
  return Array.from({ length: h }, (_, r) =>
    Array.from({ length: w }, (_, c) => {
      const o = (r * w + c) * 3;
      return [Number(pixels[o]), Number(pixels[o + 1]), Number(pixels[o + 2])];
    }),
  );
}

/** Splits `n` packed images of side `size` (n×size×size×3 bytes) into grid images with captions. */
export function imagesFromBatch(
  pixels: Uint8Array,
  n: number,
  size: number,
  captions: ReadonlyArray<string> = [],
): GridImage[] {
  const per = size * size * 3;
  if (pixels.length < n * per) {
    throw new Error(
      `imagesFromBatch: ${n} images of ${size}×${size} need ${n * per} bytes, got ${pixels.length}`,
    );
  }
  return Array.from({ length: n }, (_, i) => ({
    pixels: pixels.subarray(i * per, (i + 1) * per),
    width: size,
    height: size,
    ...(captions[i] !== undefined ? { caption: captions[i] } : {}),
  }));
}

const LINE_PX = 14;

/** A grid of images with captions; returns one figure with one `image` trace per image. */
export function imageGrid(images: GridImage[], opts: ImageGridOptions = {}): Figure {
  if (!images.length) throw new Error("imageGrid: no images given");
  const columns = Math.max(1, Math.min(opts.columns ?? 8, images.length));
  const rows = Math.ceil(images.length / columns);
  const cell = opts.cellPx ?? 96;
  const captionLines =
    opts.captionLines ?? Math.max(0, ...images.map((im) => (im.caption ? im.caption.split("\n").length : 0)));
  const top = opts.title ? 50 : 10;
  const rowPx = cell + captionLines * LINE_PX + 10;
  const height = top + rows * rowPx + 10;
  const width = columns * (cell + 20) + 20;
  const data: Trace[] = [];
  const annotations: unknown[] = [];
  const layout: Layout = {
    height,
    width,
    margin: { l: 10, r: 10, t: top, b: 10 },
    showlegend: false,
  };
  if (opts.title) layout.title = { text: opts.title };
  const plotH = height - top - 10;
  images.forEach((img, k) => {
    const suffix = k === 0 ? "" : String(k + 1);
    const col = k % columns;
    const row = Math.floor(k / columns);
    // Domains in paper fractions: the image square sits at the top of its row cell, the caption
    // lines below it.
    const yTop = 1 - (row * rowPx) / plotH;
    const yBottom = 1 - (row * rowPx + cell) / plotH;
    const x0 = col / columns;
    const x1 = (col + 1) / columns;
    data.push({
      type: "image",
      z: imageZ(img),
      xaxis: `x${suffix}`,
      yaxis: `y${suffix}`,
      hovertemplate: `${escapeHover(img.caption ?? `image ${k}`)}<br>(%{x}, %{y}) rgb %{z}<extra></extra>`,
    });
    const hidden = { showticklabels: false, showgrid: false, zeroline: false, ticks: "" };
    layout[`xaxis${suffix}`] = { ...hidden, domain: [x0 + 0.005, x1 - 0.005], anchor: `y${suffix}` };
    layout[`yaxis${suffix}`] = {
      ...hidden,
      domain: [Math.max(0, yBottom), Math.min(1, yTop)],
      anchor: `x${suffix}`,
      scaleanchor: `x${suffix}`,
    };
    if (img.caption) {
      annotations.push({
        text: escapeHover(img.caption).replace(/\n/g, "<br>"),
        xref: "paper",
        yref: "paper",
        x: (x0 + x1) / 2,
        y: Math.max(0, yBottom - 2 / plotH),
        xanchor: "center",
        yanchor: "top",
        showarrow: false,
        font: { size: 10 },
      });
    }
  });
  layout.annotations = annotations;
  return { data, layout };
}

/** Plotly renders a subset of HTML in text; captions are data, so `<`, `>` and `&` are escaped. */
function escapeHover(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
