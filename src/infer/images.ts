/**
 * The image inputs `loadClip` accepts, brought to the model's size×size HWC RGB bytes by the very
 * decoder the data cache uses for training and evaluation (`decodeImage`: EXIF rotation, alpha
 * flattened on white, "contain" resize, sRGB). Inputs that are not file bytes (a sharp pipeline,
 * raw RGBA pixels) are first written as a lossless PNG, so they take the same path.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import sharp, { type Sharp } from "sharp";
import { DEFAULT_MAX_FILE_BYTES, RefusedFile, readBoundedFile } from "../data/files";
import { decodeImage, IMAGE_EXTENSIONS, ImageDecodeError, isImageExtension } from "../data/image";

/** Raw pixels, row-major, `channels` bytes per pixel (default 4: RGBA, as a canvas's ImageData). */
export interface RawImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels?: 1 | 2 | 3 | 4;
}

/**
 * A file path; encoded file bytes (PNG, JPEG, WebP, SVG, …); a `sharp` pipeline (its output is
 * used); or raw pixels ({@link RawImage}).
 */
export type ImageInput = string | Buffer | Uint8Array | Sharp | RawImage;

function isRaw(x: ImageInput): x is RawImage {
  return typeof x === "object" && x !== null && "data" in x && "width" in x && "height" in x;
}

function isSharp(x: ImageInput): x is Sharp {
  return typeof x === "object" && x !== null && typeof (x as Sharp).clone === "function";
}

/** A short name for an input in error messages. */
export function describeInput(x: ImageInput, i: number): string {
  if (typeof x === "string") return x;
  if (isRaw(x)) return `image ${i} (raw ${x.width}×${x.height})`;
  if (isSharp(x)) return `image ${i} (sharp pipeline)`;
  return `image ${i} (${x.length} bytes)`;
}

async function toFileBytes(x: ImageInput, what: string): Promise<{ data: Buffer; ext: string }> {
  if (typeof x === "string") {
    if (!fs.existsSync(x)) throw new Error(`${x}: no such image file`);
    const ext = path.extname(x).slice(1).toLowerCase();
    if (!isImageExtension(ext))
      throw new Error(`${x}: ".${ext}" is not an image extension read here (${IMAGE_EXTENSIONS.join(", ")})`);
    try {
      return { data: await readBoundedFile(x, DEFAULT_MAX_FILE_BYTES), ext };
    } catch (e) {
      if (e instanceof RefusedFile) throw new Error(`${x}: ${e.message}`);
      throw e;
    }
  }
  if (isRaw(x)) {
    const channels = x.channels ?? 4;
    const { width, height } = x;
    if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0))
      throw new Error(`${what}: width and height must be positive integers, got ${width}×${height}`);
    if (x.data.length !== width * height * channels)
      throw new Error(
        `${what}: ${x.data.length} bytes is not width × height × channels = ${width}×${height}×${channels}`,
      );
    const buf = Buffer.from(x.data.buffer, x.data.byteOffset, x.data.byteLength);
    return { data: await sharp(buf, { raw: { width, height, channels } }).png().toBuffer(), ext: "png" };
  }
  if (isSharp(x)) return { data: await x.clone().png().toBuffer(), ext: "png" };
  const data = Buffer.isBuffer(x) ? x : Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  let format: string | undefined;
  try {
    format = (await sharp(data).metadata()).format;
  } catch {
    // sharp cannot read the bytes: format stays unknown and the caller names the file as unsupported.
    format = undefined;
  }
  if (!format)
    throw new Error(`${what}: not an image sharp can read (PNG, JPEG, WebP, GIF, SVG, AVIF, TIFF)`);
  return { data, ext: format === "jpeg" ? "jpg" : format };
}

/** Decodes `inputs` to n × size × size × 3 bytes, in order; the first bad input is an error naming it. */
export async function preprocessImages(inputs: readonly ImageInput[], size: number): Promise<Uint8Array> {
  const per = size * size * 3;
  const out = new Uint8Array(inputs.length * per);
  for (let i = 0; i < inputs.length; i++) {
    const what = describeInput(inputs[i]!, i);
    const { data, ext } = await toFileBytes(inputs[i]!, what);
    try {
      out.set(await decodeImage(data, ext, size), i * per);
    } catch (e) {
      if (e instanceof ImageDecodeError)
        throw new Error(`${what}: cannot decode (${e.reason}: ${e.message})`);
      throw e;
    }
  }
  return out;
}
