/**
 * Pixel preparation shared with the browser demo, where sharp is not available: alpha flattened on
 * white exactly as libvips does it for 8-bit images (`sharp().flatten()`, which `decodeImage` runs
 * first), i.e. trunc((v·a + 255·(255 − a)) / 255). test/infer/web.test.ts checks it against sharp.
 */

/** RGBA (4 bytes per pixel, straight alpha) → RGB flattened on white, 3 bytes per pixel. */
export function flattenOnWhite(rgba: ArrayLike<number>, pixels: number): Uint8Array {
  if (rgba.length !== pixels * 4)
    throw new Error(`flattenOnWhite: ${rgba.length} bytes is not ${pixels} RGBA pixels`);
  const out = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    const a = rgba[4 * p + 3]!;
    for (let c = 0; c < 3; c++) out[3 * p + c] = Math.trunc((rgba[4 * p + c]! * a + 255 * (255 - a)) / 255);
  }
  return out;
}
