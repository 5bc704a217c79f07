/**
 * Image decoding and resizing with sharp (libvips): any JPEG/PNG/WebP/GIF/AVIF/TIFF/SVG to a
 * size×size HWC RGB uint8 array, the layout the cache and the models use.
 *
 * Colour handling: alpha is flattened on white (icons and emoji are drawn on transparency; white
 * matches how they are seen), CMYK and grayscale are converted to sRGB, 16-bit input becomes 8-bit.
 * Geometry: EXIF orientation applied, then fit "contain" on white (the whole pictogram stays in
 * view; "cover" crops). SVGs are rasterised at a density that puts their longest side at or above
 * the target size, so they are rendered sharp rather than upscaled; `currentColor` (icon sets
 * paint with it) is rendered black. Failures throw `ImageDecodeError` carrying a `BadReason`.
 */
import sharp from "sharp";
import type { BadReason } from "./bad-samples";

/** Extensions decoded here (lower case, no dot). */
export const IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "gif", "svg", "avif", "tif", "tiff"] as const;
const KNOWN = new Set<string>(IMAGE_EXTENSIONS);

/** Default pixel limit on the *input* (width × height): a guard against decompression bombs. */
export const DEFAULT_MAX_PIXELS = 8192 * 8192;

export interface DecodeOptions {
  /** Largest input width × height accepted (default 8192²). */
  maxPixels?: number;
  /** "contain" (default): letterbox on white; "cover": centre crop; "fill": stretch. */
  fit?: "contain" | "cover" | "fill";
}

/** A decode failure with the bad-sample reason it should be counted under. */
export class ImageDecodeError extends Error {
  constructor(
    readonly reason: BadReason,
    message: string,
  ) {
    super(message);
    this.name = "ImageDecodeError";
  }
}

/** True for extensions `decodeImage` reads. */
export function isImageExtension(ext: string): boolean {
  return KNOWN.has(ext.toLowerCase());
}

const WHITE = { r: 255, g: 255, b: 255, alpha: 1 };

/**
 * Intrinsic SVG size in CSS px from the root element's width/height (px or unitless) or viewBox;
 * undefined when neither is usable (then librsvg's own default applies).
 */
export function svgIntrinsicSize(svg: string): { width: number; height: number } | undefined {
  const tag = /<svg\b[^>]*>/i.exec(svg)?.[0];
  if (!tag) return undefined;
  const attr = (name: string): string | undefined =>
    new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`, "i").exec(tag)?.[1]?.trim();
  const px = (v: string | undefined): number | undefined => {
    const m = v ? /^([0-9]*\.?[0-9]+)(px)?$/.exec(v) : null;
    return m ? Number(m[1]) : undefined;
  };
  const w = px(attr("width"));
  const h = px(attr("height"));
  if (w && h) return { width: w, height: h };
  const vb = attr("viewBox")
    ?.split(/[\s,]+/)
    .map(Number)
    .filter((x) => Number.isFinite(x));
  if (vb && vb.length === 4 && vb[2]! > 0 && vb[3]! > 0) return { width: vb[2]!, height: vb[3]! };
  return undefined;
}

/** sharp's rasterisation density (dpi, 72 = 1 px per CSS px) putting the longest side at ≥ `size` px. */
export function svgDensity(svg: string, size: number): number {
  const s = svgIntrinsicSize(svg);
  if (!s) return 72;
  return Math.min(100_000, Math.max(1, Math.ceil((72 * size) / Math.max(s.width, s.height))));
}

function classify(ext: string, err: unknown): ImageDecodeError {
  const msg = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(msg)) return new ImageDecodeError("too-many-pixels", msg);
  return new ImageDecodeError(ext === "svg" ? "unreadable-svg" : "corrupt-image", msg.split("\n")[0]!);
}

/**
 * Decodes one image to size×size×3 RGB bytes (HWC, row-major).
 * @param data file bytes
 * @param ext file extension without dot (decides the SVG path and rejects unknown types)
 * @throws ImageDecodeError with reason empty-file | unknown-extension | corrupt-image | unreadable-svg | too-many-pixels
 */
export async function decodeImage(
  data: Buffer,
  ext: string,
  size: number,
  opts: DecodeOptions = {},
): Promise<Uint8Array> {
  const e = ext.toLowerCase().replace(/^\./, "");
  if (!KNOWN.has(e)) {
    throw new ImageDecodeError(
      "unknown-extension",
      `".${e}" is not an image extension read here (${IMAGE_EXTENSIONS.join(", ")})`,
    );
  }
  if (data.length === 0) throw new ImageDecodeError("empty-file", "zero-byte file");
  const limitInputPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  let input = data;
  let density: number | undefined;
  if (e === "svg") {
    const text = data.toString("utf8");
    density = svgDensity(text, size);
    input = Buffer.from(text.replace(/currentColor/g, "#000000"), "utf8");
  }
  try {
    const { data: raw, info } = await sharp(input, {
      limitInputPixels,
      failOn: "warning", // truncated JPEG/PNG data is an error, not a grey half-image
      ...(density ? { density } : {}),
    })
      .rotate() // EXIF orientation
      .flatten({ background: WHITE })
      .resize(size, size, { fit: opts.fit ?? "contain", background: WHITE })
      .removeAlpha()
      .toColourspace("srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (
      info.channels !== 3 ||
      info.width !== size ||
      info.height !== size ||
      raw.length !== size * size * 3
    ) {
      throw new Error(`unexpected decode output ${info.width}×${info.height}×${info.channels}`);
    }
    return new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
  } catch (err) {
    throw classify(e, err);
  }
}

export interface DecodeManyOptions extends DecodeOptions {
  /** Decodes running at once (sharp runs each on libuv's thread pool). Default 8. */
  inFlight?: number;
}

/**
 * Decodes many images with a bounded number in flight, results in input order; a failure is
 * returned in place (an `ImageDecodeError`), never thrown, so one bad file cannot stop a batch.
 */
export async function decodeMany(
  items: ReadonlyArray<{ data: Buffer; ext: string }>,
  size: number,
  opts: DecodeManyOptions = {},
): Promise<(Uint8Array | ImageDecodeError)[]> {
  const out: (Uint8Array | ImageDecodeError)[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        out[i] = await decodeImage(items[i]!.data, items[i]!.ext, size, opts);
      } catch (err) {
        out[i] = err instanceof ImageDecodeError ? err : classify(items[i]!.ext, err);
      }
    }
  };
  const k = Math.max(1, Math.min(opts.inFlight ?? 8, items.length));
  await Promise.all(Array.from({ length: k }, worker));
  return out;
}

/** Encodes size×size×3 RGB bytes as a PNG (deterministic bytes for the same pixels). */
export async function encodePng(rgb: Uint8Array, size: number): Promise<Buffer> {
  return sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.length), {
    raw: { width: size, height: size, channels: 3 },
  })
    .png({ compressionLevel: 9, adaptiveFiltering: false })
    .toBuffer();
}
