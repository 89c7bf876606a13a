// Attribute (aspect) extraction: the domain's frequent nouns and noun compounds that carry
// opinions ("sound", "string", "price", "tuning peg").
//
// Method (deterministic given the tagger):
//  1. POS-tag every sentence of the fitting corpus (GREENer: the training reviews only).
//  2. Candidates: each NOUN token, keyed by its lemma ("strings" → "string"), and each pair of
//     consecutive NOUN tokens whose first is in base form, keyed by "first lemma-of-second"
//     ("tuning pegs" → "tuning peg"). Tokens must be alphabetic and at least 2 letters; PROPN (brands, names)
//     is not a candidate.
//  3. An occurrence is opinionated when an adjective (ADJ) that is not in NON_OPINION_ADJ
//     ("other", "same", "few", ...) lies within `window` tokens of it in the same sentence.
//  4. Keep candidates with ≥ minOpinionCount opinionated occurrences, opinionated share
//     ≥ minOpinionShare, and no word in GENERIC_NOUNS ("thing", "time", "product", ...); rank by
//     opinionated count (ties: name), keep the first maxAttributes.
//  5. Surface forms: every lower-case form seen for a kept lemma (e.g. "string", "strings")
//     maps to the attribute, so matching needs only the tokenizer, not the tagger.
// Matching (findAttributes) scans word tokens left to right and prefers a two-word attribute
// over a one-word one at the same position ("sound quality" rather than "sound").
import type { PosTagger } from "./pos.js";

export interface AttributeOptions {
  /** at most this many attributes (default 300) */
  maxAttributes?: number;
  /** minimum opinionated occurrences (default 5) */
  minOpinionCount?: number;
  /** minimum share of occurrences that are opinionated (default 0.1) */
  minOpinionShare?: number;
  /** distance in tokens between noun and adjective (default 3) */
  window?: number;
  /** include noun–noun compounds (default true) */
  compounds?: boolean;
}

export interface AttributeLexicon {
  /** attribute names (lemmas), id = index */
  names: string[];
  /** lower-case surface form ("strings", "tuning pegs") → attribute id */
  surface: Record<string, number>;
  /** per attribute: [occurrences, opinionated occurrences] in the fitting corpus */
  counts: [number, number][];
}

// Adjectives that quantify or refer rather than evaluate.
const NON_OPINION_ADJ = new Set([
  "other", "same", "few", "many", "much", "more", "most", "less", "least", "several", "such", "own", "first",
  "last", "next", "previous", "second", "third", "only", "whole", "entire", "various", "certain", "main",
  "sure", "able", "due", "additional", "extra", "single", "double", "different", "similar", "own", "total",
  "overall", "whatever", "which", "any", "every", "each", "enough", "final", "initial", "current",
]);

// Nouns that are too generic to be an aspect of a product.
const GENERIC_NOUNS = new Set([
  "thing", "lot", "time", "way", "bit", "day", "year", "week", "month", "hour", "minute", "second", "people",
  "person", "guy", "review", "reviewer", "star", "product", "item", "amazon", "one", "anything", "something",
  "everything", "nothing", "someone", "everyone", "kind", "sort", "type", "reason", "fact", "couple", "end",
  "deal", "problem", "issue", "job", "work", "use", "purchase", "order", "home", "place", "difference",
  "number", "point", "idea", "question", "others", "right", "lol", "stuff", "bunch", "option", "choice",
  "experience", "need", "thanks", "rest", "side", "part", "piece", "times",
  "while", "complaint", "buy", "advantage", "feature", "attention", "matter", "plenty", "love", "fun",
  "opinion", "course", "term", "period", "son", "daughter", "wife", "husband", "friend", "kid", "school",
  "looking", "sounding", "super", "high", "check", "state", "result", "name", "purpose", "addition",
  "improvement", "comparison", "alternative", "effort", "care", "solution", "reading", "drop", "stars",
]);

interface Cand { occ: number; opin: number; forms: Map<string, number> }

/** Extracts the attribute lexicon from a corpus of sentences. */
export function extractAttributes(sentences: Iterable<string>, tag: PosTagger, opts: AttributeOptions = {}): AttributeLexicon {
  const maxAttributes = opts.maxAttributes ?? 300;
  const minOpinionCount = opts.minOpinionCount ?? 5;
  const minShare = opts.minOpinionShare ?? 0.1;
  const window = opts.window ?? 3;
  const compounds = opts.compounds ?? true;
  const cands = new Map<string, Cand>();
  const note = (key: string, form: string, opinionated: boolean) => {
    let c = cands.get(key);
    if (!c) { c = { occ: 0, opin: 0, forms: new Map() }; cands.set(key, c); }
    c.occ++;
    if (opinionated) c.opin++;
    c.forms.set(form, (c.forms.get(form) ?? 0) + 1);
  };
  for (const sentence of sentences) {
    const toks = tag(sentence);
    const isOpinion = toks.map((t) => t.pos === "ADJ" && /^\p{L}{2,}$/u.test(t.surface) && !NON_OPINION_ADJ.has(t.surface));
    // prefix sums of opinion words to test a window in O(1)
    const pre = new Int32Array(toks.length + 1);
    for (let i = 0; i < toks.length; i++) pre[i + 1] = pre[i] + (isOpinion[i] ? 1 : 0);
    const near = (lo: number, hi: number) => pre[Math.min(toks.length, hi + window + 1)] - pre[Math.max(0, lo - window)] > 0;
    const isNoun = (i: number) => toks[i].pos === "NOUN" && /^\p{L}{2,}$/u.test(toks[i].surface);
    for (let i = 0; i < toks.length; i++) {
      if (!isNoun(i)) continue;
      note(toks[i].lemma, toks[i].surface, near(i, i));
      // Compounds: the modifier must be in its base form ("guitar case"); a plural first
      // word is nearly always a tagging slip on a verb ("strings sound great").
      if (compounds && i + 1 < toks.length && isNoun(i + 1) && toks[i].surface === toks[i].lemma) {
        note(`${toks[i].surface} ${toks[i + 1].lemma}`, `${toks[i].surface} ${toks[i + 1].surface}`, near(i, i + 1));
      }
    }
  }
  const kept = [...cands.entries()]
    .filter(([k, c]) => c.opin >= minOpinionCount && c.opin / c.occ >= minShare && !k.split(" ").some((w) => GENERIC_NOUNS.has(w)))
    .sort((a, b) => b[1].opin - a[1].opin || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, maxAttributes);
  const names = kept.map(([k]) => k);
  const surface: Record<string, number> = Object.create(null);
  // A surface form seen for two lemmas goes to the more frequent one (visit in rank order).
  kept.forEach(([k, c], id) => {
    if (!(k in surface)) surface[k] = id;
    for (const f of [...c.forms.keys()].sort()) if (!(f in surface)) surface[f] = id;
  });
  return { names, surface, counts: kept.map(([, c]) => [c.occ, c.opin]) };
}

/** Attribute ids mentioned in a token list, in order of first mention, without repeats. */
export function findAttributes(lex: AttributeLexicon, tokens: readonly string[]): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < tokens.length; i++) {
    let id: number | undefined;
    if (i + 1 < tokens.length) id = lex.surface[`${tokens[i]} ${tokens[i + 1]}`];
    if (id !== undefined) i++;
    else id = lex.surface[tokens[i]];
    if (id !== undefined && !seen.has(id)) { seen.add(id); out.push(id); }
  }
  return out;
}
