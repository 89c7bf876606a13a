// A word-level tokenizer built from a corpus's own text (DTI's default tokenizer, so its default
// special tokens and label words are DTI's prompt tokens). Text is lowercased and split into words and punctuation runs (HF's Lowercase normalizer and Whitespace
// pre-tokenizer: \w+ | [^\w\s]+); words seen fewer than minFrequency times map to [UNK].
// Special tokens come first with fixed ids — [PAD] 0, [UNK] 1, [SUM] 2, [SEP] 3 — then the label
// words (always present, whatever their count), then the words by descending count (ties by
// code-point order, so the vocabulary is deterministic). It is a Hugging Face WordLevel
// tokenizer.json, so Tokenizer / loadTokenizer read a saved one back unchanged.
import { Tokenizer } from "./hf_tokenizer.js";

export const DTI_SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[SUM]", "[SEP]"] as const;
export const DTI_LABEL_WORDS = ["liked", "disliked"] as const;

export interface WordTokenizerOptions {
  /** Keep words seen at least this often (default 1). */
  minFrequency?: number;
  /** Largest vocabulary, special tokens and label words included (default unlimited). */
  maxVocab?: number;
  /** Special tokens, in id order (default [PAD] [UNK] [SUM] [SEP]); must contain "[UNK]". */
  specialTokens?: readonly string[];
  /** Words always in the vocabulary, right after the special tokens (default liked, disliked). */
  labelWords?: readonly string[];
}

// HF Whitespace pre-tokenizer (Rust regex \w is Unicode-aware).
const WORD = "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}";
const PIECES = new RegExp(`[${WORD}]+|[^${WORD}\\s]+`, "gu");

/** The pieces the word-level tokenizer sees in a text (lowercased words and punctuation runs). */
export function wordPieces(text: string): string[] {
  return text.toLowerCase().match(PIECES) ?? [];
}

/** The tokenizer.json object of a word-level vocabulary (tokens in id order). */
export function wordLevelTokenizerJson(tokens: readonly string[], specialTokens: readonly string[] = DTI_SPECIAL_TOKENS): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => {
    if (Object.prototype.hasOwnProperty.call(vocab, t)) throw new RangeError(`recforge: word tokenizer: token ${JSON.stringify(t)} appears twice`);
    vocab[t] = i;
  });
  const special = new Set(specialTokens);
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: tokens
      .map((t, id) => ({ id, content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }))
      .filter((t) => special.has(t.content)),
    normalizer: { type: "Lowercase" },
    pre_tokenizer: { type: "Whitespace" },
    post_processor: null,
    decoder: null,
    model: { type: "WordLevel", vocab, unk_token: "[UNK]" },
  };
}

/** Builds the word-level tokenizer from texts (item titles, genres, prompt words, ...). */
export function buildWordTokenizer(texts: Iterable<string>, opts: WordTokenizerOptions = {}): Tokenizer {
  const minFrequency = opts.minFrequency ?? 1;
  if (!Number.isInteger(minFrequency) || minFrequency < 1) throw new RangeError(`recforge: buildWordTokenizer: minFrequency must be an integer >= 1, got ${minFrequency}`);
  const maxVocab = opts.maxVocab ?? Infinity;
  const specials = [...(opts.specialTokens ?? DTI_SPECIAL_TOKENS)];
  if (!specials.includes("[UNK]")) throw new RangeError('recforge: buildWordTokenizer: specialTokens must include "[UNK]"');
  const labels = [...(opts.labelWords ?? DTI_LABEL_WORDS)].map((w) => w.toLowerCase());
  for (const w of labels)
    if (wordPieces(w).length !== 1 || wordPieces(w)[0] !== w) throw new RangeError(`recforge: buildWordTokenizer: label word ${JSON.stringify(w)} must be a single word`);
  const counts = new Map<string, number>();
  for (const text of texts) {
    if (typeof text !== "string") throw new TypeError(`recforge: buildWordTokenizer: texts must be strings, got ${typeof text}`);
    for (const p of wordPieces(text)) counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  const fixed = [...specials, ...labels.filter((w, i) => labels.indexOf(w) === i && !specials.includes(w))];
  if (fixed.length > maxVocab) throw new RangeError(`recforge: buildWordTokenizer: maxVocab ${maxVocab} is smaller than the ${fixed.length} special tokens and label words`);
  const taken = new Set(fixed);
  const words = [...counts.entries()]
    .filter(([w, c]) => c >= minFrequency && !taken.has(w))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, Math.max(0, maxVocab - fixed.length))
    .map(([w]) => w);
  return Tokenizer.fromJSON(wordLevelTokenizerJson([...fixed, ...words], specials));
}
