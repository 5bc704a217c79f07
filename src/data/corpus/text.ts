/**
 * Caption construction shared by every source: a human-written name followed by its keywords,
 * de-duplicated so the 16-token context is not spent on repeats ("grinning face, cheerful, cheery, …"
 * rather than "grinning face, face, grinning, …"), plus emoji skin-tone folding.
 *
 * Nothing here writes text of its own: every word of a caption comes from the package's metadata.
 */

/** Lower-case, trim and collapse whitespace: how names and tags are compared. */
export function normWords(s: string): string {
  return s.toLowerCase().replace(/\s+/g, " ").trim();
}

/** Collapse whitespace and trim, keeping case: how names and tags are stored (the tokenizer lower-cases). */
export function tidy(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

/** Icon-set identifiers to words: "a-b-2" → "a b 2", "hard_drive" → "hard drive". */
export function kebabToWords(s: string): string {
  return normWords(s.replace(/[-_]+/g, " "));
}

/**
 * A keyword as it goes into a caption: trimmed, markup stars removed (phosphor's "*new*"), empty when
 * it has no letter or digit left.
 */
export function cleanTag(tag: string): string {
  const t = tidy(tag.replace(/^\*+|\*+$/g, ""));
  return /[\p{L}\p{N}]/u.test(t) ? t : "";
}

/** Phosphor and others mark release notes as tags; these say nothing about the picture. */
const NON_TAGS = new Set(["new", "updated"]);

/**
 * Keywords that add information to `name`, in their original order: cleaned, without repeats, without
 * the name itself and without single words the name already contains (all compared case-insensitively).
 */
export function dedupeTags(name: string, tags: readonly string[]): string[] {
  const n = normWords(name);
  const nameWords = new Set(n.split(/[\s:,]+/).filter(Boolean));
  const seen = new Set<string>([n]);
  const out: string[] = [];
  for (const raw of tags) {
    const t = cleanTag(raw);
    const k = t.toLowerCase();
    if (!t || seen.has(k) || NON_TAGS.has(k)) continue;
    if (!k.includes(" ") && nameWords.has(k)) continue;
    seen.add(k);
    out.push(t);
  }
  return out;
}

/** "name, tag, tag, …": the caption format of every pre-training pair. */
export function buildCaption(name: string, tags: readonly string[]): { caption: string; tags: string[] } {
  const kept = dedupeTags(name, tags);
  return { caption: [tidy(name), ...kept].join(", "), tags: kept };
}

/** The five Fitzpatrick-based CLDR skin tones, lightest first (emoji modifiers U+1F3FB…U+1F3FF). */
export const SKIN_TONES = ["light", "medium-light", "medium", "medium-dark", "dark"] as const;
const SKIN_TONE_RE = /^(light|medium-light|medium|medium-dark|dark) skin tone$/;

/**
 * Removes skin-tone qualifiers from a CLDR name, so variants share their base emoji's name and "skin"
 * and "tone" do not become the corpus's most frequent nouns (data-sources.md §1.1):
 * "waving hand: light skin tone" → "waving hand"; "kiss: woman, man, dark skin tone" → "kiss: woman, man";
 * "person: light skin tone, beard" → "person: beard". A name that is only a tone (the swatch emoji
 * "light skin tone") is returned unchanged.
 */
export function foldSkinTone(label: string): string {
  const colon = label.indexOf(": ");
  if (colon < 0) return label;
  const head = label.slice(0, colon);
  const quals = label
    .slice(colon + 2)
    .split(", ")
    .filter((q) => !SKIN_TONE_RE.test(q.trim()));
  return quals.length ? `${head}: ${quals.join(", ")}` : head;
}

/** Emoji code point sequence in the join-key form: upper case, without U+FE0F variation selectors. */
export function normHex(hexcode: string): string {
  return hexcode
    .toUpperCase()
    .split("-")
    .filter((cp) => cp !== "FE0F")
    .join("-");
}

/** A safe WebDataset key fragment: lower case, runs of anything outside [a-z0-9_] → "-". */
export function keyPart(s: string): string {
  return s
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9_]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
