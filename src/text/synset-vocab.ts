/**
 * CatLIP steps 2–3: count synsets over a caption set, keep the frequent ones as the label space, and
 * turn a caption into the multi-hot target over it.
 *
 * A synset's count is the number of captions it occurs in (several mentions in one caption collapse,
 * as they do in the multi-hot target). The vocabulary is sorted by count, descending, ties by id, like
 * corenet's frequency-sorted vocab dict; pruning keeps count > Vτ (`minCount`) and/or the top K.
 */
import * as fs from "node:fs";
import { MATCH_RULES, type MatchRule, type NounExtractor, nounExtractor } from "./nouns";
import { loadWordNet, parseSynsetId, synsetId } from "./wordnet";

/** One class of the CatLIP label space. */
export interface SynsetVocabEntry {
  /** CatLIP id, "n" + un-padded offset. */
  id: string;
  offset: number;
  /** The lemma that produced this synset most often (ties: alphabetical). */
  lemma: string;
  /** Captions it occurs in. */
  count: number;
  /** Ids of its first-hypernym chain, nearest first, up to entity (n1740). */
  hypernyms: string[];
}

export interface SynsetVocabStats {
  captions: number;
  /** Captions with at least one synset before pruning. */
  captionsWithSynset: number;
  /** Distinct synsets before pruning. */
  distinctSynsets: number;
}

/** The JSON written by {@link SynsetVocab.save}. */
export interface SynsetVocabJSON {
  format: "clipdown-synset-vocab";
  version: 1;
  rule: MatchRule;
  stats: SynsetVocabStats;
  entries: SynsetVocabEntry[];
}

/** Options for {@link buildSynsetVocab}; with neither limit every synset seen is kept. */
export interface BuildSynsetVocabOptions {
  rule: MatchRule;
  /** Vτ: keep synsets whose count is strictly greater than this (CatLIP uses 500 on CC3M). */
  minCount?: number;
  /** Keep at most this many, the most frequent (corenet's vocab_size). Applied after minCount. */
  topK?: number;
}

/** A CatLIP label space: entries in class-index order, and the rule that maps captions onto it. */
export class SynsetVocab {
  private readonly indexOf = new Map<number, number>();

  constructor(
    readonly rule: MatchRule,
    readonly entries: SynsetVocabEntry[],
    readonly stats: SynsetVocabStats,
  ) {
    entries.forEach((e, i) => {
      this.indexOf.set(e.offset, i);
    });
  }

  get size(): number {
    return this.entries.length;
  }

  /** Class index of a synset offset, or -1 if it is outside the vocabulary. */
  index(offset: number): number {
    return this.indexOf.get(offset) ?? -1;
  }

  /** Sorted, duplicate-free class indices of the caption's synsets (the positives of its target). */
  multiHot(caption: string, extractor: NounExtractor = nounExtractor(this.rule)): number[] {
    const hit = new Set<number>();
    for (const m of extractor.extract(caption)) {
      const i = this.indexOf.get(m.offset);
      if (i !== undefined) hit.add(i);
    }
    return [...hit].sort((a, b) => a - b);
  }

  /** Dense {0,1} targets, row-major `[captions.length * size]`, for a BCE loss. */
  multiHotBatch(captions: string[]): Float32Array {
    const out = new Float32Array(captions.length * this.size);
    const ex = nounExtractor(this.rule);
    captions.forEach((c, r) => {
      for (const i of this.multiHot(c, ex)) out[r * this.size + i] = 1;
    });
    return out;
  }

  /** A copy pruned to count > minCount and/or the top K (entries are already sorted). */
  prune(opts: { minCount?: number; topK?: number }): SynsetVocab {
    let kept = this.entries.filter((e) => opts.minCount === undefined || e.count > opts.minCount);
    if (opts.topK !== undefined) kept = kept.slice(0, opts.topK);
    return new SynsetVocab(this.rule, kept, this.stats);
  }

  toJSON(): SynsetVocabJSON {
    return {
      format: "clipdown-synset-vocab",
      version: 1,
      rule: this.rule,
      stats: this.stats,
      entries: this.entries,
    };
  }

  static fromJSON(o: unknown): SynsetVocab {
    const j = o as Partial<SynsetVocabJSON> | null;
    if (j?.format !== "clipdown-synset-vocab") {
      throw new Error(
        `SynsetVocab.fromJSON: not a clipdown-synset-vocab file (format is ${JSON.stringify(j?.format)})`,
      );
    }
    if (j.version !== 1)
      throw new Error(`SynsetVocab.fromJSON: unsupported version ${j.version}; this build reads 1`);
    if (!j.rule || !MATCH_RULES.includes(j.rule)) {
      throw new Error(
        `SynsetVocab.fromJSON: rule must be one of ${MATCH_RULES.join(", ")}, got ${JSON.stringify(j.rule)}`,
      );
    }
    if (!Array.isArray(j.entries) || !j.stats)
      throw new Error("SynsetVocab.fromJSON: entries and stats are required");
    return new SynsetVocab(j.rule, j.entries, j.stats);
  }

  save(path: string): void {
    fs.writeFileSync(path, JSON.stringify(this.toJSON()));
  }

  static load(path: string): SynsetVocab {
    return SynsetVocab.fromJSON(JSON.parse(fs.readFileSync(path, "utf8")));
  }
}

/** Class-index order: count descending, then id ascending (a stable, input-order-free tie-break). */
function byCountThenId(a: { count: number; id: string }, b: { count: number; id: string }): number {
  return b.count - a.count || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Counts synsets over `captions` under `opts.rule` and keeps the frequent ones.
 * @example buildSynsetVocab(captions, { rule: "paper", minCount: 20 }).entries[0] // { id: "n…", lemma: "face", … }
 */
export function buildSynsetVocab(captions: string[], opts: BuildSynsetVocabOptions): SynsetVocab {
  for (const [k, v] of Object.entries({ minCount: opts.minCount, topK: opts.topK })) {
    if (v !== undefined && !(Number.isInteger(v) && v >= 0)) {
      throw new Error(`buildSynsetVocab: ${k} must be a non-negative integer, got ${v}`);
    }
  }
  const ex = nounExtractor(opts.rule);
  const counts = new Map<number, number>();
  const lemmaCounts = new Map<number, Map<string, number>>();
  let withSynset = 0;
  for (const caption of captions) {
    const seen = new Set<number>();
    for (const m of ex.extract(caption)) {
      let lc = lemmaCounts.get(m.offset);
      if (!lc) {
        lc = new Map();
        lemmaCounts.set(m.offset, lc);
      }
      lc.set(m.lemma, (lc.get(m.lemma) ?? 0) + 1);
      if (seen.has(m.offset)) continue;
      seen.add(m.offset);
      counts.set(m.offset, (counts.get(m.offset) ?? 0) + 1);
    }
    if (seen.size > 0) withSynset++;
  }
  const stats: SynsetVocabStats = {
    captions: captions.length,
    captionsWithSynset: withSynset,
    distinctSynsets: counts.size,
  };
  let kept = [...counts].map(([offset, count]) => ({ offset, count, id: synsetId(offset) }));
  if (opts.minCount !== undefined) kept = kept.filter((e) => e.count > opts.minCount!);
  kept.sort(byCountThenId);
  if (opts.topK !== undefined) kept = kept.slice(0, opts.topK);
  const wn = loadWordNet();
  const entries = kept.map(({ offset, count, id }) => {
    const lemma = [...lemmaCounts.get(offset)!].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
    return { id, offset, lemma, count, hypernyms: wn.hypernymChain(offset).map(synsetId) };
  });
  return new SynsetVocab(opts.rule, entries, stats);
}

/**
 * A vocabulary from given synset ids in the given order (counts 0), e.g. a released CatLIP vocab file
 * or corenet's unit-test vocabulary. Unknown ids are an error naming the id.
 */
export function synsetVocabFromIds(ids: string[], rule: MatchRule): SynsetVocab {
  const wn = loadWordNet();
  const entries = ids.map((id) => {
    const offset = parseSynsetId(id);
    const s = wn.synset(offset);
    return {
      id: synsetId(offset),
      offset,
      lemma: s.words[0]!.toLowerCase(),
      count: 0,
      hypernyms: wn.hypernymChain(offset).map(synsetId),
    };
  });
  return new SynsetVocab(rule, entries, {
    captions: 0,
    captionsWithSynset: 0,
    distinctSynsets: entries.length,
  });
}

/** Free-function form of {@link SynsetVocab.multiHot}: sorted class indices of the caption's synsets. */
export function multiHot(caption: string, vocab: SynsetVocab): number[] {
  return vocab.multiHot(caption);
}
