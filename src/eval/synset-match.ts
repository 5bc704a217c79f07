/**
 * CatLIP Transfer Init, step 1 (Sec. 4.2): map each downstream class label onto the pre-trained
 * synset vocabulary V.
 *
 * A label is split into terms: the whole label if WordNet knows it as a noun ("polar bear",
 * "t-shirt"), else its "/"- or ","-separated alternatives ("T-shirt/top" → t-shirt, top), and any
 * alternative WordNet does not know into its content words ("ankle boot" → ankle, boot;
 * "animal-mammal" → animal, mammal). Each term's lemma is then matched:
 * 1. exact: one of the lemma's noun senses is in V (the most frequent such sense wins);
 * 2. else similar: the entry of V with the highest WordNet path similarity to the lemma's first
 *    sense, if it is ≥ α (NLTK's `path_similarity`: 1 / (1 + shortest hypernym-graph path)).
 * A label whose terms match several rows is "compound" and gets their average; no match → random.
 */
import type { SynsetVocab } from "../text/synset-vocab";
import { loadWordNet, synsetId, type WordNet } from "../text/wordnet";

export type LabelMatchKind = "exact" | "similar" | "compound" | "none";

export interface LabelMatchPart {
  /** The term of the label that matched. */
  term: string;
  /** The vocabulary entry's synset id ("n2084071"). */
  synset: string;
  /** Its row in V. */
  vocabIndex: number;
  /** 1 for an exact match, else the path similarity. */
  similarity: number;
}

export interface LabelMatch {
  label: string;
  kind: LabelMatchKind;
  /** The rows averaged for this label (empty for "none"). */
  parts: LabelMatchPart[];
  /** Terms the label was split into (matched or not). */
  terms: string[];
}

/** Words that never name what a class is about. */
const STOP_WORDS = new Set([
  "a",
  "an",
  "the",
  "of",
  "and",
  "or",
  "with",
  "in",
  "on",
  "at",
  "for",
  "to",
  "from",
  "by",
  "other",
  "misc",
  "etc",
]);

/** Hypernym-graph distances from a synset to each of its ancestors (itself at 0), both pointer kinds. */
export function ancestorDistances(wn: WordNet, offset: number): Map<number, number> {
  const dist = new Map<number, number>([[offset, 0]]);
  let frontier = [offset];
  for (let depth = 1; frontier.length > 0; depth++) {
    const next: number[] = [];
    for (const s of frontier) {
      for (const h of wn.synset(s).hypernyms) {
        if (dist.has(h)) continue;
        dist.set(h, depth);
        next.push(h);
      }
    }
    frontier = next;
  }
  return dist;
}

/** NLTK's noun `path_similarity`: 1 / (1 + length of the shortest path through a common ancestor). */
export function pathSimilarity(wn: WordNet, a: number, b: number): number {
  return similarityOf(ancestorDistances(wn, a), ancestorDistances(wn, b));
}

function similarityOf(da: Map<number, number>, db: Map<number, number>): number {
  let best = Number.POSITIVE_INFINITY;
  const [small, large] = da.size <= db.size ? [da, db] : [db, da];
  for (const [s, d] of small) {
    const e = large.get(s);
    if (e !== undefined) best = Math.min(best, d + e);
  }
  return Number.isFinite(best) ? 1 / (best + 1) : 0;
}

/** Splits a label into WordNet-known terms (see the file comment). */
export function labelTerms(label: string, wn: WordNet): string[] {
  const clean = label.toLowerCase().trim().replace(/\s+/g, " ");
  const known = (t: string) => wn.nounLemmas(t).length > 0;
  if (known(clean)) return [clean];
  const out: string[] = [];
  for (const alt of clean.split(/\s*[/,&]\s*|\s+and\s+/)) {
    if (!alt) continue;
    if (known(alt)) {
      out.push(alt);
      continue;
    }
    for (const w of alt.split(/[\s-]+/)) if (w && !STOP_WORDS.has(w) && known(w)) out.push(w);
  }
  return [...new Set(out)];
}

export interface MatchOptions {
  /** Path-similarity threshold α for non-exact matches. Default 0.25 (at most 3 edges apart). */
  alpha?: number;
  wordnet?: WordNet;
}

/** Maps every label onto rows of `vocab` (see the file comment). */
export function matchLabelsToVocab(
  labels: string[],
  vocab: SynsetVocab,
  opts: MatchOptions = {},
): LabelMatch[] {
  const wn = opts.wordnet ?? loadWordNet();
  const alpha = opts.alpha ?? 0.25;
  if (!(alpha > 0 && alpha <= 1)) throw new Error(`transfer: alpha must be in (0, 1], got ${alpha}`);
  let vocabAncestors: Array<Map<number, number>> | undefined;
  const matchTerm = (term: string): LabelMatchPart | undefined => {
    const lemma = wn.lemmatizeNoun(term);
    const senses = wn.nounSynsets(lemma);
    for (const s of senses) {
      const i = vocab.index(s);
      if (i >= 0) return { term, synset: synsetId(s), vocabIndex: i, similarity: 1 };
    }
    if (senses.length === 0) return undefined;
    vocabAncestors ??= vocab.entries.map((e) => ancestorDistances(wn, e.offset));
    const mine = ancestorDistances(wn, senses[0]!);
    let best: LabelMatchPart | undefined;
    vocabAncestors.forEach((anc, i) => {
      const sim = similarityOf(mine, anc);
      if (sim >= alpha && (!best || sim > best.similarity))
        best = { term, synset: vocab.entries[i]!.id, vocabIndex: i, similarity: sim };
    });
    return best;
  };
  return labels.map((label) => {
    const terms = labelTerms(label, wn);
    const parts: LabelMatchPart[] = [];
    for (const t of terms) {
      const m = matchTerm(t);
      if (m && !parts.some((p) => p.vocabIndex === m.vocabIndex)) parts.push(m);
    }
    const kind: LabelMatchKind =
      parts.length === 0
        ? "none"
        : parts.length > 1
          ? "compound"
          : parts[0]!.similarity === 1
            ? "exact"
            : "similar";
    return { label, kind, parts, terms };
  });
}
