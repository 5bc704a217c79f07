/**
 * CatLIP step 1: caption → words → WordNet noun synsets, under two rules.
 *
 * - "paper" (CatLIP Sec. 3, Eq. 1): POS-tag the caption (wink-nlp + its English lite model), keep
 *   NOUN/PROPN tokens, lemmatise, map the lemma to its first (most frequent) noun synset; meta words
 *   that describe the drawing rather than its content (icon, outline, emoji, ...) are dropped.
 * - "reference" (what corenet's `_convert_caption_to_labels` actually does): clean and lower-case the
 *   caption, tokenise, lemmatise every token as a noun, and keep it iff `<lemma>.n.01` exists and is
 *   that synset's canonical name (its head word is the lemma). POS tags are not used, so adjectives
 *   such as "black" count; "An image of black dog." gives image, black, dog.
 */
import winkNLP, { type WinkMethods } from "wink-nlp";
import { loadWordNet, type WordNet } from "./wordnet";

export type MatchRule = "paper" | "reference";
export const MATCH_RULES: readonly MatchRule[] = ["paper", "reference"];

/** One word of a caption that matched a synset. */
export interface SynsetMatch {
  /** The token as it appeared (lower case). */
  token: string;
  /** Its WordNet noun lemma. */
  lemma: string;
  /** data.noun offset of the synset (CatLIP id = "n" + offset). */
  offset: number;
}

/**
 * Words that describe how a pictogram is drawn or packaged, not what it shows; kept out of the
 * "paper" rule's labels because nearly every icon caption carries one.
 */
export const META_STOP_WORDS: readonly string[] = [
  "icon",
  "outline",
  "filled",
  "fill",
  "emoji",
  "symbol",
  "logo",
  "skin",
  "tone",
  // Emoji skin-tone modifiers ("woman: medium skin tone"): by far the most frequent noun otherwise.
  "medium",
  "hash",
  "theme",
  "glyph",
  "sign",
  "type",
  "style",
  "variant",
  "version",
  "brand",
  "flat",
  "line",
];

/**
 * corenet's `caption_preprocessing`: URL-unquote, "+" → space, strip HTML tags and surrounding
 * newlines, collapse spaces, trim, lower-case. (corenet also runs ftfy's mojibake repair; here only
 * Unicode NFC normalisation is applied, so badly double-encoded text is left as it is.)
 */
export function cleanCaption(caption: string): string {
  let s = caption;
  try {
    s = decodeURIComponent(s);
  } catch {
    // A stray "%" that is not an escape: Python's unquote leaves it alone, and so do we.
  }
  return s
    .replace(/\+/g, " ")
    .replace(/<[^>]*?>/g, "")
    .replace(/^\n+|\n+$/g, "")
    .replace(/ +/g, " ")
    .normalize("NFC")
    .trim()
    .toLowerCase();
}

/**
 * Word tokens close to NLTK's `word_tokenize` for what matters here: words keep internal hyphens and
 * periods (t-shirt, u.s), clitics split off ("dog's" → dog, 's; "don't" → do, n't), punctuation stands
 * alone. Clitics and punctuation never name a noun synset, so their exact form does not matter.
 */
export function wordTokens(text: string): string[] {
  return (
    text
      .replace(/n't\b/g, " n't")
      .match(/n't|'[\p{L}]+|[\p{L}\p{N}]+(?:[-.][\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]/gu) ?? []
  );
}

let wink: WinkMethods | undefined;
function loadWink(): WinkMethods {
  if (!wink) {
    // Loaded on first use: the model is 3.8 MB and the reference rule does not need it.
    const model = require("wink-eng-lite-web-model");
    wink = winkNLP(model, ["pos"]);
  }
  return wink;
}

/** Options for {@link NounExtractor}. */
export interface NounExtractorOptions {
  /** Lemmas dropped under the "paper" rule; default {@link META_STOP_WORDS}. Ignored by "reference". */
  stopWords?: Iterable<string>;
  wordnet?: WordNet;
}

/** Extracts the synsets of a caption under one rule; reuse one instance (it caches per word). */
export class NounExtractor {
  private readonly wn: WordNet;
  private readonly stop: Set<string>;
  /** token → match (or null) for the reference rule, which depends on the token only. */
  private readonly refCache = new Map<string, SynsetMatch | null>();
  /** wink lemma → match (or null) for the paper rule. */
  private readonly paperCache = new Map<string, SynsetMatch | null>();

  constructor(
    readonly rule: MatchRule,
    opts: NounExtractorOptions = {},
  ) {
    if (!MATCH_RULES.includes(rule)) {
      throw new Error(`unknown synset matching rule "${rule}"; valid rules: ${MATCH_RULES.join(", ")}`);
    }
    this.wn = opts.wordnet ?? loadWordNet();
    this.stop = new Set(opts.stopWords ?? META_STOP_WORDS);
  }

  /** The caption's matches in caption order; a synset seen twice appears twice. */
  extract(caption: string): SynsetMatch[] {
    return this.rule === "reference" ? this.extractReference(caption) : this.extractPaper(caption);
  }

  private extractReference(caption: string): SynsetMatch[] {
    const out: SynsetMatch[] = [];
    for (const token of wordTokens(cleanCaption(caption))) {
      let m = this.refCache.get(token);
      if (m === undefined) {
        m = null;
        const lemma = this.wn.lemmatizeNoun(token);
        const first = this.wn.nounSynsets(lemma)[0];
        // NLTK: wn.synset(f"{lemma}.n.01").name() == f"{lemma}.n.01" ⇔ the first sense's head word is the lemma.
        if (first !== undefined && this.wn.synset(first).words[0]!.toLowerCase() === lemma) {
          m = { token, lemma, offset: first };
        }
        this.refCache.set(token, m);
      }
      if (m) out.push(m);
    }
    return out;
  }

  private extractPaper(caption: string): SynsetMatch[] {
    const nlp = loadWink();
    const its = nlp.its;
    const tokens = nlp.readDoc(caption.normalize("NFC")).tokens();
    const pos = tokens.out(its.pos) as string[];
    // wink types its.lemma with an addon signature that `out` does not accept; at runtime it is a plain its-function.
    const lemmas = tokens.out(its.lemma as any) as string[];
    const normals = tokens.out(its.normal) as string[];
    const out: SynsetMatch[] = [];
    for (let i = 0; i < pos.length; i++) {
      if (pos[i] !== "NOUN" && pos[i] !== "PROPN") continue;
      const key = `${lemmas[i]}\u0000${normals[i]}`;
      let m = this.paperCache.get(key);
      if (m === undefined) {
        m = this.paperMatch(lemmas[i]!, normals[i]!);
        this.paperCache.set(key, m);
      }
      if (m) out.push(m);
    }
    return out;
  }

  /** wink's lemma first (it knows "geese"), then WordNet's own lemmatiser on the surface form. */
  private paperMatch(winkLemma: string, normal: string): SynsetMatch | null {
    for (const form of [winkLemma, normal]) {
      const lemma = this.wn.lemmatizeNoun(form);
      if (this.stop.has(lemma)) return null;
      const first = this.wn.nounSynsets(lemma)[0];
      if (first !== undefined) return { token: normal, lemma, offset: first };
    }
    return null;
  }
}

const shared = new Map<MatchRule, NounExtractor>();

/** A process-wide extractor per rule (default stop-words), so caches are shared. */
export function nounExtractor(rule: MatchRule): NounExtractor {
  let e = shared.get(rule);
  if (!e) {
    e = new NounExtractor(rule);
    shared.set(rule, e);
  }
  return e;
}

/** Shorthand: the synset matches of one caption under `rule`. */
export function captionSynsets(caption: string, rule: MatchRule): SynsetMatch[] {
  return nounExtractor(rule).extract(caption);
}
