// GREENer (graph attentive extractive explanations, arXiv 2202.09730): data preparation,
// per-pair graphs, the GAT + DCN scorer, training, and sentence selection.
export { pairExample, trainingReviews, GreenerScorer, type GreenerPair } from "./examples.js";
export { buildPairGraph, makeBatch, NODE_TYPES, type PairExample, type PairGraph, type GreenerBatch } from "./graph.js";
export { GreenerModel, type GreenerModelConfig, type GreenerOutput } from "./model.js";
export { gradedPairs, bprLoss, attributeLoss, type BprPairs } from "./loss.js";
export { trainGreener, scorePairs, type GreenerTrainOptions, type GreenerTrainReport, type PairScores } from "./train.js";
export { TfidfProjectionEncoder, type TfidfLike } from "./encoder.js";
export { RelevanceScorer, BleuReferences } from "./relevance.js";
export { type RelevanceReference } from "./relevance.js";
export { centralityOf, itemCentralityTable } from "./centrality.js";
export { chooseOnValidation, type ValidationScore } from "./tuning.js";
