// Text processing: sentences and review tokens, attributes, TF-IDF and the n-gram metrics (BLEU,
// ROUGE; CompExp's IDF-BLEU and ExtRecall, diversity) for explanations; the Hugging Face tokenizer.json runner and the word-level
// tokenizer built from a corpus (DTI's prompts).
export { tokenize, wordCount, splitSentences } from "./tokenize.js";
export { ngramCounts, ngramSet, clippedOverlap } from "./ngrams.js";
export { sentenceBleu, sentenceBleuExcept, CountedReferences, corpusBleu, bleu23, relevanceLevel, type BleuOptions, type BleuSmoothing } from "./bleu.js";
export { idfBleu, extRecall, brevityPenalty, idfDensity, idfFunction, WordIdf, type IdfLookup, type IdfBleuOptions } from "./idf_bleu.js";
export { diversity, selfBleu, type Diversity } from "./diversity.js";
export { rougeN, rougeL, lcsLength, type PRF } from "./rouge.js";
export { Tfidf, cosine, dot, normalize, sumNormalized, cosineMatrix, type SparseVector } from "./tfidf.js";
export { extractAttributes, findAttributes, type AttributeLexicon, type AttributeOptions } from "./attributes.js";
export { loadWinkTagger, winkVersion, type PosTagger, type TaggedToken } from "./pos.js";
export { Tokenizer, loadTokenizer } from "./hf_tokenizer.js";
export { buildWordTokenizer, wordPieces, wordLevelTokenizerJson, type WordTokenizerOptions } from "./word_tokenizer.js";
