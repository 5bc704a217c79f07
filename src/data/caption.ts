/**
 * Caption bytes → caption text, with the two ways a caption can be bad: not UTF-8, or empty.
 * Shared by the shard reader, the CSV manifest reader and the cache builder so every source
 * applies the same rule.
 */
import type { BadReason } from "./bad-samples";

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Decodes caption bytes strictly as UTF-8 (a leading BOM dropped) and normalises whitespace
 * (control characters such as NUL count as whitespace; runs of it become one space; ends trimmed),
 * so a caption of only `"\0"` is empty, not a one-character caption.
 * Returns the caption, or the bad-sample reason.
 */
export function decodeCaption(bytes: Uint8Array): { caption: string } | { reason: BadReason } {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    // Invalid UTF-8 is a bad sample, counted by its reason rather than thrown.
    return { reason: "non-utf8-caption" };
  }
  const caption = text.replace(/[\s\p{Cc}]+/gu, " ").trim();
  return caption ? { caption } : { reason: "empty-caption" };
}
