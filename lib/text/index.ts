// Text processing: sentences and review tokens, attributes, TF-IDF and the n-gram metrics (BLEU,
// ROUGE) for extractive explanations; the Hugging Face tokenizer.json runner and the word-level
// tokenizer built from a corpus (DTI's prompts).
export { tokenize, wordCount, splitSentences } from "./tokenize.js";
export { ngramCounts, ngramSet, clippedOverlap } from "./ngrams.js";
export { sentenceBleu, corpusBleu, bleu23, relevanceLevel, type BleuOptions, type BleuSmoothing } from "./bleu.js";
export { rougeN, rougeL, lcsLength, type PRF } from "./rouge.js";
export { Tfidf, cosine, dot, normalize, sumNormalized, cosineMatrix, type SparseVector } from "./tfidf.js";
export { extractAttributes, findAttributes, type AttributeLexicon, type AttributeOptions } from "./attributes.js";
export { loadWinkTagger, winkVersion, type PosTagger, type TaggedToken } from "./pos.js";
export { Tokenizer, loadTokenizer } from "./hf_tokenizer.js";
export { buildWordTokenizer, wordPieces, wordLevelTokenizerJson, type WordTokenizerOptions } from "./word_tokenizer.js";
