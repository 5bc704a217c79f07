/**
 * Distribution-shift variants of a classification set, the small-scale analogue of the paper's
 * ImageNet-Sketch/-R/-V2/-A evaluation: the same classes drawn another way. Computed variants are
 * pure functions on n HWC RGB uint8 images of side `size` (the layout of the data cache):
 * - {@link edgeMap}: a line drawing — Sobel gradient magnitude of the luma, thresholded, black lines
 *   on white (like ImageNet-Sketch's black-and-white sketches);
 * - {@link lowResolution}: box-averaged down to size/factor, then nearest-neighbour back up (detail
 *   removed, layout kept).
 */

/** Options of {@link edgeMap}. */
export interface EdgeMapOptions {
  /**
   * Gradient magnitude (on 0–255 luma, Sobel kernel weights 1-2-1, so a hard black/white edge gives
   * 1020) at or above which a pixel becomes a line. Default 128: colour boundaries of similar
   * brightness (red on green) still draw, flat shading does not.
   */
  threshold?: number;
}

function checkImages(images: Uint8Array, n: number, size: number, what: string): void {
  if (!(Number.isInteger(n) && n >= 0 && Number.isInteger(size) && size > 0))
    throw new Error(`${what}: n and size must be non-negative/positive integers, got n=${n}, size=${size}`);
  if (images.length !== n * size * size * 3) {
    throw new Error(
      `${what}: got ${images.length} bytes, expected n*size*size*3 = ${n}*${size}*${size}*3 = ${n * size * size * 3}`,
    );
  }
}

/** ITU-R BT.601 luma of every pixel, [n, size, size] in 0–255. */
export function luma(images: Uint8Array, n: number, size: number): Float32Array {
  checkImages(images, n, size, "luma");
  const out = new Float32Array(n * size * size);
  for (let p = 0; p < out.length; p++) {
    out[p] = 0.299 * images[3 * p]! + 0.587 * images[3 * p + 1]! + 0.114 * images[3 * p + 2]!;
  }
  return out;
}

/**
 * Line drawings: a pixel is black (0) where the Sobel gradient magnitude of the luma is ≥ threshold,
 * white (255) elsewhere; all three channels equal. Borders replicate the edge pixel, so a flat image
 * has no lines at its frame.
 */
export function edgeMap(images: Uint8Array, n: number, size: number, opts: EdgeMapOptions = {}): Uint8Array {
  checkImages(images, n, size, "edgeMap");
  const threshold = opts.threshold ?? 128;
  const y = luma(images, n, size);
  const out = new Uint8Array(images.length);
  const at = (base: number, r: number, c: number): number =>
    y[base + Math.min(size - 1, Math.max(0, r)) * size + Math.min(size - 1, Math.max(0, c))]!;
  for (let k = 0; k < n; k++) {
    const base = k * size * size;
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const gx =
          at(base, r - 1, c + 1) +
          2 * at(base, r, c + 1) +
          at(base, r + 1, c + 1) -
          at(base, r - 1, c - 1) -
          2 * at(base, r, c - 1) -
          at(base, r + 1, c - 1);
        const gy =
          at(base, r + 1, c - 1) +
          2 * at(base, r + 1, c) +
          at(base, r + 1, c + 1) -
          at(base, r - 1, c - 1) -
          2 * at(base, r - 1, c) -
          at(base, r - 1, c + 1);
        const v = Math.hypot(gx, gy) >= threshold ? 0 : 255;
        const o = 3 * (base + r * size + c);
        out[o] = out[o + 1] = out[o + 2] = v;
      }
    }
  }
  return out;
}

/**
 * Low-resolution copies: each image box-averaged to `small = max(1, round(size / factor))` pixels a
 * side (output pixel (u, v) averages source rows ⌊u·size/small⌋ … ⌊(u+1)·size/small⌋ − 1, likewise
 * columns; rounded to the nearest integer), then scaled back to `size` by nearest neighbour
 * (pixel x takes small pixel ⌊x·small/size⌋).
 */
export function lowResolution(images: Uint8Array, n: number, size: number, factor: number): Uint8Array {
  checkImages(images, n, size, "lowResolution");
  if (!(factor >= 1)) throw new Error(`lowResolution: factor must be ≥ 1, got ${factor}`);
  const small = Math.max(1, Math.round(size / factor));
  const lo = (u: number) => Math.floor((u * size) / small);
  const out = new Uint8Array(images.length);
  const block = new Float64Array(small * small * 3);
  for (let k = 0; k < n; k++) {
    const base = k * size * size * 3;
    for (let u = 0; u < small; u++) {
      for (let v = 0; v < small; v++) {
        const acc = [0, 0, 0];
        let count = 0;
        for (let r = lo(u); r < lo(u + 1); r++) {
          for (let c = lo(v); c < lo(v + 1); c++) {
            const o = base + 3 * (r * size + c);
            acc[0]! += images[o]!;
            acc[1]! += images[o + 1]!;
            acc[2]! += images[o + 2]!;
            count++;
          }
        }
        for (let ch = 0; ch < 3; ch++) block[3 * (u * small + v) + ch] = Math.round(acc[ch]! / count);
      }
    }
    for (let r = 0; r < size; r++) {
      const u = Math.floor((r * small) / size);
      for (let c = 0; c < size; c++) {
        const v = Math.floor((c * small) / size);
        const o = base + 3 * (r * size + c);
        for (let ch = 0; ch < 3; ch++) out[o + ch] = block[3 * (u * small + v) + ch]!;
      }
    }
  }
  return out;
}

/** The computed variants by name (the built `emoji-441-sketch` set joins them when present). */
export const COMPUTED_SHIFTS = {
  edges: (images: Uint8Array, n: number, size: number) => edgeMap(images, n, size),
  lowres: (images: Uint8Array, n: number, size: number) => lowResolution(images, n, size, 4),
} as const;

export type ComputedShiftName = keyof typeof COMPUTED_SHIFTS;
