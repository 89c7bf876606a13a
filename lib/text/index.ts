// Text processing for extractive explanations: sentences, tokens, attributes, TF-IDF and
// the n-gram metrics (BLEU, ROUGE).
export { tokenize, wordCount, splitSentences } from "./tokenize.js";
export { ngramCounts, ngramSet, clippedOverlap } from "./ngrams.js";
export { sentenceBleu, corpusBleu, bleu23, relevanceLevel, type BleuOptions, type BleuSmoothing } from "./bleu.js";
export { rougeN, rougeL, lcsLength, type PRF } from "./rouge.js";
export { Tfidf, cosine, dot, normalize, sumNormalized, cosineMatrix, type SparseVector } from "./tfidf.js";
export { extractAttributes, findAttributes, type AttributeLexicon, type AttributeOptions } from "./attributes.js";
export { loadWinkTagger, winkVersion, type PosTagger, type TaggedToken } from "./pos.js";
