/**
 * Caption bytes → caption text, with the two ways a caption can be bad: not UTF-8, or empty.
 * Shared by the shard reader, the CSV manifest reader and the cache builder so every source
 * applies the same rule.
 */
import type { BadReason } from "./bad-samples";

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Decodes caption bytes strictly as UTF-8 (a leading BOM dropped) and normalises whitespace
 * (runs of spaces, tabs and newlines become one space; ends trimmed).
 * Returns the caption, or the bad-sample reason.
 */
export function decodeCaption(bytes: Uint8Array): { caption: string } | { reason: BadReason } {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return { reason: "non-utf8-caption" };
  }
  const caption = text.replace(/\s+/gu, " ").trim();
  return caption ? { caption } : { reason: "empty-caption" };
}
